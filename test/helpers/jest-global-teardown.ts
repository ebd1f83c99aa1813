import * as fs from 'node:fs';
import { RUN_DIR_ENV } from './run-dir';

export default function globalTeardown(): void {
  const dir = process.env[RUN_DIR_ENV];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
