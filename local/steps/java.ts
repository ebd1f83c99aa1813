/**
 * Checks for Java 17 first, on every run (scripts/check-java.sh: Spark 3.5 runs on 8/11/17, the Kafka 4 broker on
 * 17+): without this check a missing or too new Java shows up minutes later as a pyspark traceback.
 */
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { runStreaming } from './run-streaming';
import type { LocalStep } from './step';

export const javaStep: LocalStep = {
  name: 'java',
  required: true,
  async run(context) {
    const script = path.join(PROJECT_ROOT, 'scripts', 'check-java.sh');
    const { status, output } = await runStreaming('bash', [script], context.log);
    if (status !== 0) {
      const reason = output.filter((line) => line.includes('ERROR')).map((line) => line.replace(/^check-java: ERROR: /, ''));
      return {
        report: [],
        failures: [
          `Java 17 is needed (Spark runs the Glue job's transform on it, and the Kafka broker): ${reason.join(' ') || `scripts/check-java.sh exited ${status}`}`,
        ],
      };
    }
    return { report: [], failures: [] };
  },
};
