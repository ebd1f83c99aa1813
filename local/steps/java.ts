/**
 * Checks for Java 17+ first, on every run: the Glue step runs Spark, which needs a JVM, and without this
 * check a missing Java shows up minutes later as a pyspark JAVA_GATEWAY_EXITED traceback.
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
        failures: [`Java 17+ is needed (Spark runs the Glue job's transform on it) and was not found: ${reason.join(' ') || `scripts/check-java.sh exited ${status}`}`],
      };
    }
    return { report: [], failures: [] };
  },
};
