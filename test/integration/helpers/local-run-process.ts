/**
 * `npm run local` as a child of a test. Two things the tests need that a plain spawn does not give:
 * - stdout and stderr in the order they were written (one pipe through `2>&1`), so a test can say "the failure
 *   was printed before the listing": two pipes are read in whatever order the OS delivers them;
 * - its own process group, so a failing test kills the run and everything it started (moto, the broker, Spark).
 *   Killing only tsx leaves them holding the pipes open, and jest then never exits.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../../lib/project-paths';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

export interface LocalRunProcess {
  readonly pid: number;
  /** Everything printed so far, stdout and stderr interleaved as written. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects when the run ends first or after `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** The run's exit status (null when a signal ended it), once its output is read to the end. */
  readonly exited: Promise<number | null>;
  /** Sends `signal` to the run itself (tsx passes it on to run.ts). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL to the whole process group; safe to call when it has already ended. */
  killAll(): void;
}

export function startLocalRun(args: readonly string[], env: NodeJS.ProcessEnv = {}): LocalRunProcess {
  const child = spawn('sh', ['-c', 'exec "$@" 2>&1', 'sh', TSX, path.join(PROJECT_ROOT, 'local', 'run.ts'), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const pid = child.pid!;
  let output = '';
  const waiters: Array<{ pattern: RegExp; resolve: (match: RegExpMatchArray) => void }> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      const match = output.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  const waitFor = async (pattern: RegExp, ms: number): Promise<RegExpMatchArray> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise<RegExpMatchArray>((resolve) => {
          const match = output.match(pattern);
          if (match) resolve(match);
          else waiters.push({ pattern, resolve });
        }),
        exited.then(() => Promise.reject(new Error(`the run ended before printing ${pattern}:\n${output}`))),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms:\n${output}`)), ms))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    pid,
    output: () => output,
    waitFor,
    exited,
    signal: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    killAll: () => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    },
  };
}
