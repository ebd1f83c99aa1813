/**
 * Jest's one global setup (jest.config.js), run once before any worker starts:
 *   1. shellcheck for the log host boot-script tests. A fresh clone's `npm test` installs it into its own small
 *      environment (.venv-shellcheck, not the 700 MB .venv) with the same script as CI; with the environment up
 *      to date the script returns in well under a second. If it fails, the tests that need shellcheck fail with
 *      the command to run; the others still run.
 *   2. One directory per run for the stage apps the workers share (see synthStage); workers inherit the
 *      variable, jest-global-teardown.ts removes the directory.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { RUN_DIR_ENV } from './run-dir';

/** The command that installs or checks .venv-shellcheck. */
export const SHELLCHECK_ENV_COMMAND = ['bash', path.join(PROJECT_ROOT, 'scripts', 'python-env.sh'), '--shellcheck'] as const;

function shellcheckEnvironment(): void {
  const [command, ...args] = SHELLCHECK_ENV_COMMAND;
  // Inherited stdio: a first install streams pip's progress (what is downloaded, how large) as it happens.
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(
      `\njest global setup: scripts/python-env.sh --shellcheck failed (${result.error ? result.error.message : `exit ${result.status ?? result.signal}`}); ` +
        'the shellcheck tests will fail. Fix what it printed, then run: bash scripts/python-env.sh --shellcheck\n\n',
    );
  }
}

export default function globalSetup(): void {
  shellcheckEnvironment();
  process.env[RUN_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'log-pipeline-jest-'));
}
