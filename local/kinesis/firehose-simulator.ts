/**
 * Delivers a Kinesis stream the way Firehose does with a Kinesis source and a transform Lambda:
 * reads every shard from TRIM_HORIZON, hands the transform batches of up to the processor buffer size
 * (with `kinesisRecordMetadata` and `sourceKinesisStreamArn`), checks the response contract, and writes
 * Ok data as GZIP objects under the raw prefix and ProcessingFailed records, in Firehose's error-record
 * format, under the processing-failed error prefix. Records the transform re-ingests into the stream are
 * read and delivered too: it keeps going until the stream is drained.
 *
 * What it leaves out on purpose: Firehose's time-based buffering (a drained stream flushes at once),
 * invocation retries (a throwing transform is a bug here, so it fails loudly), and dynamic partitioning.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord, FirehoseTransformationResult } from 'aws-lambda';
import { errorPrefixFor, rawPrefixFor } from '../../contracts/lake-layout';
import { FIREHOSE_RESPONSE_LIMIT_BYTES } from '../../contracts/limits';

/** Firehose caps the invocation request like the response. */
export const FIREHOSE_REQUEST_LIMIT_BYTES = FIREHOSE_RESPONSE_LIMIT_BYTES;
/** Error code Firehose writes for records the transform returned as ProcessingFailed. */
export const PROCESSING_FAILED_ERROR_CODE = 'Lambda.ProcessingFailedStatus';
const GET_RECORDS_LIMIT = 10_000;

export type TransformHandler = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

/** Firehose's error-record JSON for a transformation failure (one per line in processing-failed objects). */
export interface FirehoseErrorRecord {
  readonly attemptsMade: number;
  readonly arrivalTimestamp: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attemptEndingTimestamp: number;
  /** The source record's original data, base64. */
  readonly rawData: string;
  readonly lambdaArn: string;
}

/** The transform broke the Firehose contract; real Firehose would fail the whole batch. */
export class FirehoseContractError extends Error {
  constructor(
    readonly invocationId: string,
    readonly problems: readonly string[],
  ) {
    const shown = problems.slice(0, 10).map((p) => `  - ${p}`);
    if (problems.length > shown.length) shown.push(`  - … and ${problems.length - shown.length} more`);
    super(`Transform response for invocation ${invocationId} breaks the Firehose contract:\n${shown.join('\n')}`);
    this.name = 'FirehoseContractError';
  }
}

/** The stream never drained: the transform keeps re-ingesting (a loop) or records keep arriving. */
export class StreamNotDrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamNotDrainingError';
  }
}

export interface InvocationProgress {
  readonly invocation: number;
  readonly records: number;
  readonly inputBytes: number;
  readonly responseBytes: number;
  readonly ok: number;
  readonly dropped: number;
  readonly processingFailed: number;
  readonly durationMs: number;
}

export interface DeliveredObject {
  readonly key: string;
  readonly kind: 'raw' | 'processing-failed';
  /** Records (raw: transform outputs; errors: error records) in the object. */
  readonly records: number;
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
}

export interface DeliveryReport {
  readonly invocations: number;
  /** Every record read from the stream, re-ingested ones included. */
  readonly recordsRead: number;
  readonly ok: number;
  readonly dropped: number;
  readonly processingFailed: number;
  readonly largestResponseBytes: number;
  readonly objects: readonly DeliveredObject[];
}

export interface FirehoseSimulatorProps {
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  readonly streamArn: string;
  readonly bucket: string;
  readonly handler: TransformHandler;
  /** Source data per transform invocation (Firehose's processor BufferSizeInMBs), in bytes. */
  readonly processorBufferBytes: number;
  /** Data per S3 object before GZIP (Firehose's S3 buffering size), in bytes. */
  readonly deliveryBufferBytes: number;
  /**
   * Make the first invocation as large as Firehose's 6 MB request cap allows, whatever the processor
   * buffer: shows the transform's overflow handling (Dropped + re-ingest) on a small run.
   * @default false
   */
  readonly oversizedFirstBatch?: boolean;
  /**
   * Stop with StreamNotDrainingError after this many invocations (guards against re-ingest loops).
   * @default 10000
   */
  readonly maxInvocations?: number;
  /** @default a local ARN named after the stream */
  readonly deliveryStreamArn?: string;
  /** @default a local ARN */
  readonly lambdaArn?: string;
  /** Called after each invocation. @default none */
  readonly onInvocation?: (progress: InvocationProgress) => void;
  /**
   * An invocation that has not returned after this long fails the delivery, as Lambda's function timeout
   * would end it: the transform's own re-ingest calls to the emulator carry no timeout of their own.
   * @default 180000 (the deployed function's timeout)
   */
  readonly invocationTimeoutMs?: number;
  /**
   * Turns a timed-out invocation into the error to report (e.g. one naming a frozen emulator).
   * @default an Error naming the invocation and the timeout
   */
  readonly explainTimeout?: (what: string) => Error;
}

/** The transform did not return within the invocation timeout. */
export class InvocationTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvocationTimeoutError';
  }
}

interface PendingRecord {
  readonly event: FirehoseTransformationEventRecord;
  readonly dataBytes: number;
  /** Length of the record's JSON in the request. */
  readonly requestBytes: number;
}

/** Runs delivery until the stream is drained; returns what was written. */
export async function deliverStream(props: FirehoseSimulatorProps): Promise<DeliveryReport> {
  return new FirehoseSimulator(props).run();
}

class FirehoseSimulator {
  private readonly region: string;
  private readonly deliveryStreamArn: string;
  private readonly deliveryStreamName: string;
  private readonly lambdaArn: string;
  private readonly iterators = new Map<string, string | undefined>();
  private readonly objects: DeliveredObject[] = [];
  private readonly raw = new ObjectBuffer();
  private readonly errors = new ObjectBuffer();
  private invocations = 0;
  private recordsRead = 0;
  private ok = 0;
  private dropped = 0;
  private processingFailed = 0;
  private largestResponseBytes = 0;
  private recordIdCounter = 0;
  private readonly runStartedAt = Date.now();

  constructor(private readonly props: FirehoseSimulatorProps) {
    const arnParts = props.streamArn.split(':');
    if (arnParts.length < 6 || !props.streamArn.startsWith('arn:')) {
      throw new Error(`streamArn must be a Kinesis stream ARN, got '${props.streamArn}'`);
    }
    this.region = arnParts[3];
    const account = arnParts[4];
    const streamName = props.streamArn.split('/').pop() ?? 'stream';
    this.deliveryStreamName = `${streamName}-delivery`;
    this.deliveryStreamArn =
      props.deliveryStreamArn ?? `arn:aws:firehose:${this.region}:${account}:deliverystream/${this.deliveryStreamName}`;
    this.lambdaArn = props.lambdaArn ?? `arn:aws:lambda:${this.region}:${account}:function:firehose-transform:$LATEST`;
  }

  async run(): Promise<DeliveryReport> {
    const maxInvocations = this.props.maxInvocations ?? 10_000;
    let pending: PendingRecord[] = [];
    let firstBatch = true;
    for (;;) {
      const read = await this.readAvailable();
      pending.push(...read);
      if (pending.length === 0) break; // nothing buffered and a full pass found nothing new: drained

      // Like Firehose, invoke as soon as a full buffer is ready; a drained stream flushes what is left.
      const drained = read.length === 0;
      while (pending.length > 0) {
        const limit = firstBatch && this.props.oversizedFirstBatch ? Infinity : this.props.processorBufferBytes;
        const { batch, rest, full } = takeBatch(pending, limit);
        if (!full && !drained) break;
        firstBatch = false;
        pending = rest;
        if (this.invocations >= maxInvocations) {
          throw new StreamNotDrainingError(
            `stopped after ${maxInvocations} transform invocations (${this.recordsRead} records read): the transform may be re-ingesting in a loop`,
          );
        }
        await this.invoke(batch);
      }
    }
    await this.flush(this.raw, 'raw');
    await this.flush(this.errors, 'processing-failed');
    return {
      invocations: this.invocations,
      recordsRead: this.recordsRead,
      ok: this.ok,
      dropped: this.dropped,
      processingFailed: this.processingFailed,
      largestResponseBytes: this.largestResponseBytes,
      objects: this.objects,
    };
  }

  /** One GetRecords pass over every shard, following each shard's iterator until it is caught up. */
  private async readAvailable(): Promise<PendingRecord[]> {
    const out: PendingRecord[] = [];
    for (const shard of await this.listShards()) {
      const shardId = shard.ShardId!;
      if (!this.iterators.has(shardId)) {
        const started = await this.props.kinesis.send(
          new GetShardIteratorCommand({ StreamARN: this.props.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
        );
        this.iterators.set(shardId, started.ShardIterator);
      }
      for (;;) {
        const iterator = this.iterators.get(shardId);
        if (!iterator) break; // closed shard, fully read
        const page = await this.props.kinesis.send(
          new GetRecordsCommand({ StreamARN: this.props.streamArn, ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }),
        );
        this.iterators.set(shardId, page.NextShardIterator);
        const records = page.Records ?? [];
        for (const record of records) {
          const data = Buffer.from(record.Data ?? new Uint8Array());
          const arrival = record.ApproximateArrivalTimestamp?.getTime() ?? Date.now();
          const event: FirehoseTransformationEventRecord = {
            recordId: this.nextRecordId(),
            approximateArrivalTimestamp: arrival,
            data: data.toString('base64'),
            kinesisRecordMetadata: {
              shardId,
              partitionKey: record.PartitionKey ?? '',
              approximateArrivalTimestamp: arrival,
              sequenceNumber: record.SequenceNumber ?? '',
              // Firehose de-aggregates KPL records; plain PutRecords records are subsequence 0.
              subsequenceNumber: '0',
            },
          };
          out.push({ event, dataBytes: data.length, requestBytes: Buffer.byteLength(JSON.stringify(event)) + 1 });
        }
        this.recordsRead += records.length;
        if (records.length === 0 || (page.MillisBehindLatest ?? 0) === 0) break;
      }
    }
    return out;
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.props.kinesis.send(
        nextToken ? new ListShardsCommand({ NextToken: nextToken }) : new ListShardsCommand({ StreamARN: this.props.streamArn }),
      );
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }

  private nextRecordId(): string {
    // Real ids are 62-digit strings; same length keeps response sizes realistic. Unique across the run.
    this.recordIdCounter += 1;
    return `49${String(this.runStartedAt).padStart(16, '0')}${String(this.recordIdCounter).padStart(44, '0')}`;
  }

  private async invoke(batch: PendingRecord[]): Promise<void> {
    this.invocations += 1;
    const invocationId = randomUUID();
    const event: FirehoseTransformationEvent = {
      invocationId,
      deliveryStreamArn: this.deliveryStreamArn,
      sourceKinesisStreamArn: this.props.streamArn,
      region: this.region,
      records: batch.map((p) => p.event),
    };
    const started = Date.now();
    let response: FirehoseTransformationResult;
    const timeoutMs = this.props.invocationTimeoutMs ?? 180_000;
    let timer: NodeJS.Timeout | undefined;
    let timeoutError: Error | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const what = `the transform (invocation ${this.invocations}, ${batch.length} records) did not return within ${timeoutMs / 1000} s`;
        timeoutError = this.props.explainTimeout?.(what) ?? new InvocationTimeoutError(what);
        reject(timeoutError);
      }, timeoutMs);
    });
    try {
      response = await Promise.race([this.props.handler(event), timedOut]);
    } catch (error) {
      if (error === timeoutError) throw error;
      throw new Error(
        `transform threw on invocation ${this.invocations} (${batch.length} records); real Firehose would retry and then ` +
          `send the whole batch to processing-failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    const durationMs = Date.now() - started;
    const responseBytes = Buffer.byteLength(JSON.stringify(response ?? null));
    this.largestResponseBytes = Math.max(this.largestResponseBytes, responseBytes);

    const results = checkContract(invocationId, event, response, responseBytes);
    let ok = 0;
    let dropped = 0;
    let failed = 0;
    const attemptEnding = Date.now();
    for (const input of batch) {
      const result = results.get(input.event.recordId)!;
      if (result.result === 'Ok') {
        ok += 1;
        this.raw.add(Buffer.from(result.data!, 'base64'), input.event.approximateArrivalTimestamp);
      } else if (result.result === 'Dropped') {
        dropped += 1;
      } else {
        failed += 1;
        const errorRecord: FirehoseErrorRecord = {
          attemptsMade: 1,
          arrivalTimestamp: input.event.approximateArrivalTimestamp,
          errorCode: PROCESSING_FAILED_ERROR_CODE,
          errorMessage: 'The data transformation Lambda returned ProcessingFailed for this record.',
          attemptEndingTimestamp: attemptEnding,
          rawData: input.event.data,
          lambdaArn: this.lambdaArn,
        };
        this.errors.add(Buffer.from(`${JSON.stringify(errorRecord)}\n`), input.event.approximateArrivalTimestamp);
      }
    }
    this.ok += ok;
    this.dropped += dropped;
    this.processingFailed += failed;
    if (this.raw.bytes >= this.props.deliveryBufferBytes) await this.flush(this.raw, 'raw');
    if (this.errors.bytes >= this.props.deliveryBufferBytes) await this.flush(this.errors, 'processing-failed');

    this.props.onInvocation?.({
      invocation: this.invocations,
      records: batch.length,
      inputBytes: batch.reduce((sum, p) => sum + p.dataBytes, 0),
      responseBytes,
      ok,
      dropped,
      processingFailed: failed,
      durationMs,
    });
  }

  private async flush(buffer: ObjectBuffer, kind: DeliveredObject['kind']): Promise<void> {
    const content = buffer.take();
    if (!content) return;
    const arrival = new Date(content.oldestArrival);
    // Firehose names objects <delivery stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<random> and stamps the
    // prefix with the arrival time of the oldest record in the object.
    const stamp = arrival.toISOString().slice(0, 19).replace(/[T:]/g, '-');
    const prefix = kind === 'raw' ? rawPrefixFor('kinesis', arrival) : errorPrefixFor('processing-failed', arrival);
    const key = `${prefix}${this.deliveryStreamName}-1-${stamp}-${randomUUID()}.gz`;
    const body = gzipSync(content.data);
    await this.props.s3.send(new PutObjectCommand({ Bucket: this.props.bucket, Key: key, Body: body }));
    this.objects.push({ key, kind, records: content.parts, uncompressedBytes: content.data.length, compressedBytes: body.length });
  }
}

/** Takes records from the front while they fit `limitBytes` of data and the 6 MB request cap. */
function takeBatch(pending: PendingRecord[], limitBytes: number): { batch: PendingRecord[]; rest: PendingRecord[]; full: boolean } {
  const envelopeBytes = 1_024; // invocationId, ARNs, region and JSON punctuation
  let dataBytes = 0;
  let requestBytes = envelopeBytes;
  let count = 0;
  let full = false;
  for (const record of pending) {
    const wouldExceedBuffer = dataBytes + record.dataBytes > limitBytes;
    const wouldExceedRequest = requestBytes + record.requestBytes > FIREHOSE_REQUEST_LIMIT_BYTES;
    if (count > 0 && (wouldExceedBuffer || wouldExceedRequest)) {
      full = true;
      break;
    }
    dataBytes += record.dataBytes;
    requestBytes += record.requestBytes;
    count += 1;
  }
  if (dataBytes >= limitBytes) full = true;
  return { batch: pending.slice(0, count), rest: pending.slice(count), full };
}

/** Standard padded base64. A single character-class run: a grouped pattern overflows the regex stack on MBs. */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/** Firehose's rules for a transform response; returns the result per recordId or throws listing every breach. */
function checkContract(
  invocationId: string,
  event: FirehoseTransformationEvent,
  response: FirehoseTransformationResult | undefined,
  responseBytes: number,
): Map<string, FirehoseTransformationResult['records'][number]> {
  const problems: string[] = [];
  if (responseBytes > FIREHOSE_RESPONSE_LIMIT_BYTES) {
    problems.push(`response is ${responseBytes} bytes; Firehose accepts at most ${FIREHOSE_RESPONSE_LIMIT_BYTES}`);
  }
  if (!response || !Array.isArray(response.records)) {
    throw new FirehoseContractError(invocationId, [...problems, 'response has no records array']);
  }
  const expected = new Set(event.records.map((r) => r.recordId));
  const results = new Map<string, FirehoseTransformationResult['records'][number]>();
  for (const record of response.records) {
    const id = record?.recordId;
    if (!expected.has(id)) {
      problems.push(`recordId '${id}' was not in the request`);
      continue;
    }
    if (results.has(id)) {
      problems.push(`recordId '${id}' returned more than once`);
      continue;
    }
    results.set(id, record);
    if (!['Ok', 'Dropped', 'ProcessingFailed'].includes(record.result)) {
      problems.push(`recordId '${id}' has result '${String(record.result)}'; expected Ok, Dropped or ProcessingFailed`);
    }
    if (record.result === 'Ok' && typeof record.data !== 'string') {
      problems.push(`recordId '${id}' is Ok but has no data`);
    }
    if (record.data !== undefined && (typeof record.data !== 'string' || !isBase64(record.data))) {
      problems.push(`recordId '${id}' has data that is not base64`);
    }
  }
  const missing = [...expected].filter((id) => !results.has(id));
  if (missing.length > 0) problems.push(`${missing.length} recordId(s) missing from the response, e.g. '${missing[0]}'`);
  if (problems.length > 0) throw new FirehoseContractError(invocationId, problems);
  return results;
}

/** Accumulates one object's content and the arrival time of its oldest record. */
class ObjectBuffer {
  private chunks: Buffer[] = [];
  private oldestArrival = Infinity;
  bytes = 0;

  add(chunk: Buffer, arrival: number): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.oldestArrival = Math.min(this.oldestArrival, arrival);
  }

  take(): { data: Buffer; parts: number; oldestArrival: number } | undefined {
    if (this.chunks.length === 0) return undefined;
    const taken = { data: Buffer.concat(this.chunks), parts: this.chunks.length, oldestArrival: this.oldestArrival };
    this.chunks = [];
    this.bytes = 0;
    this.oldestArrival = Infinity;
    return taken;
  }
}
