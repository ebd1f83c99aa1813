/**
 * One local run per folder: a second run refuses at once, naming the first's PID and how to run both; a lock
 * left by a run that died is taken over; the lock goes when its run ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireRunLock, lockHolder, RUN_LOCK_FILE, RunLockError } from '../../local/run-lock';

let dir: string;
let other: ChildProcess | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-lock-'));
});
afterEach(() => {
  other?.kill('SIGKILL');
  other = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A lock as another live run leaves it: a real process's PID. */
function lockedByAnotherProcess(): number {
  other = spawn('sleep', ['60'], { stdio: 'ignore' });
  const holder = { pid: other.pid!, startedAt: '2026-12-06T03:00:00Z', command: 'npm run local -- --keep' };
  fs.writeFileSync(path.join(dir, RUN_LOCK_FILE), JSON.stringify(holder));
  return other.pid!;
}

test('a free folder is taken, held by this process, marked kept (--keep: done writing), and released', () => {
  const lock = acquireRunLock(dir, 'npm run local');
  expect(lockHolder(dir)?.pid).toBe(process.pid);
  expect(lockHolder(dir)?.phase).toBeUndefined();
  lock.markKept();
  expect(lockHolder(dir)).toMatchObject({ pid: process.pid, phase: 'kept' });
  lock.release();
  expect(fs.existsSync(path.join(dir, RUN_LOCK_FILE))).toBe(false);
  expect(lockHolder(dir)).toBeUndefined();
});

test("a folder a live run holds is refused at once, naming that run's PID, its command, and --dir", () => {
  const pid = lockedByAnotherProcess();
  let error: unknown;
  try {
    acquireRunLock(dir, 'npm run local');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RunLockError);
  const message = (error as Error).message;
  expect(message).toContain(`another local run (pid ${pid}, started 2026-12-06T03:00:00Z: npm run local -- --keep)`);
  expect(message).toContain(`kill ${pid}`);
  expect(message).toContain('npm run local -- --dir .local-2');
  // The holder's lock is untouched.
  expect(lockHolder(dir)?.pid).toBe(pid);
});

test('a lock left by a run that died is taken over', async () => {
  const pid = lockedByAnotherProcess();
  other!.kill('SIGKILL');
  await new Promise((resolve) => other!.once('exit', resolve));
  expect(lockHolder(dir)).toBeUndefined();
  const lock = acquireRunLock(dir, 'npm run local');
  expect(lockHolder(dir)?.pid).toBe(process.pid);
  expect(lockHolder(dir)?.pid).not.toBe(pid);
  lock.release();
});
