/**
 * Benchmark of the bundled Firehose transform against a floor measured in the same run.
 *
 * The floor is the least any transform must do with a Firehose batch: decode the event, base64-decode and
 * re-encode every record, serialize the response. The handler does that plus parsing every line into the
 * record schema. Both run on the same batch, as large as the configured processor buffer delivers,
 * interleaved, and the report gives the ratio of their medians: a figure that holds on a noisy shared
 * machine where absolute times do not.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { STAGE_CONFIGS } from '../lib/config';
import { FIREHOSE_RESPONSE_LIMIT_BYTES, MAX_OUTPUT_EXPANSION } from '../lambda/shared/limits';
import { generateLogLines } from '../generator/log-lines';
import { bundleLambda, loadBundledHandler } from '../local/bundle';

export interface TransformBenchResult {
  readonly records: number;
  readonly rawBytes: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly outputBytes: number;
  readonly handlerMedianMs: number;
  readonly floorMedianMs: number;
  readonly ratio: number;
  readonly recordsPerSecond: number;
  readonly expansion: number;
  readonly bundleBytes: number;
  readonly bundleGzipBytes: number;
}

const TARGET_RATIO = 1.8;

/** A Firehose event carrying `bufferMiB` MiB of generated lines, one line per Kinesis record. */
export function buildBatch(bufferMiB: number, seed = 7): { event: FirehoseTransformationEvent; rawBytes: number } {
  const budget = bufferMiB * 1024 * 1024;
  const records: FirehoseTransformationEvent['records'] = [];
  const arrival = Date.UTC(2026, 0, 1);
  let rawBytes = 0;
  let sequence = 49_600_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  while (rawBytes < budget) {
    for (const { line } of generateLogLines({ count: 1000, seed: seed++ })) {
      const data = Buffer.from(`${line}\n`);
      if (rawBytes + data.length > budget) return { event: eventOf(records), rawBytes };
      rawBytes += data.length;
      sequence += 1n;
      records.push({
        recordId: `${records.length}`.padStart(12, '0'),
        approximateArrivalTimestamp: arrival + records.length,
        data: data.toString('base64'),
        kinesisRecordMetadata: {
          shardId: 'shardId-000000000000',
          partitionKey: 'bench-host',
          approximateArrivalTimestamp: arrival + records.length,
          sequenceNumber: sequence.toString(),
          subsequenceNumber: '0',
        },
      } as FirehoseTransformationEvent['records'][number]);
    }
  }
  return { event: eventOf(records), rawBytes };
}

function eventOf(records: FirehoseTransformationEvent['records']): FirehoseTransformationEvent {
  return {
    invocationId: 'bench',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/bench',
    sourceKinesisStreamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/bench',
    region: 'us-east-1',
    records,
  } as FirehoseTransformationEvent;
}

/** The floor: what any transform must do with the batch, and nothing more. */
export async function floorTransform(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
  return {
    records: event.records.map((record) => ({
      recordId: record.recordId,
      result: 'Ok' as const,
      data: Buffer.from(record.data, 'base64').toString('base64'),
    })),
  };
}

/** Runs `fn` on a fresh parse of the serialized request, as Lambda would, and serializes the result. */
async function timeOnce(
  fn: (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>,
  request: string,
): Promise<{ ms: number; response: string }> {
  const started = process.hrtime.bigint();
  const result = await fn(JSON.parse(request) as FirehoseTransformationEvent);
  const response = JSON.stringify(result);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, response };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Silences stdout while `fn` runs: the handler's structured logs and EMF metrics would flood the report. */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

export async function runTransformBench(options: { iterations?: number; bufferMiB?: number } = {}): Promise<TransformBenchResult> {
  const iterations = options.iterations ?? 15;
  const bufferMiB = options.bufferMiB ?? STAGE_CONFIGS.dev.delivery.processorBufferSizeMiB;

  // Re-ingest is never reached at this batch size; the client still needs a region to load.
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const bundlePath = await bundleLambda('firehose-transform');
  const handler = loadBundledHandler<FirehoseTransformationEvent, FirehoseTransformationResult>(bundlePath);
  const bundle = fs.readFileSync(bundlePath);

  const { event, rawBytes } = buildBatch(bufferMiB);
  const request = JSON.stringify(event);

  const handlerMs: number[] = [];
  const floorMs: number[] = [];
  let response = '';
  await quietly(async () => {
    // Warm up both paths (JIT, module init) before measuring.
    for (let i = 0; i < 3; i++) {
      await timeOnce(handler, request);
      await timeOnce(floorTransform, request);
    }
    for (let i = 0; i < iterations; i++) {
      const h = await timeOnce(handler, request);
      handlerMs.push(h.ms);
      response = h.response;
      floorMs.push((await timeOnce(floorTransform, request)).ms);
    }
  });

  const result = JSON.parse(response) as FirehoseTransformationResult;
  if (result.records.length !== event.records.length) {
    throw new Error(`the handler returned ${result.records.length} records for ${event.records.length} inputs`);
  }
  const outputBytes = result.records.reduce((sum, r) => sum + (r.result === 'Ok' ? Buffer.byteLength(r.data ?? '', 'base64') : 0), 0);
  const handlerMedianMs = median(handlerMs);
  const floorMedianMs = median(floorMs);
  return {
    records: event.records.length,
    rawBytes,
    requestBytes: Buffer.byteLength(request),
    responseBytes: Buffer.byteLength(response),
    outputBytes,
    handlerMedianMs,
    floorMedianMs,
    ratio: handlerMedianMs / floorMedianMs,
    recordsPerSecond: event.records.length / (handlerMedianMs / 1000),
    expansion: outputBytes / rawBytes,
    bundleBytes: bundle.length,
    bundleGzipBytes: zlib.gzipSync(bundle).length,
  };
}

export function formatTransformReport(r: TransformBenchResult): string {
  const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;
  const verdict = r.ratio <= TARGET_RATIO ? 'within' : 'OVER';
  return [
    'Firehose transform (bundled handler) vs floor (decode, base64 round trip, serialize)',
    `  batch              ${r.records} records, ${mb(r.rawBytes)} raw, request ${mb(r.requestBytes)}`,
    `  handler median     ${r.handlerMedianMs.toFixed(1)} ms   (${Math.round(r.recordsPerSecond).toLocaleString('en-US')} records/s)`,
    `  floor median       ${r.floorMedianMs.toFixed(1)} ms`,
    `  ratio              ${r.ratio.toFixed(2)}x the floor (target <= ${TARGET_RATIO}x: ${verdict})`,
    `  output expansion   ${r.expansion.toFixed(2)}x raw bytes (limit used for buffer sizing: ${MAX_OUTPUT_EXPANSION}x)`,
    `  response size      ${mb(r.responseBytes)} of the ${mb(FIREHOSE_RESPONSE_LIMIT_BYTES)} cap (${((100 * r.responseBytes) / FIREHOSE_RESPONSE_LIMIT_BYTES).toFixed(0)}%)`,
    `  bundle             ${(r.bundleBytes / 1024).toFixed(0)} KiB (${(r.bundleGzipBytes / 1024).toFixed(0)} KiB gzipped)`,
  ].join('\n');
}
