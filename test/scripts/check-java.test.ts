/**
 * scripts/check-java.sh against the Java versions a user may have, with a stand-in `java` on PATH that prints
 * what that version's `java -version` prints: only 17 passes (Spark 3.5 runs on 8/11/17, the Kafka 4 broker on
 * 17+), and every refusal says why and what to install.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';

let bin: string;

beforeEach(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-java-'));
});
afterEach(() => fs.rmSync(bin, { recursive: true, force: true }));

function checkWith(versionLine: string) {
  fs.writeFileSync(path.join(bin, 'java'), `#!/bin/sh\necho '${versionLine}' >&2\necho 'OpenJDK Runtime Environment' >&2\n`, {
    mode: 0o755,
  });
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  delete env.JAVA_HOME;
  const run = spawnSync('bash', [path.join(PROJECT_ROOT, 'scripts', 'check-java.sh')], { encoding: 'utf8', env });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test('Java 17 passes and is named', () => {
  const { status, output } = checkWith('openjdk version "17.0.15" 2025-04-15');
  expect(status).toBe(0);
  expect(output).toContain('check-java: Java 17.0.15');
});

test.each(['21.0.5', '25'])('Java %s is refused: Spark 3.5 supports 8, 11 and 17 only; says to install 17', (version) => {
  const { status, output } = checkWith(`openjdk version "${version}" 2025-09-16`);
  expect(status).toBe(1);
  expect(output).toContain(`Java ${version} found`);
  expect(output).toContain("Spark 3.5 (the Glue job's runtime) supports Java 8, 11 and 17 only");
  expect(output).toContain('sudo apt-get install -y openjdk-17-jre-headless');
  expect(output).toContain('JAVA_HOME');
});

test.each(['1.8.0_392', '11.0.22'])('Java %s is refused: the Kafka 4 broker needs 17', (version) => {
  const { status, output } = checkWith(`openjdk version "${version}" 2024-01-16`);
  expect(status).toBe(1);
  expect(output).toContain('the Kafka 4 broker needs 17 or later');
  expect(output).toContain('openjdk-17-jre-headless');
});
