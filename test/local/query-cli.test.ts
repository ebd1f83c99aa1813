/**
 * `npm run query`'s own parts: what it takes on its command line (SQL, or a saved query of the workgroup by
 * name), how it prints rows, and how it refuses when there is nothing to query or a run is writing it.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { savedQueries } from '../../lib/constructs/analytics/lake-catalog';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { LOCAL_SAVED_QUERIES, parseQueryArgs, QueryUsageError, renderTable } from '../../local/query';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

test("every saved query of the workgroup is known by name, with the workgroup's SQL over the local tables", () => {
  const deployed = savedQueries('db', 'curated_t', 'raw_t');
  expect(LOCAL_SAVED_QUERIES.map((q) => q.name)).toEqual(deployed.map((q) => q.name));
  for (const query of LOCAL_SAVED_QUERIES) {
    const request = parseQueryArgs([query.name]);
    expect(request.saved).toBe(query.name);
    expect(request.sql).toBe(
      deployed
        .find((q) => q.name === query.name)!
        .sql.replace(/"db"\."curated_t"/g, '"default"."curated"')
        .replace(/"db"\."raw_t"/g, '"default"."raw"'),
    );
  }
});

test('SQL is taken as written; a word that is no saved query, no query, or two arguments are usage errors', () => {
  expect(parseQueryArgs(['SELECT 1', '--dir', '/tmp/x'])).toEqual({ sql: 'SELECT 1', saved: undefined, dir: '/tmp/x' });
  expect(() => parseQueryArgs(['top-path'])).toThrow(
    new QueryUsageError("'top-path' is not a saved query (status-codes-per-minute, top-paths, errors-by-host, raw-arrivals-today) nor SQL"),
  );
  expect(() => parseQueryArgs([])).toThrow(/give a query/);
  expect(() => parseQueryArgs(['SELECT', '1'])).toThrow(/put the SQL in quotes \(got 2 arguments\)/);
  expect(() => parseQueryArgs(['--limit', '3'])).toThrow(/unknown option '--limit'/);
});

test('rows print as an aligned table, NULL as NULL, with the row count', () => {
  expect(
    renderTable({
      columns: ['format', 'n'],
      rows: [
        ['json', '12'],
        ['syslog_rfc5424', null],
      ],
    }),
  ).toBe(['format         | n', '---------------+-----', 'json           | 12', 'syslog_rfc5424 | NULL', '(2 rows)'].join('\n'));
  expect(renderTable({ columns: ['x'], rows: [] })).toBe(['x', '-', '(0 rows)'].join('\n'));
});

describe('npm run query refuses before starting Spark', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'query-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const query = () => {
    const run = spawnSync(TSX, [path.join(PROJECT_ROOT, 'local', 'query.ts'), '--dir', dir, 'top-paths'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  };

  test('when no run left tables in the folder', () => {
    const { status, output } = query();
    expect(status).toBe(1);
    expect(output).toContain("no local run's tables in");
    expect(output).toContain(`run npm run local -- --dir ${dir} first`);
  });

  test('while a run is writing the folder', () => {
    const run = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(
        path.join(dir, 'run.lock'),
        JSON.stringify({ pid: run.pid, startedAt: '2026-12-06T03:00:00Z', command: 'npm run local' }),
      );
      const { status, output } = query();
      expect(status).toBe(1);
      expect(output).toContain(`another local run (pid ${run.pid}`);
      expect(output).toContain('query when it has ended');
      // A run kept alive (--keep) has written its lake: the query goes on (here to the missing tables).
      fs.writeFileSync(
        path.join(dir, 'run.lock'),
        JSON.stringify({ pid: run.pid, startedAt: '2026-12-06T03:00:00Z', command: 'npm run local -- --keep', phase: 'kept' }),
      );
      expect(query().output).toContain("no local run's tables in");
    } finally {
      run.kill('SIGKILL');
    }
  });
});
