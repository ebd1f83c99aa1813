/**
 * scripts/kafka-jars.sh, run on a copy of the project's layout with no mvn on PATH: a cached lib/ is reused
 * at once; otherwise Maven comes through the Maven Wrapper (./mvnw), never an installed mvn. The real fetch
 * from Maven Central is test/integration/kafka-jars.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { copyKafkaJarsProject } from '../helpers/kafka-jars-project';
import { pathWithout } from '../helpers/path-without';

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-jars-'));
  copyKafkaJarsProject(root);
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function run(env: NodeJS.ProcessEnv) {
  const result = spawnSync('bash', [path.join(root, 'scripts', 'kafka-jars.sh')], { encoding: 'utf8', env, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The environment of a machine without Maven: no mvn on PATH, and no Maven the wrapper downloaded before. */
function withoutMaven(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: pathWithout('mvn', fs.mkdtempSync(path.join(root, 'bin-'))), MAVEN_USER_HOME: path.join(root, 'm2') };
}

test('git keeps mvnw executable, so a clone can run it', () => {
  expect(execFileSync('git', ['ls-files', '--stage', 'mvnw'], { cwd: PROJECT_ROOT, encoding: 'utf8' })).toMatch(/^100755 /);
});

test('the wrapper pins one Maven from Maven Central and downloads it with a script (no wrapper jar)', () => {
  const properties = fs.readFileSync(path.join(PROJECT_ROOT, '.mvn', 'wrapper', 'maven-wrapper.properties'), 'utf8');
  expect(properties).toMatch(/^distributionType=only-script$/m);
  expect(properties).toMatch(
    /^distributionUrl=https:\/\/repo\.maven\.apache\.org\/maven2\/org\/apache\/maven\/apache-maven\/(\d+\.\d+\.\d+)\/apache-maven-\1-bin\.zip$/m,
  );
  expect(fs.existsSync(path.join(PROJECT_ROOT, '.mvn', 'wrapper', 'maven-wrapper.jar'))).toBe(false);
});

test('without mvn on PATH it runs the Maven Wrapper, and a Maven it cannot download fails with what to check', () => {
  // A distribution URL nothing listens on: the wrapper's download fails at once instead of reaching Maven Central.
  const properties = path.join(root, '.mvn', 'wrapper', 'maven-wrapper.properties');
  fs.writeFileSync(
    properties,
    fs
      .readFileSync(properties, 'utf8')
      .replace(
        /^distributionUrl=.*$/m,
        'distributionUrl=http://127.0.0.1:9/maven2/org/apache/maven/apache-maven/3.9.16/apache-maven-3.9.16-bin.zip',
      ),
  );
  const { status, stderr } = run(withoutMaven());
  expect(status).toBe(1);
  expect(stderr).toMatch(/(curl|wget): Failed to fetch http:\/\/127\.0\.0\.1:9\//);
  expect(stderr).toContain('kafka-jars: ERROR: ./mvnw dependency:copy-dependencies failed (see above).');
  expect(stderr).toContain('Maven Central must be reachable');
  expect(fs.existsSync(path.join(root, '.local', 'kafka', 'lib'))).toBe(false);
});

test('without the Maven Wrapper it fails, naming its files', () => {
  fs.rmSync(path.join(root, 'mvnw'));
  const { status, stderr } = run(withoutMaven());
  expect(status).toBe(1);
  expect(stderr).toContain('kafka-jars: ERROR: the Maven Wrapper (mvnw, .mvn/wrapper/maven-wrapper.properties) is missing');
});

test('jars fetched for this pom are reused at once, without Maven', () => {
  const lib = path.join(root, '.local', 'kafka', 'lib');
  fs.mkdirSync(lib, { recursive: true });
  fs.writeFileSync(path.join(lib, 'kafka_2.13-4.1.1.jar'), '');
  const pomHash = execFileSync('sha256sum', [path.join(root, 'local', 'kafka', 'pom.xml')], { encoding: 'utf8' }).split(' ')[0];
  fs.writeFileSync(path.join(lib, '.pom.sha256'), `${pomHash}\n`);
  const { status, stdout, stderr } = run(withoutMaven());
  expect(status).toBe(0);
  expect(stdout.trim()).toBe(lib);
  expect(stderr).toContain('is up to date (1 jars)');
});
