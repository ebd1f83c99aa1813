/**
 * scripts/kafka-jars.sh, run on a copy of the project's layout: a cached lib/ is reused without Maven;
 * without Maven and without the jars it stops and says what to install.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { pathWithout } from '../helpers/path-without';

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-jars-'));
  for (const file of ['scripts/kafka-jars.sh', 'scripts/check-java.sh', 'local/kafka/pom.xml']) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, file));
  }
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function run(env: NodeJS.ProcessEnv) {
  const result = spawnSync('bash', [path.join(root, 'scripts', 'kafka-jars.sh')], { encoding: 'utf8', env, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('without Maven and without the jars it fails, naming Maven and how to install it', () => {
  const env = { ...process.env, PATH: pathWithout('mvn', fs.mkdtempSync(path.join(root, 'bin-'))) };
  const { status, stderr } = run(env);
  expect(status).toBe(1);
  expect(stderr).toContain('kafka-jars: ERROR: Maven (mvn) is not installed; it fetches the Kafka jars from Maven Central.');
  expect(stderr).toContain('sudo apt-get install -y maven');
});

test('jars fetched for this pom are reused at once, without Maven', () => {
  const lib = path.join(root, '.local', 'kafka', 'lib');
  fs.mkdirSync(lib, { recursive: true });
  fs.writeFileSync(path.join(lib, 'kafka_2.13-4.1.1.jar'), '');
  const pomHash = execFileSync('sha256sum', [path.join(root, 'local', 'kafka', 'pom.xml')], { encoding: 'utf8' }).split(' ')[0];
  fs.writeFileSync(path.join(lib, '.pom.sha256'), `${pomHash}\n`);
  const env = { ...process.env, PATH: pathWithout('mvn', fs.mkdtempSync(path.join(root, 'bin-'))) };
  const { status, stdout, stderr } = run(env);
  expect(status).toBe(0);
  expect(stdout.trim()).toBe(lib);
  expect(stderr).toContain('is up to date (1 jars)');
});
