/**
 * Jest's one global setup (jest.config.js), run once before any worker starts:
 *   1. shellcheck for the log host boot-script tests. A fresh clone's `npm test` installs it into its own small
 *      environment (.venv-shellcheck, not the 700 MB .venv) with the same script as CI; with the environment up
 *      to date the script returns in well under a second. If it fails, the tests that need shellcheck fail with
 *      the command to run; the others still run.
 *   2. One directory per run for the stage apps the workers share (see synthStage); workers inherit the
 *      variable, jest-global-teardown.ts removes the directory.
 *   3. The stream analytics job's jar (scripts/flink-jar.sh), which synth of a stage with realtime.enabled
 *      packages as an asset: a fresh clone builds it here (about 20 s with Maven's cache filled, plus about
 *      100 MB from Maven Central the first time); with the jar current the script returns in 0.1 s. If it fails,
 *      the tests that synthesize the application fail with the command to run.
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

/** The command that builds or checks the Flink job's jar. */
export const FLINK_JAR_COMMAND = ['bash', path.join(PROJECT_ROOT, 'scripts', 'flink-jar.sh')] as const;

function flinkJar(): void {
  const [command, ...args] = FLINK_JAR_COMMAND;
  // stdout is the jar's path; Maven's progress and the script's notes go to stderr as they happen.
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(
      `\njest global setup: scripts/flink-jar.sh failed (${result.error ? result.error.message : `exit ${result.status ?? result.signal}`}); ` +
        'the tests that synthesize the stream analytics application will fail. Fix what it printed, then run: bash scripts/flink-jar.sh\n\n',
    );
  }
}

export default function globalSetup(): void {
  shellcheckEnvironment();
  flinkJar();
  process.env[RUN_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'log-pipeline-jest-'));
}
