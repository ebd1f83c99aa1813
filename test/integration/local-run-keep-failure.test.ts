/**
 * `npm run local -- --keep` when a step fails: the failure is printed at once, before the "still running"
 * listing (not after Ctrl-C); the failing Glue step names the Python exception and its log file; a service
 * that stops while kept is reported when it stops; Ctrl-C then ends the run with exit 1.
 * The Glue step is made to fail for real: spark-submit refuses an unknown option (PYSPARK_SUBMIT_ARGS), so
 * the JVM gateway exits before Spark starts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { ensurePythonEnv } from './helpers/python-env';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
let dir: string;

beforeAll(() => {
  ensurePythonEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-keep-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('--keep: a failure is reported at once; a service that dies while kept is named; Ctrl-C ends with exit 1', async () => {
  const child = spawn(TSX, [path.join(PROJECT_ROOT, 'local', 'run.ts'), '--lines', '200', '--dir', dir, '--keep'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PYSPARK_SUBMIT_ARGS: '--no-such-option pyspark-shell' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: Array<{ pattern: RegExp; resolve: (match: RegExpMatchArray) => void }> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      const match = output.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, ms: number) => {
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
  try {
    const brokerLine = await waitFor(/Kafka broker \(pid (\d+)\) on 127\.0\.0\.1:\d+/, 480_000);
    // The failure came first, with the exception and the log file, while the services still run.
    const failedAt = output.indexOf('LOCAL RUN FAILED');
    expect(failedAt).toBeGreaterThanOrEqual(0);
    expect(failedAt).toBeLessThan(output.indexOf('still running (--keep)'));
    expect(output).toMatch(/✗ glue: the Glue job's batch failed with \w+[^:]*: .+ \(Spark's full output: .*glue\.log\)/);
    expect(fs.readFileSync(path.join(dir, 'glue.log'), 'utf8')).toContain('--no-such-option');

    // The broker dies while kept: named when it happens.
    process.kill(Number(brokerLine[1]), 'SIGKILL');
    await waitFor(new RegExp(`✗ Kafka broker \\(pid ${brokerLine[1]}\\) stopped while kept: exited; its log: `), 30_000);

    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(fs.existsSync(path.join(dir, 'run.lock'))).toBe(false);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
