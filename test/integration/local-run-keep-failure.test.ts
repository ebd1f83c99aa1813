/**
 * `npm run local -- --keep` when a step fails: the failure is printed at once, before the "still running"
 * listing (not after Ctrl-C); the failing Glue step names the Python exception and its log file; a service
 * that stops while kept is reported when it stops; Ctrl-C then ends the run with exit 1.
 * The Glue step is made to fail for real: spark-submit refuses an unknown option (PYSPARK_SUBMIT_ARGS), so
 * the JVM gateway exits before Spark starts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startLocalRun } from './helpers/local-run-process';
import { ensurePythonEnv } from './helpers/python-env';

let dir: string;

beforeAll(() => {
  ensurePythonEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-keep-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('--keep: a failure is reported at once; a service that dies while kept is named; Ctrl-C ends with exit 1', async () => {
  const run = startLocalRun(['--lines', '200', '--dir', dir, '--keep'], { PYSPARK_SUBMIT_ARGS: '--no-such-option pyspark-shell' });
  try {
    const brokerLine = await run.waitFor(/Kafka broker \(pid (\d+)\) on 127\.0\.0\.1:\d+/, 480_000);
    // The failure came first, with the exception and the log file, while the services still run.
    const output = run.output();
    const failedAt = output.indexOf('LOCAL RUN FAILED');
    expect(failedAt).toBeGreaterThanOrEqual(0);
    expect(failedAt).toBeLessThan(output.indexOf('still running (--keep)'));
    expect(output).toMatch(/✗ glue: the Glue job's batch failed with \w+[^:]*: .+ \(Spark's full output: .*glue\.log\)/);
    expect(fs.readFileSync(path.join(dir, 'glue.log'), 'utf8')).toContain('--no-such-option');

    // The broker dies while kept: named when it happens.
    process.kill(Number(brokerLine[1]), 'SIGKILL');
    await run.waitFor(new RegExp(`✗ Kafka broker \\(pid ${brokerLine[1]}\\) stopped while kept: exited; its log: `), 30_000);

    run.signal('SIGINT');
    expect(await run.exited).toBe(1);
    expect(fs.existsSync(path.join(dir, 'run.lock'))).toBe(false);
  } finally {
    run.killAll();
  }
});
