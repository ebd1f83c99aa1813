/**
 * Makes sure .venv holds the pinned Python tools (moto, pyspark…): runs scripts/python-env.sh and shows
 * its output as it comes (a first install takes minutes: the user sees what is downloaded and how large).
 */
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { runStreaming } from './run-streaming';
import type { LocalStep } from './step';

export const pythonEnvStep: LocalStep = {
  name: 'python-env',
  required: true,
  async run(context) {
    const script = path.join(PROJECT_ROOT, 'scripts', 'python-env.sh');
    const { status } = await runStreaming('bash', [script], context.log);
    if (status !== 0) {
      return { report: [], failures: [`scripts/python-env.sh failed (exit ${status}); see its output above`] };
    }
    return { report: [], failures: [] };
  },
};
