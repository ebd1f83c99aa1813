import * as zlib from 'node:zlib';
import type { FirehoseTransformationResult } from 'aws-lambda';
import { kinesisEventId, firehoseEventId } from '../../lambda/shared/event-id';
import { FIREHOSE_RESPONSE_LIMIT_BYTES } from '../../contracts/limits';
import { LOG_RECORD_FIELDS } from '../../contracts/record';
import {
  STRICT_BASE64,
  isStrictBase64,
  transformEvent,
  type OverflowRecord,
  type ReingestFunction,
} from '../../lambda/firehose-transform/transform';
import { SHARD_ID, SOURCE_STREAM_ARN, cloudWatchLogsPayload, firehoseEvent, outputLines, outputRecords } from './helpers/firehose-events';
import { schemaErrors } from './helpers/schema';

const INGESTED_AT = '2026-11-25T11:52:40.000Z';

function expectContract(
  event: ReturnType<typeof firehoseEvent>,
  result: FirehoseTransformationResult,
  limit = FIREHOSE_RESPONSE_LIMIT_BYTES,
): void {
  expect(result.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
  for (const record of result.records) {
    expect(['Ok', 'Dropped', 'ProcessingFailed']).toContain(record.result);
    expect(typeof record.data).toBe('string');
    expect(STRICT_BASE64.test(record.data!)).toBe(true);
    if (record.result === 'Dropped') expect(record.data).toBe('');
    if (record.result === 'Ok') {
      for (const line of outputLines(record.data)) expect(schemaErrors(JSON.parse(line))).toEqual([]);
    }
  }
  expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(limit);
}

describe('one line of each format', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    [
      'common',
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
      {
        format: 'common',
        timestamp: '2000-10-10T20:55:36.000Z',
        client_ip: '127.0.0.1',
        user: 'frank',
        method: 'GET',
        path: '/apache_pb.gif',
        protocol: 'HTTP/1.0',
        status: 200,
        bytes: 2326,
      },
    ],
    [
      'combined',
      '203.0.113.9 - - [25/Nov/2026:11:52:39 +0000] "POST /api/v1/orders HTTP/2.0" 201 512 "https://shop.example.com/cart" "curl/8.5.0"',
      {
        format: 'combined',
        timestamp: '2026-11-25T11:52:39.000Z',
        client_ip: '203.0.113.9',
        method: 'POST',
        path: '/api/v1/orders',
        protocol: 'HTTP/2.0',
        status: 201,
        bytes: 512,
        referrer: 'https://shop.example.com/cart',
        user_agent: 'curl/8.5.0',
      },
    ],
    [
      'syslog_rfc3164',
      "<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8",
      {
        format: 'syslog_rfc3164',
        timestamp: '2026-10-11T22:14:15.000Z',
        host: 'mymachine',
        severity: 'crit',
        facility: 'auth',
        app: 'su',
        proc_id: '123',
        message: "'su root' failed for lonvick on /dev/pts/8",
      },
    ],
    [
      'syslog_rfc5424',
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...',
      {
        format: 'syslog_rfc5424',
        timestamp: '2003-10-11T22:14:15.003Z',
        host: 'mymachine.example.com',
        severity: 'notice',
        facility: 'local4',
        app: 'evntslog',
        message: 'An application event log entry...',
        attributes: {
          msgid: 'ID47',
          'sd.exampleSDID@32473.iut': '3',
          'sd.exampleSDID@32473.eventSource': 'Application',
          'sd.exampleSDID@32473.eventID': '1011',
        },
      },
    ],
    [
      'json',
      '{"ts":1764071559142,"level":"WARN","msg":"retrying","service":"payments","hostname":"worker-07","attempt":2}',
      {
        format: 'json',
        timestamp: '2025-11-25T11:52:39.142Z',
        host: 'worker-07',
        severity: 'warn',
        app: 'payments',
        message: 'retrying',
        attributes: { attempt: '2' },
      },
    ],
    ['unparsed', 'kernel panic - not syncing: VFS', { format: 'unparsed', timestamp: INGESTED_AT, raw: 'kernel panic - not syncing: VFS' }],
  ];

  test.each(cases)('%s', async (_name, line, fields) => {
    const event = firehoseEvent([{ data: `${line}\n`, sequenceNumber: '49656000000000000000000000000000000000000000000000000001' }]);
    const { response, stats } = await transformEvent(event);
    expectContract(event, response);
    expect(response.records[0].result).toBe('Ok');
    expect(outputRecords(response.records[0].data)).toEqual([
      {
        event_id: kinesisEventId(SHARD_ID, '49656000000000000000000000000000000000000000000000000001', '0', 0),
        source: 'kinesis',
        ingested_at: INGESTED_AT,
        ...fields,
      },
    ]);
    expect(stats.parsedLines + stats.unparsedLines).toBe(1);
    expect(stats.unparsedLines).toBe(fields.format === 'unparsed' ? 1 : 0);
  });

  test('keys come out in the schema order; null fields are left out', async () => {
    const { response } = await transformEvent(firehoseEvent(['hello', '<34>Oct 11 22:14:15 mymachine su[123]: x']));
    for (const record of response.records) {
      const keys = Object.keys(outputRecords(record.data)[0]);
      expect(keys).toEqual(LOG_RECORD_FIELDS.filter((field) => keys.includes(field)));
    }
    expect(Object.keys(outputRecords(response.records[0].data)[0])).toEqual([
      'event_id',
      'source',
      'format',
      'timestamp',
      'ingested_at',
      'raw',
    ]);
  });
});

describe('records and lines', () => {
  test('mixed line endings, empty lines skipped, event ids by non-empty line index', async () => {
    const event = firehoseEvent([{ data: 'one\r\ntwo\n\nthree\rfour\r\n\r\n', sequenceNumber: '42', subsequenceNumber: '7' }]);
    const { response } = await transformEvent(event);
    expectContract(event, response);
    const records = outputRecords(response.records[0].data);
    expect(records.map((r) => r.raw)).toEqual(['one', 'two', 'three', 'four']);
    expect(records.map((r) => r.event_id)).toEqual([0, 1, 2, 3].map((i) => kinesisEventId(SHARD_ID, '42', '7', i)));
  });

  test('the same record delivered twice gets the same event ids; another sequence number gets others', async () => {
    const first = await transformEvent(firehoseEvent([{ data: 'a\nb', sequenceNumber: '1' }]));
    const again = await transformEvent(firehoseEvent([{ data: 'a\nb', sequenceNumber: '1' }]));
    const other = await transformEvent(firehoseEvent([{ data: 'a\nb', sequenceNumber: '2' }]));
    const ids = (r: typeof first) => outputRecords(r.response.records[0].data).map((x) => x.event_id);
    expect(ids(again)).toEqual(ids(first));
    expect(ids(other)).not.toEqual(ids(first));
  });

  test('Direct PUT (no Kinesis metadata): event ids from the Firehose recordId', async () => {
    const event = firehoseEvent([{ data: 'x', recordId: 'rec-1' }], { directPut: true });
    const { response } = await transformEvent(event);
    expect(outputRecords(response.records[0].data)[0].event_id).toBe(firehoseEventId('rec-1', 0));
  });

  test('ingested_at from approximateArrivalTimestamp; a line without time uses it as timestamp', async () => {
    const arrival = Date.UTC(2027, 0, 1, 0, 0, 3, 250);
    const { response } = await transformEvent(
      firehoseEvent([{ data: '<13>Dec 31 23:59:58 web-01 CRON[1]: job\n{"msg":"no time"}', arrivalMs: arrival }]),
    );
    const [syslog, json] = outputRecords(response.records[0].data);
    expect(syslog).toMatchObject({ ingested_at: '2027-01-01T00:00:03.250Z', timestamp: '2026-12-31T23:59:58.000Z' });
    expect(json).toMatchObject({ ingested_at: '2027-01-01T00:00:03.250Z', timestamp: '2027-01-01T00:00:03.250Z' });
  });

  test('a record without a usable arrival time uses the clock', async () => {
    const event = firehoseEvent(['x']);
    (event.records[0] as { approximateArrivalTimestamp: unknown }).approximateArrivalTimestamp = 'soon';
    const { response } = await transformEvent(event, { now: () => Date.UTC(2026, 0, 2) });
    expect(outputRecords(response.records[0].data)[0].ingested_at).toBe('2026-01-02T00:00:00.000Z');
  });

  test('text with quotes, backslashes, control characters and non-ASCII survives the round trip', async () => {
    const line = 'raw "quoted" \\ back \u0001 tab\t naïve ✓ 😀';
    const event = firehoseEvent([line]);
    const { response } = await transformEvent(event);
    expectContract(event, response);
    expect(outputRecords(response.records[0].data)[0].raw).toBe(line);
  });

  test('a UTF-8 BOM at the start of a record is not part of the first line', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const { response } = await transformEvent(firehoseEvent([{ data: Buffer.concat([bom, Buffer.from('{"msg":"x"}')]) }]));
    expect(outputRecords(response.records[0].data)[0]).toMatchObject({ format: 'json', message: 'x' });
  });

  test('a huge line (900 KB) is kept whole', async () => {
    const line = `{"msg":"${'x'.repeat(900_000)}"}`;
    const event = firehoseEvent([line]);
    const { response } = await transformEvent(event);
    expectContract(event, response);
    expect(outputRecords(response.records[0].data)[0].message).toHaveLength(900_000);
  });
});

describe('Dropped and ProcessingFailed', () => {
  test('empty data and only empty lines → Dropped with empty data', async () => {
    const event = firehoseEvent(['', '\n\r\n\r', 'ok']);
    const { response, stats } = await transformEvent(event);
    expectContract(event, response);
    expect(response.records.map((r) => [r.result, r.data === '' ? '' : 'data'])).toEqual([
      ['Dropped', ''],
      ['Dropped', ''],
      ['Ok', 'data'],
    ]);
    expect(stats).toMatchObject({ droppedRecords: 2, okRecords: 1 });
  });

  test.each([
    ['characters outside the alphabet', 'aGVsbG8*'],
    ['missing padding', 'aGVsbG8'],
    ['base64url alphabet', 'aGV-bG8_'],
    ['whitespace', 'aGVs bG8='],
    ['padding in the middle', 'aGU=aGU='],
  ])('invalid base64 (%s) → ProcessingFailed with empty data', async (_name, base64) => {
    const event = firehoseEvent([{ data: '', base64 }, 'fine']);
    const { response, failures } = await transformEvent(event);
    expectContract(event, response);
    expect(response.records[0]).toEqual({ recordId: event.records[0].recordId, result: 'ProcessingFailed', data: '' });
    expect(response.records[1].result).toBe('Ok');
    expect(failures).toEqual([{ recordId: event.records[0].recordId, reason: 'invalid-base64' }]);
  });

  test('missing data → ProcessingFailed', async () => {
    const event = firehoseEvent(['x']);
    delete (event.records[0] as { data?: string }).data;
    const { response } = await transformEvent(event);
    expect(response.records[0]).toEqual({ recordId: event.records[0].recordId, result: 'ProcessingFailed', data: '' });
  });

  test.each([
    ['bad UTF-8 (lone continuation byte)', Buffer.from([0x68, 0x69, 0x80, 0x0a]), 'invalid-utf8'],
    ['bad UTF-8 (overlong encoding)', Buffer.from([0xc0, 0xaf]), 'invalid-utf8'],
    ['bad UTF-8 (surrogate half)', Buffer.from([0xed, 0xa0, 0x80]), 'invalid-utf8'],
    ['binary (PNG header)', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'invalid-utf8'],
    ['binary (NUL bytes)', Buffer.from('abc\u0000\u0000def'), 'binary-data'],
    ['corrupt gzip', Buffer.concat([zlib.gzipSync('hello').subarray(0, 12), Buffer.from('garbage')]), 'corrupt-gzip'],
  ])('%s → ProcessingFailed carrying the original bytes', async (_name, bytes, reason) => {
    const event = firehoseEvent([{ data: bytes }]);
    const { response, failures } = await transformEvent(event);
    expectContract(event, response);
    expect(response.records[0].result).toBe('ProcessingFailed');
    expect(Buffer.from(response.records[0].data!, 'base64')).toEqual(bytes);
    expect(failures[0].reason).toBe(reason);
  });
});

describe('CloudWatch Logs subscription payloads', () => {
  test('DATA_MESSAGE: each log event is a line', async () => {
    const messages = [
      '10.0.0.1 - - [25/Nov/2026:11:52:39 +0000] "GET / HTTP/1.1" 200 5',
      '{"level":"info","msg":"hi"}\n',
      '',
      'plain text',
    ];
    const event = firehoseEvent([{ data: cloudWatchLogsPayload('DATA_MESSAGE', messages), sequenceNumber: '900' }]);
    const { response, stats } = await transformEvent(event);
    expectContract(event, response);
    const records = outputRecords(response.records[0].data);
    expect(records.map((r) => r.format)).toEqual(['common', 'json', 'unparsed']);
    expect(records[2].raw).toBe('plain text');
    expect(records.map((r) => r.event_id)).toEqual([0, 1, 2].map((i) => kinesisEventId(SHARD_ID, '900', '0', i)));
    expect(stats).toMatchObject({ parsedLines: 2, unparsedLines: 1 });
  });

  test('CONTROL_MESSAGE → Dropped', async () => {
    const event = firehoseEvent([
      { data: cloudWatchLogsPayload('CONTROL_MESSAGE', ['CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.']) },
    ]);
    const { response } = await transformEvent(event);
    expect(response.records[0]).toEqual({ recordId: event.records[0].recordId, result: 'Dropped', data: '' });
  });

  test('DATA_MESSAGE without events → Dropped', async () => {
    const { response } = await transformEvent(firehoseEvent([{ data: cloudWatchLogsPayload('DATA_MESSAGE', []) }]));
    expect(response.records[0].result).toBe('Dropped');
  });

  test('a DATA_MESSAGE with malformed log events → ProcessingFailed with the original bytes', async () => {
    const bytes = zlib.gzipSync(JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: [{ id: '1', timestamp: 1, message: 42 }] }));
    const event = firehoseEvent([{ data: bytes }]);
    const { response, failures } = await transformEvent(event);
    expect(response.records[0].result).toBe('ProcessingFailed');
    expect(Buffer.from(response.records[0].data!, 'base64')).toEqual(bytes);
    expect(failures[0].reason).toBe('invalid-cloudwatch-logs-message');
  });

  test('gzipped plain text (not a CloudWatch Logs message) is read as lines', async () => {
    const { response } = await transformEvent(firehoseEvent([{ data: zlib.gzipSync('<13>Nov 25 11:52:39 h app: a\n{"msg":"b"}\n') }]));
    expect(outputRecords(response.records[0].data).map((r) => r.format)).toEqual(['syslog_rfc3164', 'json']);
  });

  test('gzipped bad UTF-8 → ProcessingFailed', async () => {
    const { response, failures } = await transformEvent(firehoseEvent([{ data: zlib.gzipSync(Buffer.from([0xff, 0xfe, 0x00])) }]));
    expect(response.records[0].result).toBe('ProcessingFailed');
    expect(failures[0].reason).toBe('invalid-utf8');
  });
});

describe('response budget, overflow and re-ingest', () => {
  const line = '10.0.0.1 - - [25/Nov/2026:11:52:39 +0000] "GET /index.html HTTP/1.1" 200 5120';
  /** Records of ~10 lines each (~0.8 KB); their output is ~3.5 KB of base64 apiece. */
  const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ data: `${line}\n`.repeat(10), partitionKey: `pk-${i}` }));

  function recordingReingest(decide: (record: OverflowRecord) => boolean = () => true) {
    const calls: { streamArn: string; records: readonly OverflowRecord[] }[] = [];
    const reingest: ReingestFunction = async (streamArn, records) => {
      calls.push({ streamArn, records });
      const reingested = new Set<string>();
      const failed = new Map<string, string>();
      for (const record of records) {
        if (decide(record)) reingested.add(record.recordId);
        else failed.set(record.recordId, 'ProvisionedThroughputExceededException: Rate exceeded');
      }
      return { reingested, failed };
    };
    return { calls, reingest };
  }

  test('overflow records are re-ingested with their original bytes and partition key, then Dropped', async () => {
    const event = firehoseEvent(batch(40));
    const limit = 100_000;
    const { calls, reingest } = recordingReingest();
    const { response, stats } = await transformEvent(event, { responseLimitBytes: limit, reingest });
    expectContract(event, response, limit);
    const ok = response.records.filter((r) => r.result === 'Ok').length;
    expect(ok).toBeGreaterThan(5);
    expect(ok).toBeLessThan(40);
    expect(calls).toHaveLength(1);
    expect(calls[0].streamArn).toBe(SOURCE_STREAM_ARN);
    const overflowIds = calls[0].records.map((r) => r.recordId);
    expect(response.records.filter((r) => r.result === 'Dropped').map((r) => r.recordId)).toEqual(overflowIds);
    for (const record of calls[0].records) {
      const index = event.records.findIndex((r) => r.recordId === record.recordId);
      expect(record.data.toString('base64')).toBe(event.records[index].data);
      expect(record.partitionKey).toBe(`pk-${index}`);
    }
    expect(stats).toMatchObject({ reingestedRecords: 40 - ok, reingestFailures: 0, droppedRecords: 40 - ok });
  });

  test('records that still fail re-ingest → ProcessingFailed with their original bytes', async () => {
    const event = firehoseEvent(batch(40));
    const limit = 60_000;
    let n = 0;
    const { reingest, calls } = recordingReingest(() => n++ % 2 === 0);
    const { response, stats, failures } = await transformEvent(event, { responseLimitBytes: limit, reingest });
    expectContract(event, response, limit);
    expect(calls[0].records.length).toBeGreaterThan(2);
    expect(stats.reingestedRecords).toBe(Math.ceil(calls[0].records.length / 2));
    const failed = response.records.filter((r) => r.result === 'ProcessingFailed');
    expect(failed.length).toBeGreaterThan(0);
    expect(stats.reingestFailures).toBe(failed.length);
    expect(failures.every((f) => f.reason === 'reingest-failed' && f.detail?.startsWith('ProvisionedThroughput'))).toBe(true);
    for (const r of failed) {
      if (r.data !== '') expect(r.data).toBe(event.records.find((x) => x.recordId === r.recordId)!.data);
    }
  });

  test('a re-ingest function that throws marks the overflow ProcessingFailed, never throws', async () => {
    const event = firehoseEvent(batch(40));
    const { response, stats } = await transformEvent(event, {
      responseLimitBytes: 100_000,
      reingest: async () => {
        throw new Error('network down');
      },
    });
    expectContract(event, response, 100_000);
    expect(stats.reingestFailures).toBeGreaterThan(0);
    expect(response.records.some((r) => r.result === 'Dropped')).toBe(false);
  });

  test('Direct PUT (no source stream): overflow → ProcessingFailed, re-ingest not called', async () => {
    const event = firehoseEvent(batch(40), { directPut: true });
    const { calls, reingest } = recordingReingest();
    const { response, failures } = await transformEvent(event, { responseLimitBytes: 100_000, reingest });
    expectContract(event, response, 100_000);
    expect(calls).toHaveLength(0);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((f) => f.reason === 'overflow-without-source-stream')).toBe(true);
  });

  test('a single line whose own output exceeds the cap → ProcessingFailed, never re-ingested (it cannot be split)', async () => {
    const event = firehoseEvent([{ data: `${line.repeat(200)}\n` }, 'small']);
    const { calls, reingest } = recordingReingest();
    const limit = 20_000;
    const { response, failures } = await transformEvent(event, { responseLimitBytes: limit, reingest });
    expectContract(event, response, limit);
    expect(response.records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok']);
    expect(failures[0].reason).toBe('output-exceeds-response-cap');
    expect(calls).toHaveLength(0);
  });

  test('a record of many lines whose output exceeds the cap alone is split at line breaks and the pieces re-ingested', async () => {
    const data = `${line}\n`.repeat(200);
    const event = firehoseEvent([{ data, partitionKey: 'agent-1' }, 'small']);
    const { calls, reingest } = recordingReingest();
    const limit = 20_000;
    const { response, stats } = await transformEvent(event, { responseLimitBytes: limit, reingest });
    expectContract(event, response, limit);
    expect(response.records.map((r) => r.result)).toEqual(['Dropped', 'Ok']);
    expect(stats.splitRecords).toBe(1);
    expect(calls).toHaveLength(1);
    expect(Buffer.concat(calls[0].records.map((r) => r.data)).toString()).toBe(data);
    expect(calls[0].records.every((r) => r.partitionKey === 'agent-1' && r.recordId.startsWith(`${event.records[0].recordId}#`))).toBe(
      true,
    );
  });

  test('ProcessingFailed records carry empty data when their original bytes would break the cap', async () => {
    // Each record: ~1.1 KB in, ~3 KB of base64 out. Fill the response with Ok output, then fail the rest.
    const event = firehoseEvent(batch(30));
    const limit = 30_000;
    const { reingest } = recordingReingest(() => false);
    const { response, stats } = await transformEvent(event, { responseLimitBytes: limit, reingest });
    expectContract(event, response, limit);
    expect(stats.failedWithoutData).toBeGreaterThan(0);
    expect(response.records.some((r) => r.result === 'ProcessingFailed' && r.data === '')).toBe(true);
  });

  test('at the real 6 MB cap: a 3 MB batch of short lines overflows into re-ingest and stays under the cap', async () => {
    const records = Array.from({ length: 3000 }, () => ({ data: `${line}\n`.repeat(12) }));
    const event = firehoseEvent(records);
    const { reingest, calls } = recordingReingest();
    const { response } = await transformEvent(event, { reingest });
    expectContract(event, response);
    expect(calls).toHaveLength(1);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeGreaterThan(FIREHOSE_RESPONSE_LIMIT_BYTES * 0.9);
  });
});

describe('strict base64 check', () => {
  test('isStrictBase64 agrees with the regex on edge cases', () => {
    for (const text of [
      '',
      'QQ==',
      'QUI=',
      'QUJD',
      'Q===',
      '====',
      'QQ=A',
      'Q=JD',
      'QUJ-',
      'QUJ_',
      'QU D',
      'QUJDQQ',
      'QR==',
      'QUJ\u00e9',
      'QUJD\n',
    ]) {
      expect([text, isStrictBase64(text, Buffer.from(text, 'base64').length)]).toEqual([text, STRICT_BASE64.test(text)]);
    }
  });
});

test('an event without records gets an empty response', async () => {
  const { response } = await transformEvent({ invocationId: 'x', deliveryStreamArn: 'y', region: 'z', records: [] });
  expect(response).toEqual({ records: [] });
});
