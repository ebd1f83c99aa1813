/**
 * A copy of what `scripts/kafka-jars.sh` needs to run outside the checkout (the script, the Java check, the pom and
 * the Maven Wrapper), so its tests fetch into a temporary project and never touch the real .local/kafka/lib.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';

const KAFKA_JARS_FILES = [
  'scripts/kafka-jars.sh',
  'scripts/check-java.sh',
  'local/kafka/pom.xml',
  'mvnw',
  '.mvn/wrapper/maven-wrapper.properties',
];

/** Copies those files into `root`, at the same relative paths (mvnw keeps its mode). */
export function copyKafkaJarsProject(root: string): void {
  for (const file of KAFKA_JARS_FILES) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, file));
  }
}
