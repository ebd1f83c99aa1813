/**
 * Benchmark of the bundled Kafka consumer against a floor measured in the same run.
 *
 * The batch is the largest the event source mapping delivers: up to 10,000 records (the mapping's maximum
 * batch size for Kafka) and at most a 6 MB invocation payload; generated lines of all five formats, two per
 * record so that 10,000 records come close to the payload cap. The floor is the least any consumer must do
 * with it: decode every base64 value and gzip the same bytes (same zlib level) into one object. The handler
 * does that plus parsing every line into the record schema, and puts its object with the real S3 client to
 * a local endpoint that accepts and discards it (loopback, so the network costs next to nothing).
 * Both run interleaved on a fresh parse of the serialized event; the report gives the ratio of medians.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { generateLogLines } from '../generator/log-lines';
import { functionEnvironment } from '../lib/lambda-bundling';
import { bundleLambda, loadBundledHandler } from '../local/bundle';
import { INVOCATION_PAYLOAD_LIMIT_BYTES } from '../local/kafka/event-source-mapping';
import { median, quietly } from './transform-bench';

/** The Kafka event source mapping's largest BatchSize. */
export const MAX_KAFKA_BATCH_RECORDS = 10_000;
const LINES_PER_RECORD = 2;

export interface ConsumerBenchResult {
  readonly records: number;
  readonly lines: number;
  readonly valueBytes: number;
  readonly payloadBytes: number;
  readonly handlerMedianMs: number;
  readonly floorMedianMs: number;
  readonly ratio: number;
  readonly recordsPerSecond: number;
  readonly linesPerSecond: number;
  readonly objectBytes: number;
  readonly objectJsonBytes: number;
  readonly floorObjectBytes: number;
  readonly bundleBytes: number;
}

/** An MSK event with as many records as the mapping delivers at once (10,000, within 6 MB). */
export function buildMskBatch(seed = 9): { event: MSKEvent; lines: number; valueBytes: number } {
  const records: MSKRecord[] = [];
  const base = Date.UTC(2026, 0, 1);
  // The envelope, generously; each record adds its JSON and a comma.
  let payload = 512;
  let valueBytes = 0;
  let pending: string[] = [];
  while (records.length < MAX_KAFKA_BATCH_RECORDS) {
    for (const { line } of generateLogLines({ count: 1000, seed: seed++ })) {
      pending.push(line);
      if (pending.length < LINES_PER_RECORD) continue;
      const value = Buffer.from(pending.join('\n'));
      pending = [];
      const record: MSKRecord = {
        topic: 'logs',
        partition: 0,
        offset: 1_000_000 + records.length,
        timestamp: base + records.length,
        timestampType: 'CREATE_TIME',
        key: Buffer.from('bench-host').toString('base64'),
        value: value.toString('base64'),
        headers: [],
      };
      const size = Buffer.byteLength(JSON.stringify(record)) + 1;
      if (payload + size > INVOCATION_PAYLOAD_LIMIT_BYTES || records.length === MAX_KAFKA_BATCH_RECORDS) {
        return { event: eventOf(records), lines: records.length * LINES_PER_RECORD, valueBytes };
      }
      payload += size;
      valueBytes += value.length;
      records.push(record);
    }
  }
  return { event: eventOf(records), lines: records.length * LINES_PER_RECORD, valueBytes };
}

function eventOf(records: MSKRecord[]): MSKEvent {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/bench/00000000-0000-0000-0000-000000000000-1',
    bootstrapServers: 'b-1.bench.kafka.us-east-1.amazonaws.com:9098',
    records: { 'logs-0': records },
  };
}

/** The floor: decode every value, gzip the same bytes into one object. */
export async function floorConsumer(event: MSKEvent): Promise<Buffer> {
  const values: Buffer[] = [];
  for (const records of Object.values(event.records)) {
    for (const record of records) values.push(Buffer.from(record.value, 'base64'), NEWLINE);
  }
  return zlib.gzipSync(Buffer.concat(values));
}
const NEWLINE = Buffer.from('\n');

/** Accepts PutObject and keeps only the size of the last body. */
async function startSink(): Promise<{ endpoint: string; lastBodyBytes: () => number; lastBody: () => Buffer; close: () => Promise<void> }> {
  let last = Buffer.alloc(0);
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      last = Buffer.concat(chunks);
      response.writeHead(200, { etag: '"bench"' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lastBodyBytes: () => last.length,
    lastBody: () => last,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function runConsumerBench(options: { iterations?: number } = {}): Promise<ConsumerBenchResult> {
  const iterations = options.iterations ?? 15;
  const sink = await startSink();
  try {
    Object.assign(process.env, functionEnvironment('kafka-consumer'), {
      LAKE_BUCKET: 'bench-lake',
      AWS_ENDPOINT_URL_S3: sink.endpoint,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    const bundlePath = await bundleLambda('kafka-consumer');
    const handler = loadBundledHandler<MSKEvent, { batchItemFailures: unknown[] }>(bundlePath);

    const { event, lines, valueBytes } = buildMskBatch();
    const request = JSON.stringify(event);
    const records = event.records['logs-0'].length;

    const handlerMs: number[] = [];
    const floorMs: number[] = [];
    let floorObjectBytes = 0;
    const time = async (fn: () => Promise<unknown>): Promise<number> => {
      const started = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    await quietly(async () => {
      const runHandler = async () => {
        const response = await handler(JSON.parse(request) as MSKEvent);
        if (response.batchItemFailures.length > 0) throw new Error(`the handler reported failures: ${JSON.stringify(response)}`);
      };
      const runFloor = async () => {
        floorObjectBytes = (await floorConsumer(JSON.parse(request) as MSKEvent)).length;
      };
      for (let i = 0; i < 3; i++) {
        await runHandler();
        await runFloor();
      }
      for (let i = 0; i < iterations; i++) {
        handlerMs.push(await time(runHandler));
        floorMs.push(await time(runFloor));
      }
    });

    const object = sink.lastBody();
    const json = zlib.gunzipSync(object);
    const objectLines = json.toString('utf8').split('\n').filter(Boolean).length;
    if (objectLines !== lines) throw new Error(`the object holds ${objectLines} records for ${lines} lines`);
    const handlerMedianMs = median(handlerMs);
    const floorMedianMs = median(floorMs);
    return {
      records,
      lines,
      valueBytes,
      payloadBytes: Buffer.byteLength(request),
      handlerMedianMs,
      floorMedianMs,
      ratio: handlerMedianMs / floorMedianMs,
      recordsPerSecond: records / (handlerMedianMs / 1000),
      linesPerSecond: lines / (handlerMedianMs / 1000),
      objectBytes: object.length,
      objectJsonBytes: json.length,
      floorObjectBytes,
      bundleBytes: fs.statSync(bundlePath).size,
    };
  } finally {
    await sink.close();
  }
}

export function formatConsumerReport(r: ConsumerBenchResult): string {
  const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;
  return [
    'Kafka consumer (bundled handler, S3 put to a local sink) vs floor (decode every value, gzip the same bytes)',
    `  batch              ${r.records.toLocaleString('en-US')} records (the mapping's maximum), ${r.lines.toLocaleString('en-US')} lines, ${mb(r.valueBytes)} of values, payload ${mb(r.payloadBytes)} of the ${mb(INVOCATION_PAYLOAD_LIMIT_BYTES)} cap`,
    `  handler median     ${r.handlerMedianMs.toFixed(1)} ms   (${Math.round(r.recordsPerSecond).toLocaleString('en-US')} records/s, ${Math.round(r.linesPerSecond).toLocaleString('en-US')} lines/s)`,
    `  floor median       ${r.floorMedianMs.toFixed(1)} ms`,
    `  ratio              ${r.ratio.toFixed(2)}x the floor`,
    `  object             ${mb(r.objectBytes)} GZIP (${mb(r.objectJsonBytes)} of JSON lines, ${(r.objectJsonBytes / r.valueBytes).toFixed(2)}x the values; floor's gzip of the raw values ${mb(r.floorObjectBytes)})`,
    `  bundle             ${(r.bundleBytes / 1024).toFixed(0)} KiB`,
  ].join('\n');
}
