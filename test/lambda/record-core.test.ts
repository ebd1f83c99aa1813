import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { kafkaEventId, kinesisEventId } from '../../lambda/shared/event-id';
import { CLOUDWATCH_ATTRIBUTES, recordsFromPayload, type PayloadContext, type PayloadResult } from '../../lambda/shared/record-core';
import { ARRIVAL_MS, cloudWatchLogsPayload } from './helpers/firehose-events';

const kafka: PayloadContext = {
  source: 'kafka',
  coordinates: { kind: 'kafka', topic: 'logs', partition: 3, offset: 42 },
  arrivalMs: ARRIVAL_MS,
};
const kinesis: PayloadContext = {
  source: 'kinesis',
  coordinates: { kind: 'kinesis', shardId: 'shardId-000000000001', sequenceNumber: '4959', subsequenceNumber: '' },
  arrivalMs: ARRIVAL_MS,
};

function run(payload: string | Buffer, context: PayloadContext): PayloadResult {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return recordsFromPayload(bytes, bytes.length, context);
}

function records(result: PayloadResult): Record<string, unknown>[] {
  if (result.kind !== 'lines') throw new Error(`expected lines, got ${JSON.stringify(result)}`);
  expect(result.output.endsWith('\n')).toBe(true);
  return result.output
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('recordsFromPayload', () => {
  it('takes the source and the coordinates from its caller: Kafka records carry source kafka and a topic/partition/offset id', () => {
    const out = records(run('first line\n\nsecond line\n', kafka));
    expect(out.map((r) => r.source)).toEqual(['kafka', 'kafka']);
    expect(out.map((r) => r.event_id)).toEqual([kafkaEventId('logs', 3, 42, 0), kafkaEventId('logs', 3, 42, 1)]);
    expect(out.map((r) => r.ingested_at)).toEqual([new Date(ARRIVAL_MS).toISOString(), new Date(ARRIVAL_MS).toISOString()]);
  });

  it('gives Kinesis records their shard/sequence id', () => {
    const out = records(run('one line', kinesis));
    expect(out[0]).toMatchObject({ source: 'kinesis', event_id: kinesisEventId('shardId-000000000001', '4959', '', 0) });
  });

  it('gives a CloudWatch Logs line without a time of its own the log event timestamp, not the arrival time', () => {
    const out = records(run(cloudWatchLogsPayload('DATA_MESSAGE', ['no time here', 'another']), kafka));
    // The helper stamps event i at ARRIVAL_MS - 1000 + i.
    expect(out.map((r) => r.timestamp)).toEqual([new Date(ARRIVAL_MS - 1000).toISOString(), new Date(ARRIVAL_MS - 999).toISOString()]);
    expect(out.map((r) => r.ingested_at)).toEqual([new Date(ARRIVAL_MS).toISOString(), new Date(ARRIVAL_MS).toISOString()]);
  });

  it("keeps a CloudWatch Logs line's own time when it has one", () => {
    const line = '{"time":"2026-05-01T10:00:00.000Z","msg":"hello"}';
    const out = records(run(cloudWatchLogsPayload('DATA_MESSAGE', [line]), kinesis));
    expect(out[0].timestamp).toBe('2026-05-01T10:00:00.000Z');
  });

  it("keeps the envelope's logGroup, logStream and owner on every record, next to the line's own attributes", () => {
    const out = records(run(cloudWatchLogsPayload('DATA_MESSAGE', ['plain text', '{"msg":"m","request_id":"abc"}']), kinesis));
    for (const record of out) {
      expect(record.attributes).toMatchObject({
        [CLOUDWATCH_ATTRIBUTES.logGroup]: '/var/log/demo/access.log',
        [CLOUDWATCH_ATTRIBUTES.logStream]: 'i-0123456789abcdef0',
        [CLOUDWATCH_ATTRIBUTES.owner]: '123456789012',
      });
    }
    expect(out[1].attributes).toMatchObject({ request_id: 'abc' });
  });

  it('places an RFC 3164 line of a CloudWatch Logs event in the year of the event, not of the arrival', () => {
    // Event on Dec 31 2025 23:59:59.500, delivered on Jan 2 2026: the line belongs to 2025.
    const eventMs = Date.UTC(2025, 11, 31, 23, 59, 59, 500);
    const body = {
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: 'g',
      logStream: 's',
      subscriptionFilters: ['f'],
      logEvents: [{ id: '1', timestamp: eventMs, message: 'Dec 31 23:59:59 host app: late' }],
    };
    const payload = zlib.gzipSync(Buffer.from(JSON.stringify(body)));
    const out = records(run(payload, { ...kinesis, arrivalMs: Date.UTC(2026, 0, 2) }));
    expect(out[0].timestamp).toBe('2025-12-31T23:59:59.000Z');
  });

  it.each([
    ['invalid UTF-8', Buffer.from([0x66, 0xff, 0xfe, 0x0a]), 'invalid-utf8'],
    ['binary data', Buffer.from('a\u0000b'), 'binary-data'],
    ['corrupt gzip', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]), 'corrupt-gzip'],
    [
      'a CloudWatch Logs message with a bad event',
      zlib.gzipSync(Buffer.from('{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1"}]}')),
      'invalid-cloudwatch-logs-message',
    ],
  ])('fails %s with its reason', (_name, payload, reason) => {
    expect(run(payload, kafka)).toMatchObject({ kind: 'failed', reason });
  });

  it('drops payloads with no lines and CloudWatch Logs control messages', () => {
    expect(run('\n\r\n', kafka)).toEqual({ kind: 'dropped', reason: 'no-lines' });
    expect(run(cloudWatchLogsPayload('CONTROL_MESSAGE', ['CWL CONTROL MESSAGE: Checking health of destination']), kafka)).toEqual({
      kind: 'dropped',
      reason: 'cloudwatch-logs-control-message',
    });
  });

  it('yields the same records on either path but for source and event id (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        const a = run(text, kafka);
        const b = run(text, kinesis);
        expect(a.kind).toBe(b.kind);
        if (a.kind !== 'lines' || b.kind !== 'lines') return;
        const strip = (r: Record<string, unknown>) => ({ ...r, source: undefined, event_id: undefined });
        expect(records(a).map(strip)).toEqual(records(b).map(strip));
        expect(a.lines).toBe(a.parsedLines + a.unparsedLines);
      }),
    );
  });
});

describe('one record core', () => {
  it('no Lambda outside lambda/shared parses a line or builds a record itself', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs');
    const root = `${__dirname}/../../lambda`;
    const forbidden = /from '\.\.\/shared\/(parsers|serialize|lines)'|\b(parseLine|serializeRecord|toLogRecord|forEachLine)\(/;
    const offenders: string[] = [];
    for (const dir of readdirSync(root)) {
      if (dir === 'shared') continue;
      for (const file of readdirSync(`${root}/${dir}`)) {
        if (file.endsWith('.ts') && forbidden.test(readFileSync(`${root}/${dir}/${file}`, 'utf8'))) offenders.push(`lambda/${dir}/${file}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
