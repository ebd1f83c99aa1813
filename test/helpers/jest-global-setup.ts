import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUN_DIR_ENV } from './run-dir';

// The project's Python tools first (test/global-setup.js), as before.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pythonEnvironment = require('../global-setup.js') as () => void;

/** Then one directory per run for the stage apps the workers share (see synthStage); workers inherit the variable. */
export default function globalSetup(): void {
  pythonEnvironment();
  process.env[RUN_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'log-pipeline-jest-'));
}
