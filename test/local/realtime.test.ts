import { DEFAULT_START } from '../../generator/log-lines';
import { buildCorpus } from '../../local/corpus';
import { BURST_LINES, BURST_MINUTE, withErrorBurst } from '../../local/realtime/burst';
import { compareMinutes, jobMinutes, lakeMinutes, minuteOf, type JobRow } from '../../local/realtime/job';

test('the error burst goes where its minute begins in the corpus: after every generated line before it, before the first of the minute', () => {
  const corpus = buildCorpus({ lines: 2000, linesPerRecord: 1 });
  const lines = withErrorBurst(corpus).map((l) => l.toString('utf8'));
  expect(lines).toHaveLength(2000 + BURST_LINES);
  const first = lines.findIndex((l) => l.includes('"GET /api/checkout HTTP/1.1" 503'));
  expect(lines.slice(first, first + BURST_LINES).every((l) => l.includes('01/Jan/2026:00:02:'))).toBe(true);
  // The generator stamps line i at start + i/10 s: line 1200 is the minute's first, and malformed lines are not counted.
  const generatedBefore = corpus.expected.slice(0, first).filter((e) => e !== 'malformed').length;
  expect(generatedBefore).toBe((BURST_MINUTE.getTime() - DEFAULT_START.getTime()) / 100);
});

test('a minute is its event-time window start, before the epoch too', () => {
  expect(minuteOf('2026-03-01T10:00:59.999Z')).toBe('2026-03-01T10:00:00.000Z');
  expect(minuteOf('1969-12-31T23:59:30.000Z')).toBe('1969-12-31T23:59:00.000Z');
});

test("the job's windows plus its late records must equal the lake's minute by minute, or each difference is named", () => {
  const lake = lakeMinutes([
    { partition: 0, record: { timestamp: '2026-03-01T10:00:01.000Z', status: 200 } },
    { partition: 0, record: { timestamp: '2026-03-01T10:00:02.000Z', status: 503 } },
    { partition: 0, record: { timestamp: '2026-03-01T10:00:03.000Z' } },
  ]);
  const window: JobRow = {
    kind: 'window',
    dimension: 'overall',
    window_start: '2026-03-01T10:00:00.000Z',
    records: 2,
    requests: 1,
    status_2xx: 1,
    status_3xx: 0,
    status_4xx: 0,
    status_5xx: 0,
  };
  const late: JobRow = { kind: 'late', window_start: '2026-03-01T10:00:00.000Z', status: 503 };
  expect(compareMinutes(jobMinutes([window, late]), lake)).toEqual([]);
  expect(compareMinutes(jobMinutes([window]), lake)).toEqual([
    "minute 2026-03-01T10:00:00.000Z: records 2 in the job's rows (windows + late) but 3 in the lake",
    "minute 2026-03-01T10:00:00.000Z: requests 1 in the job's rows (windows + late) but 2 in the lake",
    "minute 2026-03-01T10:00:00.000Z: status5xx 0 in the job's rows (windows + late) but 1 in the lake",
  ]);
});
