/**
 * The CLI as the demo host runs it: bundled by esbuild into one file, run by plain Node.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { CliUsageError, parseCliArgs } from '../../generator/cli';
import { generateLogLines, LOG_FORMATS } from '../../generator/log-lines';
import { parseLine } from '../../lambda/shared/parsers';

let workDir: string;
let bundle: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'generator-cli-'));
  bundle = path.join(workDir, 'generator.js');
  buildSync({
    entryPoints: [path.join(__dirname, '..', '..', 'generator', 'cli.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    outfile: bundle,
    logLevel: 'error',
  });
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

function run(args: string[]) {
  return spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('parseCliArgs', () => {
  test('defaults: all formats, stdout, 5 lines/s, forever, seed 1', () => {
    expect(parseCliArgs([])).toEqual({ formats: [...LOG_FORMATS], file: undefined, rate: 5, rateGiven: false, count: undefined, seed: 1 });
  });

  test('flags with separate and inline values', () => {
    expect(parseCliArgs(['--format', 'combined,json', '--file=/var/log/demo/a.log', '--rate', '2.5', '--count=10', '--seed', '7'])).toEqual(
      {
        formats: ['combined', 'json'],
        file: '/var/log/demo/a.log',
        rate: 2.5,
        rateGiven: true,
        count: 10,
        seed: 7,
      },
    );
  });

  test.each([
    [['--format', 'apache'], "unknown format 'apache'"],
    [['--rate', '0'], '--rate must be a positive number'],
    [['--count', '-3'], '--count must be a non-negative integer'],
    [['--seed', 'x'], '--seed must be an integer'],
    [['--file'], '--file needs a value'],
    [['--verbose'], "unknown argument '--verbose'"],
  ])('%p → %s', (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(CliUsageError);
    expect(() => parseCliArgs(args)).toThrow(message);
  });
});

describe('bundled CLI', () => {
  test('--count writes that many lines to stdout and exits 0; formats follow the seed', () => {
    const result = run(['--count', '25', '--seed', '4']);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(25);
    const expectedFormats = generateLogLines({ count: 25, seed: 4 }).map((g) => g.format);
    expect(lines.map((line) => parseLine(line, Date.now()).format)).toEqual(expectedFormats);
  });

  test('--file appends, creating the directory', () => {
    const file = path.join(workDir, 'nested', 'dir', 'access.log');
    expect(run(['--format', 'combined', '--file', file, '--count', '5']).status).toBe(0);
    expect(run(['--format', 'combined', '--file', file, '--count', '5', '--seed', '2']).status).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(10);
    expect(lines.every((line) => parseLine(line, Date.now()).format === 'combined')).toBe(true);
  });

  test('runs at the rate until SIGTERM, then exits 0 with whole lines', async () => {
    const file = path.join(workDir, 'rate.log');
    const child = spawn(process.execPath, [bundle, '--rate', '20', '--format', 'syslog_rfc3164', '--file', file]);
    // Start the clock at the first line, not at spawn: on a loaded machine Node's own start can take
    // seconds, and the generator paces from its own start (catching up on timer jitter after that).
    const deadline = Date.now() + 30_000;
    while (!(fs.existsSync(file) && fs.statSync(file).size > 0)) {
      if (Date.now() > deadline) throw new Error('the generator wrote no line in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').filter(Boolean);
    // ~1 s at 20 lines/s after the first line, with room for a busy machine's timers.
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(lines.every((line) => parseLine(line, Date.now()).format === 'syslog_rfc3164')).toBe(true);
  });

  test('--count with --rate paces the lines, then exits', () => {
    const started = Date.now();
    const result = run(['--count', '6', '--rate', '10']);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(6);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  test('bad arguments exit 2 with the reason and the usage on stderr', () => {
    const result = run(['--format', 'apache']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("generator: unknown format 'apache'");
    expect(result.stderr).toContain('usage: generator');
  });

  test('--help prints the usage and exits 0', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('usage: generator');
  });

  test('a closed pipe ends it quietly', () => {
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${bundle}" --count 200000 | head -n 3`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(result.stderr).toBe('');
  });
});
