import * as zlib from 'node:zlib';
import { deliverRows, planRows, rowOf, type RowErrorRecord, type RowObject, type RowPlan } from '../../lambda/realtime-rows/rows';
import { mskEvent, TIMESTAMP_MS } from './helpers/msk-events';

/** Rows as analytics/flink Rows.java writes them (Jackson: compact, `kind` first). */
const WINDOW = JSON.stringify({
  kind: 'window',
  window_start: '2026-11-25T11:51:00.000Z',
  window_end: '2026-11-25T11:52:00.000Z',
  dimension: 'route',
  key: '/api',
  records: 328,
  requests: 328,
  status_2xx: 182,
  status_3xx: 30,
  status_4xx: 29,
  status_5xx: 87,
  share_5xx: 0.2652439024390244,
  severity_records: 0,
  error_severity: 0,
  error_share: null,
  bytes_p50: 18778,
  bytes_p90: 120000,
  bytes_p99: 232548,
  top_paths_by_requests: [{ path: '/api/checkout', requests: 120 }],
  top_paths_by_5xx: [{ path: '/api/checkout', status_5xx: 80 }],
});
const BURST = JSON.stringify({
  kind: 'burst',
  window_start: '2026-11-25T11:51:00.000Z',
  window_end: '2026-11-25T11:52:00.000Z',
  dimension: 'host',
  key: 'web-1',
  requests: 328,
  status_5xx: 87,
  share_5xx: 0.2652439024390244,
  quiet_until: '2026-11-25T11:57:00.000Z',
});
const LATE = JSON.stringify({
  kind: 'late',
  window_start: '2026-11-25T10:59:00.000Z',
  window_end: '2026-11-25T11:00:00.000Z',
  timestamp: '2026-11-25T10:59:30.000Z',
  event_id: 'a'.repeat(32),
  status: null,
  watermark: '2026-11-25T11:52:10.000Z',
});
const INVALID = JSON.stringify({ kind: 'invalid', reason: 'not JSON' });

function linesOf(object: RowObject): unknown[] {
  return zlib
    .gunzipSync(object.body)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

function objects(plan: RowPlan): RowObject[] {
  return plan.partitions.flatMap((p) => p.groups.flatMap((g) => g.objects));
}

describe('planRows', () => {
  test('each kind under realtime/kind=/dt=/hour= of its window start; an invalid row at its message time; the rows as written', () => {
    const plan = planRows(mskEvent({ 'log-analytics-0': [{ value: WINDOW }, { value: BURST }, { value: LATE }, { value: INVALID }] }));
    expect(objects(plan).map((o) => [o.key, o.kind, o.lines])).toEqual([
      ['realtime/kind=window/dt=2026-11-25/hour=11/log-analytics-0-100.gz', 'rows', 1],
      ['realtime/kind=burst/dt=2026-11-25/hour=11/log-analytics-0-101.gz', 'rows', 1],
      ['realtime/kind=late/dt=2026-11-25/hour=10/log-analytics-0-102.gz', 'rows', 1],
      // TIMESTAMP_MS + offset: 2026-11-25T11:52:40.103Z
      ['realtime/kind=invalid/dt=2026-11-25/hour=11/log-analytics-0-103.gz', 'rows', 1],
    ]);
    expect(objects(plan).map((o) => zlib.gunzipSync(o.body).toString('utf8'))).toEqual([WINDOW, BURST, LATE, INVALID].map((r) => `${r}\n`));
    expect(plan.stats).toMatchObject({ records: 4, rows: 4, rowsByKind: { window: 1, burst: 1, late: 1, invalid: 1 }, failedRecords: 0 });
  });

  test("consecutive rows of one prefix share an object named by the group's first offset, with the offsets in its metadata", () => {
    const other = WINDOW.replace('"key":"/api"', '"key":"/static"');
    const nextHour = WINDOW.replace('2026-11-25T11:51:00.000Z', '2026-11-25T12:00:00.000Z');
    const plan = planRows(mskEvent({ 'log-analytics-0': [{ value: WINDOW }, { value: null }, { value: other }, { value: nextHour }] }, 7));
    expect(plan.partitions[0].groups.map((g) => [g.firstOffset, g.lastOffset, g.records, g.objects.map((o) => o.key)])).toEqual([
      [7, 9, 3, ['realtime/kind=window/dt=2026-11-25/hour=11/log-analytics-0-7.gz']],
      [10, 10, 1, ['realtime/kind=window/dt=2026-11-25/hour=12/log-analytics-0-10.gz']],
    ]);
    expect(objects(plan)[0].metadata).toEqual({ 'first-offset': '7', 'last-offset': '9', records: '3' });
    expect(linesOf(objects(plan)[0])).toEqual([JSON.parse(WINDOW), JSON.parse(other)]);
    expect(plan.partitions[0].outcomes[1]).toEqual({ kind: 'dropped', reason: 'null-value' });
  });

  test("a retry from a group's first offset writes the same keys, whatever the batch size", () => {
    const values = [WINDOW, WINDOW, LATE, WINDOW, BURST];
    const full = planRows(mskEvent({ 'log-analytics-0': values.map((value) => ({ value })) }, 100));
    const retry = planRows(mskEvent({ 'log-analytics-0': values.slice(2).map((value) => ({ value })) }, 102));
    const shorter = planRows(mskEvent({ 'log-analytics-0': values.slice(2, 4).map((value) => ({ value })) }, 102));
    expect(objects(retry).map((o) => o.key)).toEqual(
      objects(full)
        .slice(1)
        .map((o) => o.key),
    );
    expect(objects(shorter).map((o) => o.key)).toEqual(
      objects(full)
        .slice(1, 3)
        .map((o) => o.key),
    );
  });

  test('a pretty-printed row is kept as one JSON line', () => {
    const pretty = JSON.stringify(JSON.parse(BURST), null, 2);
    const [object] = objects(planRows(mskEvent({ 'log-analytics-0': [{ value: pretty }] })));
    expect(zlib.gunzipSync(object.body).toString('utf8')).toBe(`${BURST}\n`);
  });

  test('messages that are not rows go under errors/realtime-rows-failed/ with their original bytes and why', () => {
    const notUtf8 = Buffer.from([0x7b, 0xc3, 0x28, 0x7d]);
    const plan = planRows(
      mskEvent({
        'log-analytics-1': [
          { value: 'not json' },
          { value: notUtf8 },
          { value: '', base64: 'not base64!' },
          { value: '[1,2]' },
          { value: '{"kind":"minute"}' },
          { value: WINDOW.replace('"records":328', '"records":"328"') },
          { value: WINDOW.replace('"window_start":"2026-11-25T11:51:00.000Z",', '') },
          { value: WINDOW.replace('2026-11-25T11:51:00.000Z', '2026-11-25 11:51') },
          { value: WINDOW.replace('{"path":"/api/checkout","requests":120}', '{"path":"/api/checkout","status_5xx":120}') },
          { value: WINDOW },
        ],
      }),
    );
    const [errors, rows] = objects(plan);
    expect(errors.key).toBe('errors/realtime-rows-failed/dt=2026-11-25/log-analytics-1-100.gz');
    expect(errors.kind).toBe('error');
    expect(rows.key).toBe('realtime/kind=window/dt=2026-11-25/hour=11/log-analytics-1-109.gz');
    const lines = linesOf(errors) as RowErrorRecord[];
    expect(lines.map((l) => l.errorCode)).toEqual([
      'invalid-json',
      'invalid-utf8',
      'invalid-base64',
      'invalid-row',
      'invalid-row',
      'invalid-row',
      'invalid-row',
      'invalid-row',
      'invalid-row',
    ]);
    expect(lines[0]).toMatchObject({
      source: 'kafka',
      partitionKey: 'log-analytics-1',
      topic: 'log-analytics',
      partition: 1,
      offset: 100,
      timestamp: TIMESTAMP_MS + 100,
      rawData: Buffer.from('not json').toString('base64'),
    });
    expect(Buffer.from(lines[1].rawData, 'base64')).toEqual(notUtf8);
    expect(Buffer.from(lines[2].rawData, 'base64').toString('utf8')).toBe('not base64!');
    expect(lines.slice(3).map((l) => l.errorMessage.replace(/^[^:]*: /, ''))).toEqual([
      'a row is a JSON object, not an array',
      'field \'kind\' must be one of window, burst, late, invalid (got "minute")',
      'field \'records\' must be an integer (got "328")',
      "a window row needs 'window_start', the start of its window",
      'field \'window_start\' must be a UTC instant like 2026-01-01T00:00:00.000Z (got "2026-11-25 11:51")',
      'field \'top_paths_by_requests\' must be a list of {"path": text, "requests": integer} (got [{"path":"/api/checkout","status_5xx":120}])',
    ]);
    expect(plan.stats).toMatchObject({ records: 10, rows: 1, failedRecords: 9, failedByReason: { 'invalid-row': 6 } });
  });

  test('a record without an offset, or not an object, is kept as it came (malformed-record); a bad event is no partitions', () => {
    const event = mskEvent({ 'log-analytics-0': [{ value: WINDOW }] });
    const records = event.records['log-analytics-0'] as unknown[];
    records.push({ ...(records[0] as object), offset: -1 }, 'junk');
    // 'junk' has no timestamp either: the clock dates it.
    const plan = planRows(event, { now: () => TIMESTAMP_MS });
    expect(plan.partitions[0].outcomes.map((o) => (o.kind === 'failed' ? o.reason : o.kind))).toEqual([
      'row',
      'malformed-record',
      'malformed-record',
    ]);
    const errors = objects(plan)[1];
    expect(errors.key).toMatch(/^errors\/realtime-rows-failed\/dt=2026-11-25\/log-analytics-0-malformed-[0-9a-f]{16}\.gz$/);
    expect(Buffer.from((linesOf(errors)[1] as RowErrorRecord).rawData, 'base64').toString('utf8')).toBe('"junk"');
    expect(planRows(null).partitions).toEqual([]);
    expect(planRows({ records: { 'log-analytics-0': 'x' } }).stats.malformedPartitions).toBe(1);
  });

  test('rowOf accepts every field null or absent but kind and a window start', () => {
    expect(rowOf({ kind: 'window', window_start: '2026-11-25T11:51:00.000Z', share_5xx: null, top_paths_by_5xx: [] })).toEqual({
      kind: 'window',
      windowStartMs: Date.UTC(2026, 10, 25, 11, 51),
    });
    expect(rowOf({ kind: 'invalid' })).toEqual({ kind: 'invalid', windowStartMs: null });
  });
});

describe('deliverRows', () => {
  const event = mskEvent({
    'log-analytics-0': [{ value: WINDOW }, { value: LATE }, { value: BURST }],
    'log-analytics-1': [{ value: WINDOW }, { value: 'not json' }],
  });

  test('writes every object and reports no failures', async () => {
    const written: string[] = [];
    const outcome = await deliverRows(planRows(event), async (object) => {
      written.push(object.key);
    });
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(written.sort()).toEqual(
      [
        'realtime/kind=window/dt=2026-11-25/hour=11/log-analytics-0-100.gz',
        'realtime/kind=late/dt=2026-11-25/hour=10/log-analytics-0-101.gz',
        'realtime/kind=burst/dt=2026-11-25/hour=11/log-analytics-0-102.gz',
        'realtime/kind=window/dt=2026-11-25/hour=11/log-analytics-1-100.gz',
        'errors/realtime-rows-failed/dt=2026-11-25/log-analytics-1-101.gz',
      ].sort(),
    );
  });

  test("an S3 failure stops that partition and names the failed group's first offset; the other partition is written", async () => {
    const written: string[] = [];
    const outcome = await deliverRows(planRows(event), async (object) => {
      if (object.key.includes('kind=late')) throw new Error('SlowDown');
      written.push(object.key);
    });
    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: 'log-analytics-0', offset: 101 } }] });
    expect(outcome.recordsToRetry).toBe(2);
    expect(written).not.toContain('realtime/kind=burst/dt=2026-11-25/hour=11/log-analytics-0-102.gz');
    expect(written).toContain('realtime/kind=window/dt=2026-11-25/hour=11/log-analytics-0-100.gz');
    expect(written).toContain('errors/realtime-rows-failed/dt=2026-11-25/log-analytics-1-101.gz');
  });
});
