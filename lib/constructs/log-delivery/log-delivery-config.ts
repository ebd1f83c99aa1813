/** Stage settings of the Firehose delivery, and their validation (no CDK: lib/config.ts imports it). */
import { maxSafeProcessorBufferMiB, MAX_OUTPUT_EXPANSION } from '../../../contracts/limits';
import type { Problems } from '../../problems';

export interface DeliveryConfig {
  /** Firehose buffers this long before writing an object, 0–900 seconds. */
  readonly bufferIntervalSeconds: number;
  /** …or until this much data is buffered, 1–128 MiB. */
  readonly bufferSizeMiB: number;
  /** Data Firehose hands the transform Lambda per call: whole MiB, at most what the 6 MB response cap allows. */
  readonly processorBufferSizeMiB: number;
  /** Longest wait before calling the transform with a partial buffer, 60–900 seconds. */
  readonly processorBufferIntervalSeconds: number;
  /** Also keep every source record, untransformed, under the backup/ prefix. */
  readonly backupSourceRecords: boolean;
}

export function deliveryConfigProblems(delivery: DeliveryConfig, problems: Problems): void {
  problems.integer('delivery.bufferIntervalSeconds', delivery.bufferIntervalSeconds, 0, 900);
  problems.integer('delivery.bufferSizeMiB', delivery.bufferSizeMiB, 1, 128);
  problems.integer(
    'delivery.processorBufferSizeMiB',
    delivery.processorBufferSizeMiB,
    1,
    maxSafeProcessorBufferMiB(),
    `the transform's output is up to ${MAX_OUTPUT_EXPANSION}x its input and base64 adds a third, so a larger buffer risks Firehose's 6 MB response cap`,
  );
  problems.integer('delivery.processorBufferIntervalSeconds', delivery.processorBufferIntervalSeconds, 60, 900);
}
