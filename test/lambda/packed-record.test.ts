/**
 * The agent packs a flush into one Kinesis record of up to 1 MiB (simple_aggregation; lib/constructs/log-host/
 * agent-config.ts). Firehose caps the transform's response at 6 MB ("Amazon Data Firehose data transformation",
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html), so one such record must never break
 * the cap nor be lost: alone it fits (a 1 MiB record of Apache lines becomes about 3.3 MiB of JSON, 4.4 MiB in
 * base64); behind others it overflows and goes back whole into the stream (re-ingest), which takes it because the
 * agent leaves room for the partition key under Kinesis' 1 MiB; one whose output cannot fit even alone is split
 * at its line breaks into pieces that do, re-ingested; and one line that is not UTF-8 text fails alone, not the
 * flush it was packed with.
 */
import { PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { generateLogLines } from '../../generator/log-lines';
import { KINESIS_AGGREGATED_RECORD_MAX_BYTES } from '../../lib/constructs/log-host/agent-config';
import { reingestRecords, type PutRecordsSender } from '../../lambda/firehose-transform/reingest';
import { MAX_SPLIT_PIECES, splitAtBadLines, splitToFit, transformEvent } from '../../lambda/firehose-transform/transform';
import { FIREHOSE_RESPONSE_LIMIT_BYTES, MAX_OUTPUT_EXPANSION } from '../../contracts/limits';
import { packLikeAgent } from '../../local/corpus';
import { firehoseEvent, SOURCE_STREAM_ARN } from './helpers/firehose-events';

/** The largest record the agent sends: one flush of combined-format access lines, packed to the limit. */
function fullRecord(format: 'combined' | 'common'): Buffer {
  const lines = generateLogLines({ count: 12_000, seed: 5, formats: [format], start: new Date(Date.UTC(2026, 10, 25)) }).map((g) =>
    Buffer.from(g.line),
  );
  const [first] = packLikeAgent(lines, lines.length);
  expect(first.length).toBeLessThanOrEqual(KINESIS_AGGREGATED_RECORD_MAX_BYTES);
  expect(first.length).toBeGreaterThan(KINESIS_AGGREGATED_RECORD_MAX_BYTES - 400); // within a line of the limit
  return first;
}

/** Fluent Bit's partition key: a 10-character id and up to 8 digits of hash. */
const AGENT_PARTITION_KEY = 'a1b2c3d4e512345678';

/** Accepts every entry, checking Kinesis' own limit (data plus partition key at most 1 MiB), and keeps what it got. */
class AcceptingStream implements PutRecordsSender {
  readonly written: { data: Buffer; partitionKey: string }[] = [];
  async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
    const entries = command.input.Records ?? [];
    for (const entry of entries) {
      const data = Buffer.from(entry.Data!);
      expect(data.length + Buffer.byteLength(entry.PartitionKey!)).toBeLessThanOrEqual(1024 * 1024);
      this.written.push({ data, partitionKey: entry.PartitionKey! });
    }
    return {
      $metadata: {},
      FailedRecordCount: 0,
      Records: entries.map((_, i) => ({ SequenceNumber: String(i + 1), ShardId: 'shardId-000000000000' })),
    };
  }
}

describe('one packed record of up to 1 MiB', () => {
  test.each(['combined', 'common'] as const)('alone, a full record of %s lines comes back Ok within the 6 MB response', async (format) => {
    const data = fullRecord(format);
    const { response, stats } = await transformEvent(firehoseEvent([{ data, partitionKey: AGENT_PARTITION_KEY }]));
    expect(response.records[0].result).toBe('Ok');
    const json = Buffer.from(response.records[0].data!, 'base64');
    expect(json.length / data.length).toBeLessThanOrEqual(MAX_OUTPUT_EXPANSION);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(FIREHOSE_RESPONSE_LIMIT_BYTES);
    expect(stats.parsedLines).toBe(data.toString().split('\n').length - 1);
  });

  test('behind records that fill the response, it is re-ingested whole (Kinesis takes it) and comes back Ok alone', async () => {
    const data = fullRecord('combined');
    const filler = { data: fullRecord('common'), partitionKey: 'other-host' };
    const stream = new AcceptingStream();
    const event = firehoseEvent([filler, { data, partitionKey: AGENT_PARTITION_KEY }]);
    const { response } = await transformEvent(event, { reingest: (arn, records) => reingestRecords(stream, arn, records) });
    expect(response.records.map((r) => r.result)).toEqual(['Ok', 'Dropped']);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(FIREHOSE_RESPONSE_LIMIT_BYTES);
    expect(stream.written).toHaveLength(1);
    expect(stream.written[0].data.equals(data)).toBe(true);
    expect(stream.written[0].partitionKey).toBe(AGENT_PARTITION_KEY);
    // Firehose reads it again from the stream: alone it fits.
    const again = await transformEvent(firehoseEvent([{ data: stream.written[0].data, partitionKey: AGENT_PARTITION_KEY }]));
    expect(again.response.records[0].result).toBe('Ok');
    expect(event.sourceKinesisStreamArn).toBe(SOURCE_STREAM_ARN);
  });

  test('one whose output cannot fit even alone (40,000 two-byte lines: 80 kB in, over 6 MB out) is split into pieces that fit, re-ingested', async () => {
    const data = Buffer.from('x\n'.repeat(40_000));
    const stream = new AcceptingStream();
    const { response, stats } = await transformEvent(firehoseEvent([{ data, partitionKey: AGENT_PARTITION_KEY }]), {
      reingest: (arn, records) => reingestRecords(stream, arn, records),
    });
    expect(response.records[0].result).toBe('Dropped');
    expect(stats).toMatchObject({ splitRecords: 1, reingestedRecords: 1, failedRecords: 0 });
    expect(stream.written.length).toBeGreaterThan(1);
    expect(Buffer.concat(stream.written.map((w) => w.data)).equals(data)).toBe(true); // every byte, in order, once
    expect(new Set(stream.written.map((w) => w.partitionKey))).toEqual(new Set([AGENT_PARTITION_KEY]));
    for (const piece of stream.written) {
      const again = await transformEvent(firehoseEvent([{ data: piece.data, partitionKey: AGENT_PARTITION_KEY }]));
      expect(again.response.records[0].result).toBe('Ok');
    }
  });

  test('without a stream to re-ingest into (Direct PUT), that record is ProcessingFailed with its bytes: kept, not lost', async () => {
    const data = Buffer.from('x\n'.repeat(40_000));
    const { response, failures } = await transformEvent(firehoseEvent([{ data }], { directPut: true }), {
      reingest: async () => ({ reingested: new Set(), failed: new Map() }),
    });
    expect(response.records[0].result).toBe('ProcessingFailed');
    expect(failures[0].reason).toBe('output-exceeds-response-cap');
    // The original bytes go back as data (Firehose writes the raw record under the error prefix either way).
    expect(Buffer.from(response.records[0].data!, 'base64').equals(data)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(FIREHOSE_RESPONSE_LIMIT_BYTES);
  });
});

describe('a packed record with a line that is not UTF-8 text', () => {
  const good = (n: number) =>
    Buffer.from(Array.from({ length: n }, (_, i) => `10.0.0.${i} - - [25/Nov/2026:11:52:39 +0000] "GET / HTTP/1.1" 200 5\n`).join(''));
  const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]); // 'café' in Latin-1, not UTF-8

  test('is split: the good lines around it come back Ok, the bad line alone is ProcessingFailed with only its bytes', async () => {
    const data = Buffer.concat([good(20), latin1, good(29)]);
    const stream = new AcceptingStream();
    const { response, stats } = await transformEvent(firehoseEvent([{ data, partitionKey: AGENT_PARTITION_KEY }]), {
      reingest: (arn, records) => reingestRecords(stream, arn, records),
    });
    expect(response.records[0].result).toBe('Dropped');
    expect(stats.splitRecords).toBe(1);
    expect(stream.written.map((w) => w.data)).toEqual([good(20), latin1, good(29)]);
    const results = [];
    for (const piece of stream.written) results.push((await transformEvent(firehoseEvent([{ data: piece.data }]))).response.records[0]);
    expect(results.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed', 'Ok']);
    expect(Buffer.from(results[1].data!, 'base64').equals(latin1)).toBe(true);
  });

  test('pieces not all re-ingested: the whole record is ProcessingFailed with its bytes (kept, never lost)', async () => {
    const data = Buffer.concat([good(3), latin1, good(3)]);
    const { response, failures } = await transformEvent(firehoseEvent([{ data }]), {
      reingest: async (_arn, records) => ({
        reingested: new Set([records[0].recordId]),
        failed: new Map(records.slice(1).map((r) => [r.recordId, 'ProvisionedThroughputExceededException: Rate exceeded'])),
      }),
    });
    expect(response.records[0].result).toBe('ProcessingFailed');
    expect(failures[0]).toMatchObject({ reason: 'reingest-failed' });
    expect(failures[0].detail).toMatch(/^2 of 3 pieces \(split for invalid-utf8\) not re-ingested: ProvisionedThroughputExceededException/);
    expect(Buffer.from(response.records[0].data!, 'base64').equals(data)).toBe(true);
  });

  test('a single line, gzip, or a mostly binary record is never split (no re-ingest loop)', () => {
    expect(splitAtBadLines(latin1)).toBeNull();
    expect(splitToFit(Buffer.from('x'.repeat(1000)), 10_000_000, 1000)).toBeNull();
    expect(splitAtBadLines(Buffer.from([0x1f, 0x8b, 0x0a, 0xff, 0x0a]))).toBeNull();
    expect(splitAtBadLines(Buffer.from('\u0000\n'.repeat(MAX_SPLIT_PIECES + 1)))).toBeNull();
  });
});
