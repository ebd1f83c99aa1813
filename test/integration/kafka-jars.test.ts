/**
 * scripts/kafka-jars.sh on a machine without Maven, for real: no mvn on PATH and no Maven downloaded before
 * (a fresh MAVEN_USER_HOME), so the Maven Wrapper downloads the pinned Maven from Maven Central and that
 * Maven fetches the broker's jars. The jars come from ~/.m2/repository when an earlier fetch left them
 * there (Maven's own cache), otherwise from Maven Central.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyKafkaJarsProject } from '../helpers/kafka-jars-project';
import { pathWithout } from '../helpers/path-without';

test('without mvn, ./mvnw downloads Maven and the Kafka jars are fetched into .local/kafka/lib', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-jars-wrapper-'));
  try {
    copyKafkaJarsProject(root);
    const mavenUserHome = path.join(root, 'm2');
    const env = { ...process.env, PATH: pathWithout('mvn', fs.mkdtempSync(path.join(root, 'bin-'))), MAVEN_USER_HOME: mavenUserHome };
    expect(spawnSync('bash', ['-c', 'command -v mvn'], { env }).status).not.toBe(0);

    const result = spawnSync('bash', [path.join(root, 'scripts', 'kafka-jars.sh')], { encoding: 'utf8', env, timeout: 540_000 });
    expect(result.stderr).not.toContain('ERROR');
    expect(result.status).toBe(0);
    const lib = path.join(root, '.local', 'kafka', 'lib');
    expect(result.stdout.trim().split('\n').pop()).toBe(lib);
    const jars = fs.readdirSync(lib).filter((name) => name.endsWith('.jar'));
    expect(jars.some((name) => /^kafka_2\.13-\d+\.\d+\.\d+\.jar$/.test(name))).toBe(true);
    expect(jars.length).toBeGreaterThan(30);
    // The Maven that ran is the one the wrapper put under MAVEN_USER_HOME.
    const version = /apache-maven-(\d+\.\d+\.\d+)-bin\.zip/.exec(
      fs.readFileSync(path.join(root, '.mvn', 'wrapper', 'maven-wrapper.properties'), 'utf8'),
    )![1];
    expect(fs.readdirSync(path.join(mavenUserHome, 'wrapper', 'dists'))).toEqual([`apache-maven-${version}`]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
