/**
 * `npm run local` when the emulator stops answering mid-run: frozen (SIGSTOP) it must end with an error
 * naming moto and its state within a bound, not hang; dead (SIGKILL) it must say moto died.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { ensurePythonEnv } from './helpers/python-env';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const EMULATOR_TIMEOUT_S = 3;
/** Deadline (3 s) × per-call + transform invocation (2×) + cleanup (5 s SIGTERM grace) + start-up, with room. */
const BOUND_MS = 90_000;

interface Outcome {
  readonly status: number | null;
  readonly output: string;
  readonly msAfterSignal: number;
}

/** Starts a local run, sends `signal` to its moto_server once lines are being put, waits for the run to end. */
function runAndSignalMoto(signal: NodeJS.Signals): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const run: ChildProcess = spawn(
      TSX,
      [path.join(PROJECT_ROOT, 'local', 'run.ts'), '--lines', '20000', '--emulator-timeout', String(EMULATOR_TIMEOUT_S)],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    let motoPid: number | undefined;
    let signalledAt: number | undefined;
    const bound = setTimeout(() => {
      run.kill('SIGKILL');
      if (motoPid) process.kill(motoPid, 'SIGKILL');
      reject(new Error(`npm run local still running ${BOUND_MS / 1000} s after moto got ${signal}: it hangs. Output:\n${output}`));
    }, BOUND_MS * 2);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      motoPid ??= Number(/moto_server \(pid (\d+)\)/.exec(output)?.[1]) || undefined;
      if (motoPid && signalledAt === undefined && /putting [\d,]+ (?:generated )?lines/.test(output)) {
        process.kill(motoPid, signal);
        signalledAt = Date.now();
      }
    };
    run.stdout!.on('data', onData);
    run.stderr!.on('data', onData);
    run.on('close', (status) => {
      clearTimeout(bound);
      // The run kills moto on exit; make sure, since we froze it (SIGKILL reaches a stopped process).
      if (motoPid) {
        try {
          process.kill(motoPid, 'SIGKILL');
        } catch {
          // already gone, as it should be
        }
      }
      resolve({ status, output, msAfterSignal: signalledAt === undefined ? Number.NaN : Date.now() - signalledAt });
    });
  });
}

beforeAll(() => ensurePythonEnv());

test('a frozen emulator (SIGSTOP) ends the run with an error naming moto as stopped, within the bound', async () => {
  const { status, output, msAfterSignal } = await runAndSignalMoto('SIGSTOP');
  expect(status).toBe(1);
  expect(msAfterSignal).toBeLessThan(BOUND_MS);
  expect(output).toMatch(
    /moto_server \(pid \d+, http:\/\/127\.0\.0\.1:\d+\) did not answer (Kinesis|S3) \w+ within 3 s: it is stopped \(frozen by SIGSTOP/,
  );
  expect(output).toContain('LOCAL RUN FAILED');
  expect(output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
});

test('a dead emulator (SIGKILL) is reported as dead, not as a bare ECONNREFUSED', async () => {
  const { status, output } = await runAndSignalMoto('SIGKILL');
  expect(status).toBe(1);
  expect(output).toMatch(
    /moto_server \(pid \d+, http:\/\/127\.0\.0\.1:\d+\) is dead \(killed by SIGKILL\): (Kinesis|S3) \w+ could not be served/,
  );
  expect(output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
});
