/**
 * `npm run local` when the emulator stops answering mid-run: frozen (SIGSTOP) it must end with an error
 * naming moto and its state within a bound, not hang; dead (SIGKILL) it must say moto died.
 */
import { startLocalRun } from './helpers/local-run-process';
import { ensurePythonEnv } from './helpers/python-env';

const EMULATOR_TIMEOUT_S = 3;
/** Deadline (3 s) × per-call + transform invocation (2×) + cleanup (5 s SIGTERM grace) + start-up, with room. */
const BOUND_MS = 90_000;

interface Outcome {
  readonly status: number | null;
  readonly output: string;
  readonly msAfterSignal: number;
}

/** Starts a local run, sends `signal` to its moto_server once lines are being put, waits for the run to end. */
async function runAndSignalMoto(signal: NodeJS.Signals): Promise<Outcome> {
  const run = startLocalRun(['--lines', '20000', '--emulator-timeout', String(EMULATOR_TIMEOUT_S)]);
  try {
    const motoPid = Number((await run.waitFor(/moto_server \(pid (\d+)\)/, 300_000))[1]);
    await run.waitFor(/putting [\d,]+ (?:generated )?lines/, 300_000);
    process.kill(motoPid, signal);
    const signalledAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([
      run.exited,
      new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(
            () =>
              reject(
                new Error(
                  `npm run local still running ${(BOUND_MS * 2) / 1000} s after moto got ${signal}: it hangs. Output:\n${run.output()}`,
                ),
              ),
            BOUND_MS * 2,
          )),
      ),
    ]).finally(() => clearTimeout(timer));
    return { status, output: run.output(), msAfterSignal: Date.now() - signalledAt };
  } finally {
    // The run kills moto on exit; make sure, since we may have frozen it (SIGKILL reaches a stopped process).
    run.killAll();
  }
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
