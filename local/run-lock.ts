/**
 * One `npm run local` per run folder: two runs sharing `.local/` reformat each other's broker data and delete
 * each other's lake copy, and the first fails minutes later in Glue. A run takes `<dir>/run.lock` (created
 * exclusively, holding its PID); a second run finds it, checks the PID is alive and refuses at once, saying
 * how to run both. A lock left by a run that died (its PID no longer exists) is taken over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { displayPath } from './display-path';

export const RUN_LOCK_FILE = 'run.lock';

export interface RunLockHolder {
  readonly pid: number;
  readonly startedAt: string;
  readonly command: string;
  /** 'kept': the run has written all it will (--keep, waiting for Ctrl-C); its lake can be queried. */
  readonly phase?: 'running' | 'kept';
}

export interface RunLock {
  release(): void;
  /** The run is done writing and waits (--keep): queries may read its lake; other runs still may not start. */
  markKept(): void;
}

export class RunLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunLockError';
  }
}

/** The run holding `dir`'s lock, or undefined when no live process holds it. */
export function lockHolder(dir: string): RunLockHolder | undefined {
  let holder: RunLockHolder;
  try {
    holder = JSON.parse(fs.readFileSync(path.join(dir, RUN_LOCK_FILE), 'utf8')) as RunLockHolder;
  } catch {
    return undefined;
  }
  return Number.isInteger(holder.pid) && isAlive(holder.pid) ? holder : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a second run (or a query during a run) is told. */
export function describeHolder(holder: RunLockHolder, dir: string): string {
  const shown = displayPath(dir);
  return `another local run (pid ${holder.pid}, started ${holder.startedAt}: ${holder.command}) is using ${shown}/`;
}

/**
 * Takes `dir`'s lock for this process (released by `release` or when the process exits).
 * Throws RunLockError naming the holder when a live process has it.
 */
export function acquireRunLock(dir: string, command: string): RunLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, RUN_LOCK_FILE);
  const mine: RunLockHolder = { pid: process.pid, startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), command };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      const release = () => {
        process.off('exit', release);
        try {
          if ((JSON.parse(fs.readFileSync(file, 'utf8')) as RunLockHolder).pid === process.pid) fs.rmSync(file);
        } catch {
          // already gone
        }
      };
      process.on('exit', release);
      return { release, markKept: () => fs.writeFileSync(file, JSON.stringify({ ...mine, phase: 'kept' })) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(dir);
    if (holder) {
      throw new RunLockError(
        `${describeHolder(holder, dir)}. Two runs in one folder break each other (the second would reformat the first's Kafka broker ` +
          `and replace its lake). Wait for it to end, stop it (kill ${holder.pid}), or run this one in its own folder: ` +
          `npm run local -- --dir .local-2 …`,
      );
    }
    // Left by a run that died: take it over.
    fs.rmSync(file, { force: true });
  }
  throw new RunLockError(`could not take ${file}: another run keeps taking it`);
}
