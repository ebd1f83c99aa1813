/**
 * `npm run local -- --logs PATH` and `npm run query` as a user runs them, on real software (moto, a Kafka
 * broker, the bundled Lambdas, local Spark), in a run folder of their own (--dir):
 *   - the user's files (a glob over two folders, one file with CRLF line ends, one line of Latin-1 bytes, one
 *     line no parser knows) go through both paths and every line is accounted for, per format;
 *   - with the README's own formats (--formats examples/formats/hdfs-apache-error.json), an HDFS line and an
 *     Apache error line are parsed under those names on both paths, shown in the samples and counted by query;
 *   - the Kinesis records are packed as the agent packs them (issue 17's 5 KiB average record);
 *   - the Latin-1 line lands under errors/ on both paths, as the generator's malformed lines do;
 *   - the summary ends with records of each format as they landed;
 *   - `npm run query` counts the curated rows per format and runs a saved query over raw, by name;
 *   - a Glue run that fails names the exception and the log file, not a stack tail.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateLogLines } from '../../generator/log-lines';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { ensurePythonEnv } from './helpers/python-env';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
let dir: string;
let logs: string;

beforeAll(() => {
  ensurePythonEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-run-logs-'));
  logs = path.join(dir, 'my-logs');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: readonly string[]) {
  const result = spawnSync(TSX, [path.join(PROJECT_ROOT, script), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 540_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

test('your own files through both paths, accounted per format; the records shown and queryable', () => {
  const generated = generateLogLines({ count: 300, seed: 7 });
  const expected: Record<string, number> = {};
  for (const { format } of generated) expected[format] = (expected[format] ?? 0) + 1;
  const hdfs = '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating';
  const apacheError = '[Sun Dec 06 03:15:44 2026] [error] [client 198.51.100.23] Directory index forbidden by rule: /srv/www/';
  const unknown = 'no parser knows this line, not even the formats file';
  const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe, 0x20, 0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31]);
  fs.mkdirSync(path.join(logs, 'web'), { recursive: true });
  fs.mkdirSync(path.join(logs, 'app'), { recursive: true });
  fs.writeFileSync(
    path.join(logs, 'web', 'first.log'),
    `${generated
      .slice(0, 150)
      .map((g) => g.line)
      .join('\r\n')}\r\n\r\n`,
  );
  fs.writeFileSync(
    path.join(logs, 'app', 'second.log'),
    Buffer.concat([
      Buffer.from(
        `${generated
          .slice(150)
          .map((g) => g.line)
          .join('\n')}\n${hdfs}\n${apacheError}\n${unknown}\n`,
      ),
      latin1,
      Buffer.from('\n'),
    ]),
  );
  fs.writeFileSync(path.join(logs, 'app', 'ignored.txt'), 'not matched by the glob\n');

  const formatsFile = path.join(PROJECT_ROOT, 'examples', 'formats', 'hdfs-apache-error.json');
  const local = run('local/run.ts', ['--logs', path.join(logs, '**/*.log'), '--formats', formatsFile, '--dir', dir]);
  expect(local.output).toContain('local run OK');
  expect(local.status).toBe(0);
  // 300 generated + the HDFS, Apache error, unknown and Latin-1 lines; the blank line and ignored.txt are not lines sent.
  const sent = 304;
  const kinesis = local.stdout.slice(local.stdout.indexOf('── kinesis'), local.stdout.indexOf('── kafka'));
  const kafka = local.stdout.slice(local.stdout.indexOf('── kafka'), local.stdout.indexOf('── glue'));
  expect(kinesis).toMatch(new RegExp(`lines in +${sent} \\([\\d.]+ KiB from --logs `));
  expect(kinesis).toContain(`accounted for       ${sent} of ${sent} lines (nothing lost)`);
  // Packed as the agent packs them (no --lines-per-record): records of at least 5 KiB on average.
  const packed = new RegExp(
    `kinesis records +(\\d+) records, ${sent} lines, average record ([\\d.]+) KiB \\(packed as the agent packs them`,
  ).exec(kinesis);
  expect(packed).not.toBeNull();
  expect(Number(packed![1])).toBeLessThan(sent / 10);
  expect(Number(packed![2])).toBeGreaterThanOrEqual(5);
  expect(kafka).toContain(`accounted for       ${sent} of ${sent} lines (nothing lost)`);
  // Per format as the parsers found them: the generated lines by their format, the HDFS and Apache error
  // lines by the formats file's names, the unknown line unparsed.
  const found: Record<string, number> = { ...expected, hdfs: 1, apache_error: 1 };
  const parsed = Object.keys(found)
    .sort()
    .map((f) => `${f} ${found[f]}`);
  expect(kinesis).toContain(`per format          ${[...parsed, 'unparsed 1'].join(', ')}`);
  const kafkaFormats = Object.entries({ ...found, unparsed: 1 }).sort(([a], [b]) => (a < b ? -1 : 1));
  expect(kafka).toContain(`records out         ${sent - 1} (${kafkaFormats.map(([f, n]) => `${f} ${n}`).join(', ')})`);
  // The Latin-1 line under errors/ on both paths.
  expect(kinesis).toContain('failed (errors/)    1 lines');
  expect(kafka).toContain('failed (errors/)    1 records kept with their bytes (invalid-utf8 1)');
  // The records as they landed, each format, as JSON.
  const samples = local.stdout.slice(local.stdout.indexOf('── samples'));
  for (const format of [...Object.keys(found), 'unparsed']) expect(samples).toContain(`  ${format}:\n    {"event_id":"`);
  // The hdfs section: its sample lines, up to the next format's heading.
  const hdfsSample = samples.split('\n  hdfs:\n')[1]?.split(/\n {2}(?! )/)[0] ?? '';
  expect(hdfsSample).toContain('"format":"hdfs"');
  expect(hdfsSample).toContain('"block":"blk_38865049064139660"');
  expect(samples).toContain(JSON.stringify(unknown));
  expect(fs.existsSync(path.join(dir, 'glue.log'))).toBe(true);
  expect(fs.existsSync(path.join(dir, 'run.lock'))).toBe(false);

  const counts = run('local/query.ts', ['--dir', dir, 'SELECT format, count(*) AS n FROM curated GROUP BY format ORDER BY format']);
  expect(counts.status).toBe(0);
  const rows = Object.fromEntries([...counts.stdout.matchAll(/^(\w+) +\| (\d+)$/gm)].map(([, format, n]) => [format, Number(n)]));
  // Both paths curated: twice each format, the formats file's included.
  expect(rows).toEqual(Object.fromEntries([...Object.entries(found), ['unparsed', 1] as const].map(([f, n]) => [f, 2 * Number(n)])));
  expect(rows.hdfs).toBe(2);
  expect(counts.stdout).toMatch(/\((\d+) rows\)\s*$/);

  const arrivals = run('local/query.ts', ['--dir', dir, 'raw-arrivals-today']);
  expect(arrivals.status).toBe(0);
  expect(arrivals.stdout).toMatch(/^source +\| format +\| events +\| last_ingested_at$/m);
  expect(arrivals.stdout).toMatch(/^kafka +\| unparsed +\| 1 +\| \d{4}-\d{2}-\d{2}T/m);
  expect(arrivals.stdout).toMatch(/^kinesis +\| unparsed +\| 1 +\| \d{4}-\d{2}-\d{2}T/m);

  const bad = run('local/query.ts', ['--dir', dir, 'SELECT no_such_column FROM curated']);
  expect(bad.status).toBe(1);
  expect(bad.output).toMatch(/npm run query: Spark could not run the query: AnalysisException: .*no_such_column/);
});

test('a Glue run that fails names the Python exception and its message, and keeps the full output', () => {
  const lake = path.join(dir, 'broken-lake');
  const object = path.join(lake, 'raw', 'source=kinesis', 'dt=2026-01-01', 'not-gzip.gz');
  fs.mkdirSync(path.dirname(object), { recursive: true });
  fs.writeFileSync(object, 'this is not gzip data\n');
  const python = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');
  const result = spawnSync(python, [path.join(PROJECT_ROOT, 'glue', 'local', 'run_local.py'), '--lake', lake], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  expect(result.status).toBe(1);
  const last = JSON.parse(result.stdout.trim().split('\n').pop()!) as { error_type: string; error: string };
  expect(last.error_type).toMatch(/^\w+( \([\w.$]+\))?$/);
  expect(last.error.length).toBeGreaterThan(0);
  expect(last.error).not.toMatch(/^\s*at /);
  expect(result.stderr).toContain('Traceback');
});
