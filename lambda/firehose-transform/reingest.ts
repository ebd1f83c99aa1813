/**
 * Re-ingest: writes records whose transformed output did not fit in this Firehose response back into the
 * source Kinesis stream (their ORIGINAL bytes, same partition key), as AWS's CloudWatch Logs processor
 * blueprint does. Firehose then delivers them again in a later, smaller batch; here they become Dropped.
 *
 * PutRecords limits: at most 500 records and 5 MiB (data + partition keys) per call, 1 MiB per record.
 * PutRecords is not atomic: failed entries (throttling, internal errors) are retried, alone, with
 * exponential backoff and full jitter, a bounded number of times; whatever still fails is reported so the
 * caller marks it ProcessingFailed (kept under the error prefix, never lost). A deadline keeps all of it
 * inside the Lambda's timeout.
 */
import { PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { DEFAULT_REINGEST_MAX_ATTEMPTS } from './reingest-defaults';
import type { OverflowRecord, ReingestOutcome } from './transform';

/** The one method of KinesisClient that re-ingest needs; tests pass an in-memory stream. */
export interface PutRecordsSender {
  send(command: PutRecordsCommand, options?: { abortSignal?: AbortSignal }): Promise<PutRecordsCommandOutput>;
}

export const PUT_RECORDS_MAX_RECORDS = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
export const KINESIS_MAX_RECORD_BYTES = 1024 * 1024;

export interface ReingestOptions {
  /**
   * PutRecords attempts per batch, the first included.
   * @default 4
   */
  readonly maxAttempts?: number;
  /**
   * Backoff cap before attempt n+1 is min(maxDelayMs, baseDelayMs * 2^(n-1)), fully jittered.
   * @default 100
   */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /**
   * Epoch ms by which re-ingest must be done (the Lambda's remaining time minus a margin): no attempt
   * starts after it, and a call still running then is aborted. Unsent records are reported as failed.
   * @default no deadline
   */
  readonly deadlineMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface ReingestReport extends ReingestOutcome {
  /** PutRecords calls made, retries included. */
  readonly putRecordsCalls: number;
}

export { DEFAULT_REINGEST_MAX_ATTEMPTS };

function bytesOf(record: OverflowRecord): number {
  return record.data.length + Buffer.byteLength(record.partitionKey);
}

/** Splits records into PutRecords batches within the count and size limits, keeping their order. */
export function planPutRecordsBatches(records: readonly OverflowRecord[]): OverflowRecord[][] {
  const batches: OverflowRecord[][] = [];
  let batch: OverflowRecord[] = [];
  let batchBytes = 0;
  for (const record of records) {
    const size = bytesOf(record);
    if (batch.length > 0 && (batch.length === PUT_RECORDS_MAX_RECORDS || batchBytes + size > PUT_RECORDS_MAX_BYTES)) {
      batches.push(batch);
      batch = [];
      batchBytes = 0;
    }
    batch.push(record);
    batchBytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes the records to the stream; never throws (a failed call counts as failed entries). */
export async function reingestRecords(
  sender: PutRecordsSender,
  streamArn: string,
  records: readonly OverflowRecord[],
  options: ReingestOptions = {},
): Promise<ReingestReport> {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_REINGEST_MAX_ATTEMPTS));
  const baseDelayMs = options.baseDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 2000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const deadlineMs = options.deadlineMs ?? Infinity;

  const reingested = new Set<string>();
  const failed = new Map<string, string>();
  let putRecordsCalls = 0;

  const writable: OverflowRecord[] = [];
  for (const record of records) {
    if (record.partitionKey.length === 0 || bytesOf(record) > KINESIS_MAX_RECORD_BYTES) {
      failed.set(record.recordId, 'record exceeds the Kinesis 1 MiB record limit or has no partition key');
    } else {
      writable.push(record);
    }
  }

  for (const batch of planPutRecordsBatches(writable)) {
    let pending = batch;
    const lastError = new Map<string, string>();
    for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) {
        const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2));
        const delay = Math.floor(random() * cap);
        if (now() + delay >= deadlineMs) break;
        await sleep(delay);
      }
      const remainingMs = deadlineMs - now();
      if (remainingMs <= 0) {
        for (const record of pending)
          if (!lastError.has(record.recordId)) lastError.set(record.recordId, 'deadline reached before re-ingest');
        break;
      }
      putRecordsCalls++;
      let output: PutRecordsCommandOutput;
      const abort = Number.isFinite(remainingMs) ? AbortSignal.timeout(remainingMs) : undefined;
      try {
        output = await sender.send(
          new PutRecordsCommand({
            StreamARN: streamArn,
            Records: pending.map((record) => ({ Data: record.data, PartitionKey: record.partitionKey })),
          }),
          abort === undefined ? undefined : { abortSignal: abort },
        );
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        for (const record of pending) lastError.set(record.recordId, message);
        continue;
      }
      const entries = output.Records ?? [];
      const stillPending: OverflowRecord[] = [];
      pending.forEach((record, index) => {
        const entry = entries[index];
        if (entry !== undefined && !entry.ErrorCode && entry.SequenceNumber) {
          reingested.add(record.recordId);
        } else {
          lastError.set(
            record.recordId,
            entry === undefined ? 'no result entry in the PutRecords response' : `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`,
          );
          stillPending.push(record);
        }
      });
      pending = stillPending;
    }
    for (const record of pending) failed.set(record.recordId, lastError.get(record.recordId) ?? 'not written');
  }
  return { reingested, failed, putRecordsCalls };
}
