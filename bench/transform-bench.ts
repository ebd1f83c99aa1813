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
import { FIREHOSE_RESPONSE_LIMIT_BYTES, MAX_OUTPUT_EXPANSION } from '../contracts/limits';
import { generateLogLines, LOG_FORMATS, type LogFormat } from '../generator/log-lines';
import { bundleLambda, loadBundledHandler } from '../local/bundle';

export interface TransformBenchResult {
  readonly records: number;
  readonly rawBytes: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly outputBytes: number;
  readonly handlerMedianMs: number;
  readonly floorMedianMs: number;
  readonly idealMedianMs: number;
  readonly ratio: number;
  readonly idealRatio: number;
  readonly perFormat: readonly BatchTimes[];
  readonly recordsPerSecond: number;
  readonly expansion: number;
  readonly bundleBytes: number;
  readonly bundleGzipBytes: number;
}

const TARGET_RATIO = 1.8;
/** Issue 11's target against the ideal emitter, on the mixed batch and on each format alone. */
const IDEAL_TARGET_RATIO = 2;

/** A Firehose event carrying `bufferMiB` MiB of generated lines, one line per Kinesis record. */
export function buildBatch(
  bufferMiB: number,
  seed = 7,
  formats?: readonly LogFormat[],
): { event: FirehoseTransformationEvent; rawBytes: number } {
  const budget = bufferMiB * 1024 * 1024;
  const records: FirehoseTransformationEvent['records'] = [];
  const arrival = Date.UTC(2026, 0, 1);
  let rawBytes = 0;
  let sequence = 49_600_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  while (rawBytes < budget) {
    for (const { line } of generateLogLines({ count: 1000, seed: seed++, formats })) {
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

/**
 * The second floor, the "ideal emitter": decode every record as any transform must, then emit the handler's
 * own output, precomputed (decoded from one handler response), base64-encoded. What a transform that
 * parsed for free would still pay for an output of this size.
 */
export function idealEmitter(
  handlerResponse: FirehoseTransformationResult,
): (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult> {
  const outputs = handlerResponse.records.map((r) => ({
    result: r.result,
    bytes: r.data === undefined ? undefined : Buffer.from(r.data, 'base64'),
  }));
  return async (event) => ({
    records: event.records.map((record, i) => {
      void Buffer.from(record.data, 'base64');
      const { result, bytes } = outputs[i];
      return bytes === undefined
        ? { recordId: record.recordId, result }
        : { recordId: record.recordId, result, data: bytes.toString('base64') };
    }),
  });
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

/** Handler, floor and ideal emitter on one batch, interleaved; medians in ms. */
export interface BatchTimes {
  readonly label: string;
  readonly records: number;
  readonly handlerMedianMs: number;
  readonly floorMedianMs: number;
  readonly idealMedianMs: number;
  readonly ratio: number;
  readonly idealRatio: number;
}

type Transform = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

async function timeBatch(
  label: string,
  handler: Transform,
  event: FirehoseTransformationEvent,
  iterations: number,
): Promise<{ times: BatchTimes; response: string }> {
  const request = JSON.stringify(event);
  const handlerMs: number[] = [];
  const floorMs: number[] = [];
  const idealMs: number[] = [];
  let response = '';
  await quietly(async () => {
    // Warm up every path (JIT, module init) before measuring; the first response feeds the ideal emitter.
    response = (await timeOnce(handler, request)).response;
    const ideal = idealEmitter(JSON.parse(response) as FirehoseTransformationResult);
    for (let i = 0; i < 3; i++) {
      await timeOnce(handler, request);
      await timeOnce(floorTransform, request);
      await timeOnce(ideal, request);
    }
    for (let i = 0; i < iterations; i++) {
      const h = await timeOnce(handler, request);
      handlerMs.push(h.ms);
      response = h.response;
      floorMs.push((await timeOnce(floorTransform, request)).ms);
      idealMs.push((await timeOnce(ideal, request)).ms);
    }
  });
  const handlerMedianMs = median(handlerMs);
  const floorMedianMs = median(floorMs);
  const idealMedianMs = median(idealMs);
  const times: BatchTimes = {
    label,
    records: event.records.length,
    handlerMedianMs,
    floorMedianMs,
    idealMedianMs,
    ratio: handlerMedianMs / floorMedianMs,
    idealRatio: handlerMedianMs / idealMedianMs,
  };
  return { times, response };
}

export async function runTransformBench(options: { iterations?: number; bufferMiB?: number } = {}): Promise<TransformBenchResult> {
  const iterations = options.iterations ?? 15;
  const bufferMiB = options.bufferMiB ?? STAGE_CONFIGS.dev.delivery.processorBufferSizeMiB;

  // Re-ingest is never reached at this batch size (and its client is loaded only when it is).
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const bundlePath = await bundleLambda('firehose-transform');
  const handler = loadBundledHandler<FirehoseTransformationEvent, FirehoseTransformationResult>(bundlePath);
  const bundle = fs.readFileSync(bundlePath);

  const { event, rawBytes } = buildBatch(bufferMiB);
  const request = JSON.stringify(event);
  const { times: mixed, response } = await timeBatch('mixed', handler, event, iterations);
  const perFormat: BatchTimes[] = [];
  for (const format of LOG_FORMATS) {
    perFormat.push((await timeBatch(format, handler, buildBatch(bufferMiB, 7, [format]).event, iterations)).times);
  }

  const result = JSON.parse(response) as FirehoseTransformationResult;
  if (result.records.length !== event.records.length) {
    throw new Error(`the handler returned ${result.records.length} records for ${event.records.length} inputs`);
  }
  const outputBytes = result.records.reduce((sum, r) => sum + (r.result === 'Ok' ? Buffer.byteLength(r.data ?? '', 'base64') : 0), 0);
  return {
    records: event.records.length,
    rawBytes,
    requestBytes: Buffer.byteLength(request),
    responseBytes: Buffer.byteLength(response),
    outputBytes,
    handlerMedianMs: mixed.handlerMedianMs,
    floorMedianMs: mixed.floorMedianMs,
    idealMedianMs: mixed.idealMedianMs,
    ratio: mixed.ratio,
    idealRatio: mixed.idealRatio,
    perFormat,
    recordsPerSecond: event.records.length / (mixed.handlerMedianMs / 1000),
    expansion: outputBytes / rawBytes,
    bundleBytes: bundle.length,
    bundleGzipBytes: zlib.gzipSync(bundle).length,
  };
}

export function formatTransformReport(r: TransformBenchResult): string {
  const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;
  const verdict = (ratio: number, target: number) => (ratio <= target ? 'within' : 'OVER');
  return [
    'Firehose transform (bundled handler) vs two floors: decode + base64 round trip + serialize, and the ideal emitter',
    "(decode + emit the handler's own precomputed output, base64-encoded)",
    `  batch              ${r.records} records, ${mb(r.rawBytes)} raw, request ${mb(r.requestBytes)}`,
    `  handler median     ${r.handlerMedianMs.toFixed(1)} ms   (${Math.round(r.recordsPerSecond).toLocaleString('en-US')} records/s)`,
    `  floor median       ${r.floorMedianMs.toFixed(1)} ms`,
    `  ideal emitter      ${r.idealMedianMs.toFixed(1)} ms`,
    `  ratio              ${r.ratio.toFixed(2)}x the floor (target <= ${TARGET_RATIO}x: ${verdict(r.ratio, TARGET_RATIO)})`,
    `  ratio to ideal     ${r.idealRatio.toFixed(2)}x the ideal emitter (target <= ${IDEAL_TARGET_RATIO}x: ${verdict(r.idealRatio, IDEAL_TARGET_RATIO)})`,
    '  each format alone  (same batch size)',
    ...r.perFormat.map(
      (f) =>
        `    ${f.label.padEnd(16)} ${f.handlerMedianMs.toFixed(1).padStart(6)} ms  ${f.ratio.toFixed(2)}x floor (${f.floorMedianMs.toFixed(1)} ms)  ` +
        `${f.idealRatio.toFixed(2)}x ideal (${f.idealMedianMs.toFixed(1)} ms): ${verdict(f.idealRatio, IDEAL_TARGET_RATIO)}`,
    ),
    `  output expansion   ${r.expansion.toFixed(2)}x raw bytes (limit used for buffer sizing: ${MAX_OUTPUT_EXPANSION}x)`,
    `  response size      ${mb(r.responseBytes)} of the ${mb(FIREHOSE_RESPONSE_LIMIT_BYTES)} cap (${((100 * r.responseBytes) / FIREHOSE_RESPONSE_LIMIT_BYTES).toFixed(0)}%)`,
    `  bundle             ${(r.bundleBytes / 1024).toFixed(0)} KiB (${(r.bundleGzipBytes / 1024).toFixed(0)} KiB gzipped)`,
  ].join('\n');
}
