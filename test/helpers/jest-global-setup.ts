import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUN_DIR_ENV } from './run-dir';

/** One directory per run for the stage apps the workers share (see synthStage); workers inherit the variable. */
export default function globalSetup(): void {
  process.env[RUN_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'log-pipeline-jest-'));
}
