/**
 * `npm run local` as a user runs it (tsx local/run.ts), for the cases that must fail fast and say why:
 * a --lines-per-record too large for a Kinesis record, a second run in the same folder, --logs that name
 * nothing or hold a line no record can carry, and a machine without Java on PATH.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { pathWithout } from '../helpers/path-without';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

function runLocal(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(TSX, [path.join(PROJECT_ROOT, 'local', 'run.ts'), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('npm run local: fails fast with a clear message', () => {
  test('--lines-per-record too large for one Kinesis record is a usage error naming the option and the limit', () => {
    const { status, output } = runLocal(['--lines', '20000', '--lines-per-record', '20000']);
    expect(status).toBe(2);
    expect(output).toMatch(
      /--lines-per-record 20000 packs up to [\d,]+ bytes into one Kinesis record; a record holds at most 1,048,576 bytes \(1 MiB\)/,
    );
    expect(output).toMatch(/--lines-per-record \d+ or less always fits/);
    expect(output).not.toMatch(/RangeError|\n\s+at /);
  });

  test('--kafka-batch-size above the mapping maximum is a usage error naming the limit', () => {
    const { status, output } = runLocal(['--kafka-batch-size', '20000']);
    expect(status).toBe(2);
    expect(output).toContain("--kafka-batch-size is at most 10000 (the mapping's maximum), got 20000");
  });

  test("a second run in the same folder refuses at once, naming the first run's PID and how to run both", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'second-run-'));
    const first = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(
        path.join(dir, 'run.lock'),
        JSON.stringify({ pid: first.pid, startedAt: '2026-12-06T03:00:00Z', command: 'npm run local -- --keep' }),
      );
      const started = Date.now();
      const { status, output } = runLocal(['--dir', dir]);
      expect(status).toBe(1);
      expect(output).toContain(
        `npm run local: another local run (pid ${first.pid}, started 2026-12-06T03:00:00Z: npm run local -- --keep)`,
      );
      expect(output).toContain('npm run local -- --dir .local-2');
      // At once: nothing checked, installed or started.
      expect(output).not.toMatch(/check-java|python-env|moto_server/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      first.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--logs naming no file, or a line no Kinesis record holds, is a usage error naming the file and line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logs-usage-'));
    try {
      const missing = runLocal(['--dir', dir, '--logs', path.join(dir, 'nope.log')]);
      expect(missing.status).toBe(2);
      expect(missing.output).toContain(`--logs ${path.join(dir, 'nope.log')}: no such file or folder`);
      const file = path.join(dir, 'huge.log');
      fs.writeFileSync(
        file,
        `ok

${'x'.repeat(1_100_000)}
`,
      );
      const huge = runLocal(['--dir', dir, '--logs', file]);
      expect(huge.status).toBe(2);
      expect(huge.output).toMatch(/line 3 of .*huge\.log is 1,100,000 bytes; a Kinesis record holds at most 1,048,556 bytes/);
      const generatorOnly = runLocal(['--dir', dir, '--logs', file, '--lines', '10']);
      expect(generatorOnly.status).toBe(2);
      expect(generatorOnly.output).toContain('with --logs, the files are sent as they are');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without Java on PATH it says Java 17 is needed and what to install, before starting anything', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-java-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithout('java', dir) };
      delete env.JAVA_HOME;
      expect(spawnSync('java', ['-version'], { env }).error).toBeDefined();
      const { status, output } = runLocal([], env);
      expect(status).toBe(1);
      expect(output).toMatch(/java: Java 17 is needed \(Spark runs the Glue job's transform on it, and the Kafka broker\)/);
      expect(output).toContain('sudo apt-get install -y openjdk-17-jre-headless');
      // Nothing else ran: no Python install, no emulator, no Spark traceback.
      expect(output).not.toMatch(/python-env|moto_server|JAVA_GATEWAY_EXITED/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
