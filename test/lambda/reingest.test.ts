import type { PutRecordsCommand, PutRecordsCommandOutput, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import {
  KINESIS_MAX_RECORD_BYTES,
  PUT_RECORDS_MAX_BYTES,
  planPutRecordsBatches,
  reingestRecords,
  type PutRecordsSender,
} from '../../lambda/firehose-transform/reingest';
import type { OverflowRecord } from '../../lambda/firehose-transform/transform';

const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/ingest';

/**
 * An in-memory Kinesis stream that answers PutRecords like the service: per-entry results, some entries
 * throttled as scripted, whole calls failing as scripted. (The real client against moto is covered by the
 * integration tests.)
 */
class ScriptedStream implements PutRecordsSender {
  readonly calls: { streamArn: string | undefined; entries: { data: Buffer; partitionKey: string }[] }[] = [];
  readonly stored: { data: Buffer; partitionKey: string }[] = [];
  private sequence = 0;

  constructor(
    /** (call number from 1, entry index, partition key) → error code to return for that entry, or undefined. */
    private readonly throttle: (call: number, index: number, partitionKey: string) => string | undefined = () => undefined,
    /** call number → error to throw for the whole call, or undefined. */
    private readonly failCall: (call: number) => Error | undefined = () => undefined,
  ) {}

  async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
    const input = command.input;
    const entries = (input.Records ?? []).map((r) => ({ data: Buffer.from(r.Data!), partitionKey: r.PartitionKey! }));
    this.calls.push({ streamArn: input.StreamARN, entries });
    const call = this.calls.length;
    const error = this.failCall(call);
    if (error) throw error;
    let failed = 0;
    const records: PutRecordsResultEntry[] = entries.map((entry, index) => {
      const code = this.throttle(call, index, entry.partitionKey);
      if (code !== undefined) {
        failed++;
        return { ErrorCode: code, ErrorMessage: 'Rate exceeded for shard shardId-000000000000' };
      }
      this.stored.push(entry);
      return { SequenceNumber: String(++this.sequence), ShardId: 'shardId-000000000000' };
    });
    return { FailedRecordCount: failed, Records: records, $metadata: {} };
  }
}

function overflow(n: number, size = 100): OverflowRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    recordId: `rec-${i}`,
    data: Buffer.alloc(size, i % 256),
    partitionKey: `pk-${i}`,
  }));
}

const noSleep = { sleep: async () => undefined };

describe('planPutRecordsBatches', () => {
  test('at most 500 records per batch, order kept', () => {
    const batches = planPutRecordsBatches(overflow(1201));
    expect(batches.map((b) => b.length)).toEqual([500, 500, 201]);
    expect(batches.flat().map((r) => r.recordId)).toEqual(overflow(1201).map((r) => r.recordId));
  });

  test('at most 5 MiB (data + partition keys) per batch', () => {
    const batches = planPutRecordsBatches(overflow(12, 900 * 1024));
    expect(batches.map((b) => b.length)).toEqual([5, 5, 2]);
    for (const batch of batches) {
      const bytes = batch.reduce((sum, r) => sum + r.data.length + Buffer.byteLength(r.partitionKey), 0);
      expect(bytes).toBeLessThanOrEqual(PUT_RECORDS_MAX_BYTES);
    }
  });
});

describe('reingestRecords', () => {
  test('writes original bytes with their partition keys to the stream ARN', async () => {
    const stream = new ScriptedStream();
    const records = overflow(3);
    const report = await reingestRecords(stream, STREAM_ARN, records, noSleep);
    expect([...report.reingested]).toEqual(['rec-0', 'rec-1', 'rec-2']);
    expect(report.failed.size).toBe(0);
    expect(stream.calls).toHaveLength(1);
    expect(stream.calls[0].streamArn).toBe(STREAM_ARN);
    expect(stream.stored).toEqual(records.map((r) => ({ data: r.data, partitionKey: r.partitionKey })));
  });

  test('retries only the failed entries, with jittered exponential backoff', async () => {
    // Call 1 throttles entries 1 and 3; call 2 throttles the first of the two again; call 3 succeeds.
    const stream = new ScriptedStream((call, index, key) =>
      (call === 1 && (index === 1 || index === 3)) || (call === 2 && index === 0 && key === 'pk-1')
        ? 'ProvisionedThroughputExceededException'
        : undefined,
    );
    const sleeps: number[] = [];
    const report = await reingestRecords(stream, STREAM_ARN, overflow(5), {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      baseDelayMs: 100,
    });
    expect(stream.calls.map((c) => c.entries.map((e) => e.partitionKey))).toEqual([
      ['pk-0', 'pk-1', 'pk-2', 'pk-3', 'pk-4'],
      ['pk-1', 'pk-3'],
      ['pk-1'],
    ]);
    expect(report.reingested.size).toBe(5);
    expect(report.failed.size).toBe(0);
    expect(report.putRecordsCalls).toBe(3);
    expect(sleeps).toEqual([50, 100]);
    // Each record stored exactly once.
    expect(stream.stored.map((e) => e.partitionKey).sort()).toEqual(['pk-0', 'pk-1', 'pk-2', 'pk-3', 'pk-4']);
  });

  test('entries still failing after maxAttempts are reported with their last error', async () => {
    const stream = new ScriptedStream((_call, index) => (index === 0 ? 'InternalFailure' : undefined));
    const report = await reingestRecords(stream, STREAM_ARN, overflow(2), { ...noSleep, maxAttempts: 3 });
    expect(stream.calls).toHaveLength(3);
    expect([...report.reingested]).toEqual(['rec-1']);
    expect(report.failed).toEqual(new Map([['rec-0', 'InternalFailure: Rate exceeded for shard shardId-000000000000']]));
  });

  test('a call that throws counts as all its entries failing, and is retried', async () => {
    const stream = new ScriptedStream(undefined, (call) =>
      call === 1 ? Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }) : undefined,
    );
    const report = await reingestRecords(stream, STREAM_ARN, overflow(4), noSleep);
    expect(stream.calls).toHaveLength(2);
    expect(report.reingested.size).toBe(4);
  });

  test('a call that always throws: every record failed, never throws', async () => {
    const stream = new ScriptedStream(undefined, () => new Error('AccessDeniedException'));
    const report = await reingestRecords(stream, STREAM_ARN, overflow(600), { ...noSleep, maxAttempts: 2 });
    expect(stream.calls).toHaveLength(4); // two batches, two attempts each
    expect(report.reingested.size).toBe(0);
    expect(report.failed.size).toBe(600);
    expect(report.failed.get('rec-599')).toBe('Error: AccessDeniedException');
  });

  test('a response with fewer entries than sent: the missing ones are retried', async () => {
    let call = 0;
    const sender: PutRecordsSender = {
      async send(command) {
        call++;
        const n = command.input.Records!.length;
        return {
          $metadata: {},
          FailedRecordCount: 0,
          Records: Array.from({ length: call === 1 ? n - 1 : n }, (_, i) => ({ SequenceNumber: `${call}-${i}`, ShardId: 's' })),
        };
      },
    };
    const report = await reingestRecords(sender, STREAM_ARN, overflow(3), noSleep);
    expect(call).toBe(2);
    expect(report.reingested.size).toBe(3);
  });

  test('a record over the 1 MiB Kinesis limit fails without a call', async () => {
    const stream = new ScriptedStream();
    const [big] = overflow(1, KINESIS_MAX_RECORD_BYTES);
    const report = await reingestRecords(stream, STREAM_ARN, [big], noSleep);
    expect(stream.calls).toHaveLength(0);
    expect(report.failed.has(big.recordId)).toBe(true);
  });

  test('no attempt starts after the deadline; unsent records are reported failed', async () => {
    let clock = 1_000;
    const stream = new ScriptedStream(() => 'ProvisionedThroughputExceededException');
    const report = await reingestRecords(stream, STREAM_ARN, overflow(3), {
      maxAttempts: 10,
      deadlineMs: 1_250,
      now: () => clock,
      random: () => 1,
      sleep: async (ms) => {
        clock += ms;
      },
      baseDelayMs: 100,
    });
    // Attempt 1 at t=1000, sleep 100 → attempt 2 at t=1100, a 200 ms sleep would pass the deadline: stop.
    expect(stream.calls).toHaveLength(2);
    expect(report.failed.size).toBe(3);
    expect(report.reingested.size).toBe(0);
  });

  test('a deadline already passed: no call at all', async () => {
    const stream = new ScriptedStream();
    const report = await reingestRecords(stream, STREAM_ARN, overflow(2), { deadlineMs: 0 });
    expect(stream.calls).toHaveLength(0);
    expect(report.failed.get('rec-0')).toBe('deadline reached before re-ingest');
  });

  test('with a deadline, each call gets an abort signal that fires at the deadline', async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const sender: PutRecordsSender = {
      send: (_command, options) => {
        signals.push(options?.abortSignal);
        // A hung endpoint: only the abort signal ends the call.
        return new Promise((_resolve, reject) =>
          options?.abortSignal?.addEventListener('abort', () => reject(new Error('Request aborted'))),
        );
      },
    };
    const started = Date.now();
    const report = await reingestRecords(sender, STREAM_ARN, overflow(1), { deadlineMs: Date.now() + 200, ...noSleep });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(signals[0]).toBeDefined();
    expect(report.failed.get('rec-0')).toContain('aborted');
  });

  test('a real KinesisClient satisfies PutRecordsSender', async () => {
    const { KinesisClient } = await import('@aws-sdk/client-kinesis');
    const client: PutRecordsSender = new KinesisClient({ region: 'eu-west-1' });
    expect(typeof client.send).toBe('function');
  });
});
