import * as fs from 'node:fs';
import * as path from 'node:path';
import { STAGE_CONFIGS } from '../../lib/config';
import { PRICES } from '../../ops/cost/prices';
import { explainAwsError } from '../../ops/verify/aws-errors';
import { verify } from '../../ops/verify/cli';
import {
  athenaQueryDone,
  athenaRows,
  CURATED_QUERY_COLUMNS,
  curatedMarkerQuery,
  curatedRecords,
  glueRunDone,
  sqlIdentifier,
  sqlString,
} from '../../ops/verify/curated';
import { judgeCurated, makeMarkers, markerOf, matchCuratedMarkers, type PathVerdict } from '../../ops/verify/markers';
import { UsageError } from '../../lib/cli/args';
import { curatedHours } from '../../contracts/lake-layout';

const now = new Date('2026-12-01T10:00:00.000Z');
const runId = '20261201100000-abc123';
const table = { database: 'logpipelinedevdb', table: 'curated_logs' };
const rawOk = (path: 'kinesis' | 'kafka'): PathVerdict => ({ path, ok: true, summary: '', problems: [] });

describe('the curated query', () => {
  test('reads the markers of one run from the hours they can be in, every name quoted', () => {
    const hours = curatedHours(Date.parse('2026-12-01T23:58:00Z'), Date.parse('2026-12-02T01:03:00Z'));
    expect(curatedMarkerQuery(table, runId, hours)).toBe(
      [
        'SELECT "event_id", "source", "dt", "hour", "format", "message"',
        'FROM "logpipelinedevdb"."curated_logs"',
        `WHERE (("dt" = '2026-12-01' AND "hour" IN ('23')) OR ("dt" = '2026-12-02' AND "hour" IN ('00', '01'))) AND "message" LIKE 'log-pipeline-verify run=${runId} path=%'`,
        'ORDER BY "source", "message"',
      ].join('\n'),
    );
  });

  test('refuses anything that could leave its quoting, instead of escaping it', () => {
    const hour = [{ dt: '2026-12-01', hour: '10' }];
    expect(() => curatedMarkerQuery(table, "x' OR '1'='1", hour)).toThrow(/run id/);
    expect(() => curatedMarkerQuery({ ...table, table: 'curated"; DROP TABLE x; --' }, runId, hour)).toThrow(/not a Glue\/Athena name/);
    expect(() => curatedMarkerQuery(table, runId, [{ dt: "2026-12-01') OR ('1", hour: '10' }])).toThrow(/not a curated hour partition/);
    expect(() => curatedMarkerQuery(table, runId, [{ dt: '2026-12-01', hour: '24' }])).toThrow(
      /not a curated hour partition: dt '2026-12-01', hour '24'/,
    );
    expect(() => curatedMarkerQuery(table, runId, [])).toThrow(/no curated hour partition/);
    expect(() => sqlString("it's")).toThrow(/refusing/);
    expect(() => sqlString('back\\slash')).toThrow(/refusing/);
    expect(() => sqlIdentifier('')).toThrow(/not a Glue/);
    expect(sqlIdentifier('LogPipeline-dev-Catalog_1')).toBe('"LogPipeline-dev-Catalog_1"');
  });
});

describe('Athena results', () => {
  const metadata = { ColumnInfo: [{ Name: 'source' }, { Name: 'message' }] };
  const row = (...values: (string | undefined)[]) => ({ Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) });

  test('the header row of the first page is skipped; NULLs are left out', () => {
    const first = { ResultSetMetadata: metadata, Rows: [row('source', 'message'), row('kinesis', 'm0'), row('kafka', undefined)] };
    expect(athenaRows(first, true)).toEqual([{ source: 'kinesis', message: 'm0' }, { source: 'kafka' }]);
    // A later page has no header: a row that looks like one is data.
    expect(athenaRows({ ResultSetMetadata: metadata, Rows: [row('source', 'message')] }, false)).toEqual([
      { source: 'source', message: 'message' },
    ]);
    expect(athenaRows({ ResultSetMetadata: metadata, Rows: [row('source', 'message')] }, true)).toEqual([]);
    expect(() => athenaRows({ ResultSetMetadata: metadata, Rows: [row('only one')] }, false)).toThrow(/1 values for 2 columns/);
  });

  test('rows become records named by their partition', () => {
    expect(curatedRecords([{ dt: '2026-12-01', hour: '09', source: 'kafka', message: 'x' }], 5)).toEqual([
      {
        key: 'curated/dt=2026-12-01/hour=09/source=kafka/',
        record: { dt: '2026-12-01', hour: '09', source: 'kafka', message: 'x' },
        landedAtMs: 5,
      },
    ]);
  });

  test('a FAILED or CANCELLED query is an error with its StateChangeReason', () => {
    expect(athenaQueryDone({ Status: { State: 'RUNNING' } })).toBe(false);
    expect(athenaQueryDone({ Status: { State: 'SUCCEEDED' } })).toBe(true);
    expect(() =>
      athenaQueryDone({
        QueryExecutionId: 'q-1',
        Status: { State: 'FAILED', StateChangeReason: "TABLE_NOT_FOUND: line 2:6: Table 'x' does not exist" },
      }),
    ).toThrow("the Athena query q-1 over the curated table ended FAILED: TABLE_NOT_FOUND: line 2:6: Table 'x' does not exist");
    expect(() =>
      athenaQueryDone({
        QueryExecutionId: 'q-2',
        Status: { State: 'CANCELLED', AthenaError: { ErrorMessage: 'Bytes scanned limit was exceeded' } },
      }),
    ).toThrow(/q-2 .* CANCELLED: Bytes scanned limit was exceeded/);
  });
});

describe('the Glue run', () => {
  test('running is not done, SUCCEEDED is; FAILED, TIMEOUT and STOPPED name the job, its error and the runbook', () => {
    expect(glueRunDone('job', { JobRunState: 'RUNNING' })).toBe(false);
    expect(glueRunDone('job', {})).toBe(false);
    expect(glueRunDone('job', { JobRunState: 'SUCCEEDED' })).toBe(true);
    for (const state of ['FAILED', 'TIMEOUT', 'STOPPED']) {
      expect(() =>
        glueRunDone('LogEtlJob-abc', { Id: 'jr_1', JobRunState: state, ErrorMessage: 'AnalysisException: Path does not exist' }),
      ).toThrow(
        new RegExp(
          `^the Glue job LogEtlJob-abc run jr_1 ended ${state}: AnalysisException: Path does not exist\\. Runbook \\(docs/operations\\.md, Alarms: 'Glue job failed'\\): Open the run`,
        ),
      );
    }
  });

  test('a job that does not exist says the stage is not deployed', () => {
    expect(explainAwsError({ name: 'EntityNotFoundException', message: 'Job x not found' }, 'starting the Glue job x').message).toBe(
      'starting the Glue job x: Job x not found — not in this account and region: is the stage deployed (npm run deploy -- -c stage=...)?',
    );
  });
});

describe('the curated verdict', () => {
  const markers = makeMarkers(runId, 'kinesis', 3, now);
  const row = (text: string, source = 'kinesis', format = 'json') => ({
    dt: '2026-12-01',
    hour: '10',
    source,
    format,
    message: text,
    event_id: `e-${text.slice(-1)}`,
  });
  const glueRun = { id: 'jr_1', state: 'SUCCEEDED' };

  test('every marker once, in its own partition: ok, with the time it took', () => {
    const matches = matchCuratedMarkers(markers, curatedRecords(markers.map((m) => row(m.text))));
    expect(judgeCurated({ raw: rawOk('kinesis'), expected: 3, glueRun, matches, quarantined: 0, elapsedMs: 312_400 })).toEqual({
      path: 'kinesis',
      ok: true,
      problems: [],
      summary: 'kinesis (curated): all 3 markers in the curated table once each 312.4 s after they were written (Glue run jr_1)',
    });
    expect(
      judgeCurated({
        raw: rawOk('kinesis'),
        expected: 3,
        glueRun,
        matches,
        quarantined: 1,
        quarantinePrefix: 'quarantine/dt=2026-12-01/run=jr_1/',
      }),
    ).toMatchObject({
      ok: true,
      summary:
        'kinesis (curated): all 3 markers in the curated table once each (Glue run jr_1); 1 quarantined by the run (quarantine/dt=2026-12-01/run=jr_1/)',
    });
  });

  test('missing markers stopped at the Glue run, and the quarantine is named when it holds them', () => {
    const matches = matchCuratedMarkers(markers, curatedRecords([row(markers[0].text)]));
    expect(
      judgeCurated({
        raw: rawOk('kinesis'),
        expected: 3,
        glueRun,
        matches,
        quarantined: 2,
        quarantinePrefix: 'quarantine/dt=2026-12-01/run=jr_1/',
      }),
    ).toMatchObject({
      ok: false,
      stoppedAt: 'the Glue job run (raw/ → curated/)',
      summary:
        'kinesis (curated): 1 of 3 markers in the curated table after the Glue run jr_1; 2 quarantined by the run (quarantine/dt=2026-12-01/run=jr_1/); they stopped at the Glue job run (raw/ → curated/)',
    });
  });

  test('a duplicate or an unparsed row is a problem of the curated table; rows of the other path do not count', () => {
    const rows = [...markers.map((m) => row(m.text)), row(markers[1].text)];
    const matches = matchCuratedMarkers(markers, curatedRecords(rows));
    const verdict = judgeCurated({ raw: rawOk('kinesis'), expected: 3, glueRun, matches, quarantined: 0 });
    expect(verdict).toMatchObject({
      ok: false,
      stoppedAt: 'the curated table (Athena)',
      problems: [`${markers[1].text}: 2 rows in the curated table (the Glue job keeps one per event_id)`],
    });
    // The same line through Kafka is another event in source=kafka: expected, and not this path's row.
    const mixed = matchCuratedMarkers(
      markers,
      curatedRecords([row(markers[0].text, 'kafka'), row(markers[1].text), row(markers[2].text, 'kinesis', 'unparsed')]),
    );
    expect(mixed.map((m) => m.found.length)).toEqual([0, 1, 1]);
    expect(mixed.flatMap((m) => m.problems)).toEqual(["curated/dt=2026-12-01/hour=10/source=kinesis/: format 'unparsed', expected 'json'"]);
  });

  test('earlier stops are named: raw, a run still going, a query that did not finish', () => {
    const rawFailed: PathVerdict = {
      path: 'kafka',
      ok: false,
      stoppedAt: 'the consumer Lambda → lake raw/source=kafka/',
      summary: '',
      problems: [],
    };
    expect(judgeCurated({ raw: rawFailed, expected: 3, quarantined: 0 })).toMatchObject({
      ok: false,
      stoppedAt: 'the consumer Lambda → lake raw/source=kafka/',
      summary:
        'kafka (curated): not checked: the markers did not all reach lake raw/source=kafka/ (they stopped at the consumer Lambda → lake raw/source=kafka/)',
    });
    expect(judgeCurated({ raw: rawOk('kinesis'), expected: 3, glueRun: { id: 'jr_2', state: 'RUNNING' }, quarantined: 0 })).toMatchObject({
      stoppedAt: 'the Glue job run (raw/ → curated/)',
      summary:
        'kinesis (curated): the Glue run jr_2 was still RUNNING when the wait ended; they stopped at the Glue job run (raw/ → curated/)',
    });
    expect(judgeCurated({ raw: rawOk('kinesis'), expected: 3, glueRun, quarantined: 0 }).stoppedAt).toBe('the curated table (Athena)');
  });

  test('a quarantined line is recognised by the raw line it keeps', () => {
    const value = JSON.stringify({ event_id: 'x', message: markers[2].text });
    expect(
      markerOf({ value, source_file: 's3://lake/raw/source=kinesis/dt=2026-12-01/a.gz', reason: 'timestamp: not an instant' }),
    ).toEqual({ runId, path: 'kinesis', seq: 2 });
  });
});

test('--curated-timeout is checked before anything is called, and needs --curated', async () => {
  await expect(verify(['-c', 'stage=dev', '--curated-timeout', '600'])).rejects.toThrow(
    new UsageError('--curated-timeout needs --curated'),
  );
  await expect(verify(['-c', 'stage=dev', '--curated', '--curated-timeout', '5'])).rejects.toThrow(/at least 60 \(got '5'\)/);
});

test("docs/operations.md's cost of --curated follows from the dev stage and the price table", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8').replace(/\s+/g, ' ');
  const analytics = STAGE_CONFIGS.dev.analytics;
  expect([analytics.workerType, analytics.executionClass, analytics.numberOfWorkers]).toEqual(['G.1X', 'FLEX', 2]); // G.1X: 1 DPU a worker
  const perMinute = (analytics.numberOfWorkers * PRICES.glueFlexDpuHour.usd) / 60;
  expect(readme).toContain(`dev: 2 G.1X Flex workers, 2 DPU at $${PRICES.glueFlexDpuHour.usd} per DPU-hour`);
  expect(readme).toContain(`about $${perMinute.toFixed(2)} for each minute it runs`);
  expect(readme).toContain(
    `($${PRICES.athenaTbScanned.usd} per TB scanned, at least 10 MB per query: $${((10 / 1e6) * PRICES.athenaTbScanned.usd).toFixed(5)} for a small lake`,
  );
  expect(CURATED_QUERY_COLUMNS).toHaveLength(6); // "reading six columns"
  expect(readme).toContain('reading six columns');
});
