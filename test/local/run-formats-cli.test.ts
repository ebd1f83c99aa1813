/**
 * `npm run local -- --formats FILE` (tsx local/run.ts): the file is checked as synth checks a stage's
 * formats before anything starts; a broken format is a usage error naming the file, the format and the
 * example.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const EXAMPLE_FILE = path.join('examples', 'formats', 'hdfs-apache-error.json');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-formats-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function runLocal(args: readonly string[]) {
  const run = spawnSync(TSX, [path.join(PROJECT_ROOT, 'local', 'run.ts'), ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test('a format whose example gives other fields is a usage error naming the file, the format and the example', () => {
  const formats = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, EXAMPLE_FILE), 'utf8')) as {
    formats: { examples: { fields: Record<string, unknown> }[] }[];
  };
  formats.formats[1].examples[0].fields.severity = 'err';
  const file = path.join(dir, 'mine.json');
  fs.writeFileSync(file, JSON.stringify(formats));
  const { status, output } = runLocal(['--formats', file]);
  expect(status).toBe(2);
  expect(output).toContain(
    `--formats ${file}:\n  - formats[1] 'apache_error': example 1 ("[Sun Dec 06 03:15:44 2026] [error] [client 198.51.100.23]..."): severity is "error", expected "err"`,
  );
  expect(output).toContain('usage: npm run local');
  expect(output).not.toMatch(/\n\s+at /);
}, 60_000);

test('--formats without a file, or with a missing one, says so', () => {
  expect(runLocal(['--formats'])).toMatchObject({ status: 2, output: expect.stringContaining('--formats needs a JSON file of formats') });
  expect(runLocal(['--formats', path.join(dir, 'none.json')]).output).toMatch(
    /--formats .*none\.json:\n {2}- cannot read it as JSON: ENOENT/,
  );
}, 60_000);

test('the example file passes the check (the run goes on to the next option)', () => {
  const { status, output } = runLocal(['--formats', EXAMPLE_FILE, '--kafka-batch-size', '20000']);
  expect(status).toBe(2);
  expect(output.startsWith('--kafka-batch-size is at most 10000')).toBe(true);
}, 60_000);
