/**
 * Writes records to a Kinesis stream with PutRecords as a log agent does: batches within the API's
 * limits (500 records, 5 MiB), and entries that fail individually (throttling, internal errors) retried
 * with backoff until they land, so nothing is silently lost.
 */
import { createHash } from 'node:crypto';
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

export const PUT_RECORDS_MAX_ENTRIES = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
export const KINESIS_RECORD_MAX_BYTES = 1024 * 1024;

/** Some entries still failed after every retry; the message names the error codes seen. */
export class PutRecordsFailedError extends Error {
  constructor(
    readonly failedCount: number,
    readonly errorCodes: readonly string[],
  ) {
    super(`${failedCount} record(s) could not be written after retries (errors: ${errorCodes.join(', ') || 'unknown'})`);
    this.name = 'PutRecordsFailedError';
  }
}

export interface PutOptions {
  /** Attempts per entry, the first included. @default 8 */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt. @default 50 */
  readonly baseDelayMs?: number;
  /** Called after each PutRecords call. @default none */
  readonly onBatch?: (progress: { readonly written: number; readonly total: number; readonly retried: number }) => void;
}

export interface PutReport {
  readonly records: number;
  readonly bytes: number;
  readonly calls: number;
  /** Entries that failed once and were sent again. */
  readonly retriedEntries: number;
}

/**
 * Puts each payload as one record. Partition keys are a hash of the payload's index, which spreads
 * records over every shard as independent agents would.
 */
export async function putRecords(
  kinesis: KinesisClient,
  streamArn: string,
  payloads: readonly Uint8Array[],
  options: PutOptions = {},
): Promise<PutReport> {
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 50;
  payloads.forEach((payload, index) => {
    if (payload.length > KINESIS_RECORD_MAX_BYTES) {
      throw new RangeError(`payload ${index} is ${payload.length} bytes; a Kinesis record holds at most ${KINESIS_RECORD_MAX_BYTES}`);
    }
  });
  const entries = payloads.map((payload, index) => ({ Data: payload, PartitionKey: partitionKeyFor(index) }));

  let calls = 0;
  let retriedEntries = 0;
  let written = 0;
  let bytes = 0;
  for (const batch of batches(entries)) {
    let toSend = batch;
    const errorCodes = new Set<string>();
    for (let attempt = 1; toSend.length > 0; attempt++) {
      if (attempt > maxAttempts) throw new PutRecordsFailedError(toSend.length, [...errorCodes]);
      if (attempt > 1) await sleep(baseDelayMs * 2 ** (attempt - 2));
      calls += 1;
      const response = await kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: toSend }));
      const results = response.Records ?? [];
      if (results.length !== toSend.length) {
        throw new Error(`PutRecords returned ${results.length} results for ${toSend.length} entries`);
      }
      const failed = toSend.filter((_, i) => results[i].ErrorCode);
      results.forEach((r) => r.ErrorCode && errorCodes.add(r.ErrorCode));
      for (const [i, entry] of toSend.entries()) {
        if (!results[i].ErrorCode) {
          written += 1;
          bytes += entry.Data!.length;
        }
      }
      retriedEntries += failed.length;
      toSend = failed;
      options.onBatch?.({ written, total: entries.length, retried: retriedEntries });
    }
  }
  return { records: written, bytes, calls, retriedEntries };
}

function partitionKeyFor(index: number): string {
  return createHash('sha256').update(String(index)).digest('hex').slice(0, 16);
}

/** Splits entries into PutRecords calls within the entry-count and size limits (key bytes count too). */
function* batches(entries: PutRecordsRequestEntry[]): Generator<PutRecordsRequestEntry[]> {
  let batch: PutRecordsRequestEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    const entrySize = entry.Data!.length + Buffer.byteLength(entry.PartitionKey!);
    if (batch.length > 0 && (batch.length === PUT_RECORDS_MAX_ENTRIES || size + entrySize > PUT_RECORDS_MAX_BYTES)) {
      yield batch;
      batch = [];
      size = 0;
    }
    batch.push(entry);
    size += entrySize;
  }
  if (batch.length > 0) yield batch;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
