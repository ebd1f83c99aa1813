import { recordValidator } from '../../lib/record-schema';
import { parseLine } from '../../lambda/shared/parsers';
import { recordsFromPayload } from '../../lambda/shared/record-core';
import {
  appendCommand,
  judgePath,
  makeMarkers,
  markerOf,
  matchMarkers,
  newRunId,
  waitUntil,
  type FoundRecord,
} from '../../ops/verify/markers';
import { dtPartitions } from '../../ops/verify/lake';
import { markerFile, markerTarget, explainAwsError } from '../../ops/verify/cli';
import { STAGE_CONFIGS } from '../../lib/config';

const validate = recordValidator();
const now = new Date('2026-12-01T10:00:00.000Z');

test('marker lines are JSON log lines the transform parses as json, carrying run, path and sequence', () => {
  const markers = makeMarkers('20261201100000-abc123', 'kinesis', 3, now);
  expect(markers.map((m) => m.text)).toEqual([0, 1, 2].map((n) => `log-pipeline-verify run=20261201100000-abc123 path=kinesis seq=${n}`));
  for (const m of markers) {
    const parsed = parseLine(m.line, now.getTime());
    expect(parsed.format).toBe('json');
    expect(markerOf(parsed as unknown as Record<string, unknown>)).toEqual({ runId: m.runId, path: 'kinesis', seq: m.seq });
  }
  expect(newRunId(now)).toMatch(/^20261201100000-[0-9a-f]{6}$/);
  expect(() => makeMarkers('bad id!', 'kinesis', 1)).toThrow(/run id/);
  expect(() => makeMarkers('20261201-abcdef', 'kinesis', 0)).toThrow(/count/);
});

/** A marker line as the transform writes it to the lake: through the shared record core. */
function landed(line: string, key = 'raw/source=kinesis/dt=2026-12-01/a.json.gz'): FoundRecord {
  const bytes = Buffer.from(line);
  const result = recordsFromPayload(bytes, bytes.length, {
    source: 'kinesis',
    coordinates: { kind: 'kinesis', shardId: 'shardId-000000000000', sequenceNumber: '1', subsequenceNumber: '' },
    arrivalMs: now.getTime(),
  });
  if (result.kind !== 'lines') throw new Error(`marker line did not become a record: ${result.kind}`);
  return { key, record: JSON.parse(result.output) as Record<string, unknown>, landedAtMs: now.getTime() + 90_000 };
}

test('all markers landed and valid: ok, with the time it took', () => {
  const markers = makeMarkers('20261201100000-abc123', 'kinesis', 2, now);
  const matches = matchMarkers(
    markers,
    markers.map((m) => landed(m.line)),
    validate,
  );
  expect(matches.map((m) => m.problems)).toEqual([[], []]);
  const verdict = judgePath({ path: 'kinesis', expected: 2, written: true, matches, inErrors: 0, elapsedMs: 92_400 });
  expect(verdict).toEqual({
    path: 'kinesis',
    ok: true,
    problems: [],
    summary: 'kinesis: all 2 markers landed under raw/source=kinesis/ and parsed into the record schema in 92.4 s',
  });
});

test("another run's markers do not count; missing ones say where the chain stopped", () => {
  const mine = makeMarkers('20261201100000-abc123', 'kinesis', 3, now);
  const other = makeMarkers('20261201090000-ffffff', 'kinesis', 3, now);
  const matches = matchMarkers(mine, [landed(mine[0].line), ...other.map((m) => landed(m.line))], validate);
  expect(matches.map((m) => m.found.length)).toEqual([1, 0, 0]);
  expect(judgePath({ path: 'kinesis', expected: 3, written: true, matches, inErrors: 0 })).toMatchObject({
    ok: false,
    stoppedAt: 'Firehose + transform → lake raw/source=kinesis/',
    summary: 'kinesis: 1 of 3 markers landed before the timeout; they stopped at Firehose + transform → lake raw/source=kinesis/',
  });
  const none = matchMarkers(mine, [], validate);
  expect(judgePath({ path: 'kinesis', expected: 3, written: true, matches: none, inErrors: 0, firstHopSeen: false }).stoppedAt).toBe(
    'the agent → Kinesis stream',
  );
  expect(judgePath({ path: 'kinesis', expected: 3, written: true, matches: none, inErrors: 0 }).stoppedAt).toBe(
    'the agent → Kinesis stream or Firehose + transform → lake raw/source=kinesis/',
  );
  expect(judgePath({ path: 'kinesis', expected: 3, written: false, matches: none, inErrors: 0 })).toMatchObject({
    ok: false,
    stoppedAt: 'the host file (SSM Run Command)',
  });
  expect(judgePath({ path: 'kinesis', expected: 3, written: true, matches: none, inErrors: 2 }).summary).toBe(
    'kinesis: 2 marker(s) were marked ProcessingFailed and are under errors/, 0 of 3 in raw/',
  );
});

test('a marker that landed unparsed, or under the wrong path, is a problem', () => {
  const [marker] = makeMarkers('20261201100000-abc123', 'kinesis', 1, now);
  const unparsed: FoundRecord = {
    key: 'raw/source=kafka/dt=2026-12-01/x.json.gz',
    record: { ...landed(marker.line).record, format: 'unparsed', raw: marker.line },
  };
  const [match] = matchMarkers([marker], [unparsed], validate);
  expect(match.problems).toEqual(
    expect.arrayContaining([
      "raw/source=kafka/dt=2026-12-01/x.json.gz: parsed as 'unparsed', expected 'json'",
      'raw/source=kafka/dt=2026-12-01/x.json.gz: not under raw/source=kinesis/',
    ]),
  );
  expect(judgePath({ path: 'kinesis', expected: 1, written: true, matches: [match], inErrors: 0 })).toMatchObject({
    ok: false,
    summary: 'kinesis: all 1 markers landed, but 3 schema problem(s)'.replace('3', String(match.problems.length)),
  });
});

test('waitUntil reports progress each poll and stops at the timeout', async () => {
  let clock = 0;
  const progress: string[] = [];
  const result = await waitUntil('lake', async () => ({ done: false, state: clock, progress: 'waiting' }), {
    timeoutMs: 60_000,
    intervalMs: 15_000,
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
    onProgress: (m) => progress.push(m),
  });
  expect(result).toEqual({ done: false, state: 60_000, elapsedMs: 60_000 });
  expect(progress).toEqual([
    'lake: waiting (0 s)',
    'lake: waiting (15 s)',
    'lake: waiting (30 s)',
    'lake: waiting (45 s)',
    'lake: waiting (60 s)',
  ]);
  let polls = 0;
  const done = await waitUntil('lake', async () => ({ done: ++polls === 2, state: polls, progress: `${polls}` }), {
    timeoutMs: 60_000,
    intervalMs: 1,
    sleep: async () => {},
  });
  expect(done.done).toBe(true);
  expect(done.state).toBe(2);
});

test('the SSM command appends each line, quoted, to the file', () => {
  const markers = makeMarkers('20261201100000-abc123', 'kinesis', 2, now);
  const command = appendCommand('/var/log/nginx/access.log', markers);
  expect(command.split('\n')).toEqual([
    `mkdir -p "$(dirname '/var/log/nginx/access.log')"`,
    `printf '%s\\n' '${markers[0].line}' >> '/var/log/nginx/access.log'`,
    `printf '%s\\n' '${markers[1].line}' >> '/var/log/nginx/access.log'`,
  ]);
  expect(() => appendCommand('relative/file', markers)).toThrow(/absolute path/);
  expect(() => appendCommand("/tmp/x'; rm -rf /", markers)).toThrow(/absolute path/);
});

test('markers go to a file the stage ships; partitions span midnight', () => {
  expect(markerFile(STAGE_CONFIGS.prod)).toBe('/var/log/nginx/access.log');
  expect(markerFile(STAGE_CONFIGS.dev)).toMatch(/^\/var\/log\//);
  // Both stages' marker files ship to both paths, so verify waits for the Kinesis and the Kafka path.
  expect(markerTarget(STAGE_CONFIGS.prod).paths).toEqual(['kinesis', 'kafka']);
  expect(markerTarget(STAGE_CONFIGS.dev).paths).toEqual(['kinesis', 'kafka']);
  const kinesisOnly = {
    ...STAGE_CONFIGS.prod,
    host: { ...STAGE_CONFIGS.prod.host, logFiles: [{ path: '/var/log/a.log', format: 'json' as const }] },
  };
  expect(markerTarget(kinesisOnly)).toEqual({ file: '/var/log/a.log', paths: ['kinesis'] });
  expect(dtPartitions(Date.parse('2026-12-01T23:50:00Z'), Date.parse('2026-12-02T00:10:00Z'))).toEqual(['2026-12-01', '2026-12-02']);
});

test('AWS errors a user meets first get a message that says what to do', () => {
  expect(
    explainAwsError(
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'reading stack X',
    ).message,
  ).toMatch(/^no AWS credentials while reading stack X: configure a profile/);
  expect(
    explainAwsError(
      Object.assign(new Error('Stack with id LogPipeline-dev-Data does not exist'), { name: 'ValidationError' }),
      'reading stack LogPipeline-dev-Data',
    ).message,
  ).toMatch(/the stage is not deployed in this account and region/);
});
