/** Makes sure .venv holds the pinned Python tools (moto, pyspark…): runs scripts/python-env.sh. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import type { LocalStep } from './step';

export const pythonEnvStep: LocalStep = {
  name: 'python-env',
  async run(context) {
    const script = path.join(PROJECT_ROOT, 'scripts', 'python-env.sh');
    const result = spawnSync('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    for (const line of `${result.stdout}${result.stderr}`.split('\n').filter(Boolean)) context.log(line);
    if (result.status !== 0) {
      return { report: [], failures: [`scripts/python-env.sh failed (exit ${result.status ?? result.signal}); see its output above`] };
    }
    return { report: [], failures: [] };
  },
};
