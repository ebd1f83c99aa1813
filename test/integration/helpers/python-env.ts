/**
 * Integration tests run on the project's own Python tools (moto…). This makes sure they are installed,
 * by running the same setup script as `npm run local` and CI, and fails with the command to run if not.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../../lib/project-paths';

export function ensurePythonEnv(): void {
  const script = path.join(PROJECT_ROOT, 'scripts', 'python-env.sh');
  const result = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 });
  if (result.status !== 0) {
    throw new Error(
      `The Python test environment (.venv with moto) is not ready and could not be set up automatically.\n` +
        `Run: bash scripts/python-env.sh\n--- its output ---\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
    );
  }
}
