import * as zlib from 'node:zlib';
import {
  deliverPlan,
  planBatch,
  UnretriableWriteError,
  type BatchPlan,
  type KafkaErrorRecord,
  type PlannedObject,
} from '../../lambda/kafka-consumer/consume';
import { kafkaEventId } from '../../lambda/shared/event-id';
import { mskEvent, TIMESTAMP_MS } from './helpers/msk-events';
import { schemaErrors } from './helpers/schema';

const APACHE = '203.0.113.9 - - [25/Nov/2026:11:52:39 +0000] "GET /index.html HTTP/1.1" 200 5120';
const SYSLOG = '<34>Nov 25 11:52:39 web-1 sshd[4242]: Accepted publickey for deploy';
const JSON_LINE = '{"time":"2026-11-25T11:52:39.120Z","level":"error","app":"billing","msg":"timeout"}';

function linesOf(object: PlannedObject): Record<string, unknown>[] {
  return zlib
    .gunzipSync(object.body)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function objects(plan: BatchPlan): PlannedObject[] {
  return plan.partitions.flatMap((p) => p.groups.flatMap((g) => g.objects));
}

describe('planBatch on an AWS-shaped MSK event', () => {
  const event = mskEvent({
    'logs-0': [{ value: `${APACHE}\n${SYSLOG}\n` }, { value: null }, { value: JSON_LINE, key: null }],
    'logs-1': [
      { value: 'not a log line at all' },
      { value: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]) },
      { value: Buffer.from('bin\u0000ary') },
      { value: '', base64: 'not base64!' },
      { value: '' },
    ],
  });
  const plan = planBatch(event);

  test('one raw object per partition and day, keyed topic-partition-firstOffset under raw/source=kafka/dt=', () => {
    expect(objects(plan).map((o) => o.key)).toEqual([
      'raw/source=kafka/dt=2026-11-25/logs-0-100.gz',
      'raw/source=kafka/dt=2026-11-25/logs-1-100.gz',
      'errors/kafka-consumer-failed/dt=2026-11-25/logs-1-100.gz',
    ]);
    expect(plan.partitions[1].groups[0].objects[0].metadata).toEqual({ 'first-offset': '100', 'last-offset': '104', records: '5' });
  });

  test('records in the lake schema, source kafka, event ids from topic, partition, offset and line index', () => {
    const raw = linesOf(objects(plan)[0]);
    expect(raw.map((r) => [r.format, r.source, r.event_id])).toEqual([
      ['common', 'kafka', kafkaEventId('logs', 0, 100, 0)],
      ['syslog_rfc3164', 'kafka', kafkaEventId('logs', 0, 100, 1)],
      ['json', 'kafka', kafkaEventId('logs', 0, 102, 0)],
    ]);
    expect(raw[0].ingested_at).toBe(new Date(TIMESTAMP_MS + 100).toISOString());
    for (const record of [...raw, ...linesOf(objects(plan)[1])]) expect(schemaErrors(record)).toEqual([]);
    expect(linesOf(objects(plan)[1])).toEqual([expect.objectContaining({ format: 'unparsed', raw: 'not a log line at all' })]);
  });

  test('undecodable values go under errors/ with their original bytes and the reason', () => {
    const errors = linesOf(objects(plan)[2]) as unknown as KafkaErrorRecord[];
    expect(errors.map((e) => [e.offset, e.errorCode])).toEqual([
      [101, 'invalid-utf8'],
      [102, 'binary-data'],
      [103, 'invalid-base64'],
    ]);
    expect(Buffer.from(errors[0].rawData, 'base64')).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]));
    expect(Buffer.from(errors[2].rawData, 'base64').toString()).toBe('not base64!');
    expect(errors[0]).toMatchObject({ topic: 'logs', partition: 1, partitionKey: 'logs-1', timestampType: 'CREATE_TIME', source: 'kafka' });
    expect(errors[0].headers).toEqual([{ agent: [...Buffer.from('fluent-bit')] }]);
  });

  test('every record accounted for once: lines, dropped (tombstone, empty) or failed', () => {
    expect(plan.partitions.map((p) => p.outcomes.map((o) => (o.kind === 'lines' ? `lines:${o.lines}` : `${o.kind}:${o.reason}`)))).toEqual([
      ['lines:2', 'dropped:null-value', 'lines:1'],
      ['lines:1', 'failed:invalid-utf8', 'failed:binary-data', 'failed:invalid-base64', 'dropped:no-lines'],
    ]);
    expect(plan.stats).toMatchObject({
      records: 8,
      okRecords: 3,
      droppedRecords: 2,
      failedRecords: 3,
      lines: 4,
      parsedLines: 3,
      unparsedLines: 1,
    });
  });
});

test('records of different days (Kafka timestamp, UTC) land in their own dt= objects', () => {
  const beforeMidnight = Date.UTC(2026, 10, 30, 23, 59, 59, 900);
  const plan = planBatch(
    mskEvent(
      {
        'app.events-7': [
          { value: APACHE, timestamp: beforeMidnight },
          { value: APACHE, timestamp: beforeMidnight + 50 },
          { value: APACHE, timestamp: beforeMidnight + 200 },
        ],
      },
      5000,
    ),
  );
  expect(plan.partitions[0].groups.map((g) => [g.firstOffset, g.lastOffset, g.objects.map((o) => o.key)])).toEqual([
    [5000, 5001, ['raw/source=kafka/dt=2026-11-30/app.events-7-5000.gz']],
    [5002, 5002, ['raw/source=kafka/dt=2026-12-01/app.events-7-5002.gz']],
  ]);
});

test('a batch retried from the same offset writes the same keys, whatever its size', () => {
  const specs = Array.from({ length: 6 }, () => ({ value: APACHE }));
  const first = planBatch(mskEvent({ 'logs-2': specs.slice(0, 3) }, 40));
  const retried = planBatch(mskEvent({ 'logs-2': specs }, 40));
  expect(objects(retried).map((o) => o.key)).toEqual(objects(first).map((o) => o.key));
});

describe('deliverPlan', () => {
  const beforeMidnight = Date.UTC(2026, 10, 30, 23, 59, 59);
  const event = mskEvent({
    'logs-0': [{ value: APACHE }, { value: APACHE }],
    'logs-1': [
      { value: APACHE, timestamp: beforeMidnight },
      { value: Buffer.from([0xff]), timestamp: beforeMidnight },
      { value: APACHE, timestamp: beforeMidnight + 2000 },
    ],
  });

  test('all written: an empty batchItemFailures list', async () => {
    const written: string[] = [];
    const outcome = await deliverPlan(planBatch(event), async (o) => void written.push(o.key));
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(written).toHaveLength(4);
    expect(outcome.objectsWritten).toBe(4);
  });

  test('a failed write stops its partition and names the first offset of its group; other partitions go on', async () => {
    const written: string[] = [];
    const outcome = await deliverPlan(planBatch(event), async (object) => {
      if (object.key === 'errors/kafka-consumer-failed/dt=2026-11-30/logs-1-100.gz') throw new Error('SlowDown');
      written.push(object.key);
    });
    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: 'logs-1', offset: 100 } }] });
    // logs-1's raw object of that group was written before its error object failed; the next day's group was not tried.
    expect(written.sort()).toEqual(['raw/source=kafka/dt=2026-11-25/logs-0-100.gz', 'raw/source=kafka/dt=2026-11-30/logs-1-100.gz']);
    expect(outcome.recordsToRetry).toBe(3);
    expect(outcome.writeFailures).toEqual([expect.objectContaining({ partitionKey: 'logs-1', offset: 100, error: 'Error: SlowDown' })]);
  });

  test('a failure in a later group names that group: what came before is written and committed', async () => {
    const outcome = await deliverPlan(planBatch(event), async (object) => {
      if (object.key.includes('dt=2026-12-01')) throw new Error('SlowDown');
    });
    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: { partition: 'logs-1', offset: 102 } }]);
    expect(outcome.recordsToRetry).toBe(1);
  });

  test('a failed write of records without any offset cannot be retried by offset: the batch fails whole', async () => {
    const plan = planBatch({ records: { 'logs-0': [{ value: 'x' }] } });
    await expect(deliverPlan(plan, async () => Promise.reject(new Error('down')))).rejects.toThrow(UnretriableWriteError);
  });

  test('the batch fails whole only once the other partitions have finished writing', async () => {
    const plan = planBatch({ records: { 'logs-0': [{ value: 'x' }], 'logs-1': [{ partition: 1, offset: 7, value: 'y' }] } });
    const finished: string[] = [];
    const write = async (object: { key: string }) => {
      if (object.key.includes('logs-0')) throw new Error('down');
      await new Promise((r) => setTimeout(r, 20));
      finished.push(object.key);
    };
    await expect(deliverPlan(plan, write)).rejects.toThrow(UnretriableWriteError);
    expect(finished).toHaveLength(1);
  });
});

describe('hostile event shapes never throw', () => {
  test.each([
    ['no event', undefined],
    ['null', null],
    ['records missing', { eventSource: 'aws:kafka' }],
    ['records a list', { records: [] }],
    ['records a string', { records: 'x' }],
  ])('%s: nothing to do', (_, event) => {
    expect(planBatch(event)).toMatchObject({ partitions: [], stats: { records: 0 } });
  });

  test('a partition that is not a list is counted, others are read', () => {
    const plan = planBatch({ records: { 'a-0': 'x', ...mskEvent({ 'logs-0': [{ value: APACHE }] }).records } });
    expect(plan.stats).toMatchObject({ malformedPartitions: 1, records: 1, okRecords: 1 });
  });

  test('records without an offset, null records and non-string values are kept under errors/', () => {
    const plan = planBatch({ records: { 'logs-0': [null, { value: 'eA==' }, { offset: 3, value: 42 }, { offset: '7', value: 'eA==' }] } });
    expect(plan.partitions[0].outcomes.map((o) => (o.kind === 'failed' || o.kind === 'dropped' ? o.reason : o.kind))).toEqual([
      'malformed-record',
      'malformed-record',
      'malformed-record',
      'lines',
    ]);
    expect(plan.partitions[0].groups[0].firstOffset).toBe(3);
  });

  test('a topic-partition key with characters no topic has stays inside its prefix', () => {
    const plan = planBatch({
      records: { '../../etc/passwd-0': [{ offset: 1, timestamp: TIMESTAMP_MS, value: Buffer.from(APACHE).toString('base64') }] },
    });
    expect(objects(plan)[0].key).toBe('raw/source=kafka/dt=2026-11-25/.._.._etc_passwd-0-1.gz');
  });
});
