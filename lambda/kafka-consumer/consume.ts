/**
 * The Kafka consumer's logic, without AWS calls: an MSK event in, the lake objects to write out, and then
 * the partial batch response from what the writes did.
 *
 * Per topic-partition (the event's `records` keys), in offset order:
 *   - each record's value (base64) is one payload for the shared record core (lambda/shared/record-core.ts),
 *     with `source: 'kafka'`, coordinates topic/partition/offset (→ event ids) and the record's timestamp
 *     as its arrival time;
 *   - a value that is not strict base64, not UTF-8, binary, or corrupt gzip becomes an error line with the
 *     original bytes (base64) and the reason; a null value (a tombstone) or one without lines is dropped,
 *     nothing to keep; a record without a usable offset is an error line too (`malformed-record`);
 *   - consecutive records of the same UTC day (of their Kafka timestamp) form a group: one GZIP object of
 *     JSON lines under raw/source=kafka/dt=<day>/ and, if any failed, one under
 *     errors/kafka-consumer-failed/dt=<day>/.
 *
 * Object keys are `<topic>-<partition>-<first offset of the group>.gz`: a batch retried from that offset
 * writes the same keys again and overwrites, whatever the retried batch's size (the mapping may deliver
 * more or fewer records on a retry), so a retry never leaves a second copy; the last offset is in the
 * object's metadata. A retry that covers fewer records leaves the rest to the next batch, whose first
 * offset names its own object: nothing is lost either way.
 *
 * Writes go in offset order within a partition; the first failed write stops that partition, and the
 * response names its first offset so the mapping retries that partition from there (earlier groups are
 * written and need no retry). Other partitions are unaffected. Bad data never throws.
 *
 * With a publisher (publishing on, publish.ts), a group's records go to the records topic once its lake
 * objects are written, to the partition number its lines came from: the lake stays the source of truth. A
 * failed publish stops the partition the same way; the retry writes the same keys again and publishes the
 * group again, so the records topic is at least once (a copy carries the same event id, its key).
 */
import * as zlib from 'node:zlib';
import { KAFKA_ERROR_OUTPUT_TYPES, kafkaErrorPrefixFor, rawPrefixFor } from '../../contracts/lake-layout';
import { isStrictBase64 } from '../shared/base64';
import { murmurHash3x86128Hex } from '../shared/event-id';
import { recordsFromPayload, type PayloadDropReason, type PayloadFailureReason } from '../shared/record-core';
import type { RecordPublisher } from './publish';
import { isSchemaEpochMs } from '../shared/timestamps';

/** Why a Kafka record went under the error prefix. */
export type KafkaFailureReason = PayloadFailureReason | 'invalid-base64' | 'malformed-record';

/** Why a Kafka record yielded nothing to write. */
export type KafkaDropReason = PayloadDropReason | 'null-value';

/**
 * The partial batch response of a Kafka event source mapping (ReportBatchItemFailures, provisioned mode).
 * Unlike SQS/Kinesis, `itemIdentifier` is an object: the event's topic-partition key and the offset to
 * resume that partition from; Lambda retries the partition from the lowest reported offset, and an
 * identifier naming a partition or offset that was not in the event fails the whole batch.
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html ("Partial batch response").
 * The shape as AWS's own Rust runtime models it (aws-lambda-rust-runtime `KafkaItemIdentifier`:
 * `{ "partition": "<topic>-<partition>", "offset": <number> }`), and as Powertools for AWS Lambda (Python)
 * does since its Kafka batch support (aws-powertools/powertools-lambda-python#7941, `KafkaItemIdentifier`:
 * `partition: str` the event's topic-partition key, `offset: int`).
 */
export interface KafkaBatchResponse {
  batchItemFailures: KafkaBatchItemFailure[];
}

export interface KafkaBatchItemFailure {
  itemIdentifier: { partition: string; offset: number };
}

/** One record as the MSK event carries it; every field is checked, none is trusted. */
export interface MskEventRecord {
  readonly topic?: unknown;
  readonly partition?: unknown;
  readonly offset?: unknown;
  readonly timestamp?: unknown;
  readonly timestampType?: unknown;
  readonly key?: unknown;
  readonly value?: unknown;
  readonly headers?: unknown;
}

/** One line under errors/kafka-consumer-failed/: the record as delivered, and why it could not be read. */
export interface KafkaErrorRecord {
  readonly errorCode: KafkaFailureReason;
  readonly errorMessage: string;
  readonly source: 'kafka';
  /** The event's topic-partition key. */
  readonly partitionKey: string;
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: number | null;
  readonly timestamp: number | null;
  readonly timestampType: string | null;
  /** The record key as delivered (base64), or null. */
  readonly key: string | null;
  readonly headers: unknown;
  /** The original value bytes, base64 (for `invalid-base64`: the delivered text's UTF-8 bytes). */
  readonly rawData: string;
}

/** What became of one input record; every record gets exactly one. */
export type RecordOutcome =
  | { readonly kind: 'lines'; readonly lines: number }
  | { readonly kind: 'dropped'; readonly reason: KafkaDropReason }
  | { readonly kind: 'failed'; readonly reason: KafkaFailureReason; readonly detail?: string };

export interface PlannedObject {
  readonly key: string;
  /** GZIP of JSON lines. */
  readonly body: Buffer;
  readonly kind: 'raw' | 'error';
  /** JSON lines in the object. */
  readonly lines: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** The JSON lines uncompressed, for the records topic: raw objects only, with PlanOptions.keepJsonLines. */
  readonly jsonLines?: string;
}

/** Consecutive records of one partition that land in the same objects. */
export interface PlannedGroup {
  /** Offset to resume from if a write of this group fails; null when no record of the group has one. */
  readonly firstOffset: number | null;
  readonly lastOffset: number | null;
  readonly records: number;
  readonly objects: readonly PlannedObject[];
}

export interface PlannedPartition {
  /** The event's `records` key, e.g. `logs-0`: what a batch item failure names. */
  readonly partitionKey: string;
  /** The partition number the key names (`logs-3` → 3): the records topic's partition for its records. */
  readonly partition: number;
  readonly groups: readonly PlannedGroup[];
  /** Per input record, in the event's order. */
  readonly outcomes: readonly RecordOutcome[];
}

export interface BatchPlan {
  readonly partitions: readonly PlannedPartition[];
  readonly stats: BatchStats;
}

export interface BatchStats {
  records: number;
  /** Records that gave lines. */
  okRecords: number;
  droppedRecords: number;
  failedRecords: number;
  lines: number;
  parsedLines: number;
  unparsedLines: number;
  droppedByReason: Partial<Record<KafkaDropReason, number>>;
  failedByReason: Partial<Record<KafkaFailureReason, number>>;
  /** `records` keys whose value was not a list (nothing to read; logged). */
  malformedPartitions: number;
}

export interface PlanOptions {
  /** Clock for records whose timestamp is unusable. @default Date.now */
  readonly now?: () => number;
  /** zlib level of the objects. @default zlib's default (6) */
  readonly gzipLevel?: number;
  /** Keep raw objects' uncompressed JSON lines (PlannedObject.jsonLines) for publishing. @default false */
  readonly keepJsonLines?: boolean;
}

/** The objects an MSK event's records become. Never throws on bad data. */
export function planBatch(event: unknown, options: PlanOptions = {}): BatchPlan {
  const now = options.now ?? Date.now;
  const stats: BatchStats = {
    records: 0,
    okRecords: 0,
    droppedRecords: 0,
    failedRecords: 0,
    lines: 0,
    parsedLines: 0,
    unparsedLines: 0,
    droppedByReason: {},
    failedByReason: {},
    malformedPartitions: 0,
  };
  const partitions = eventPartitions(event, stats).map(([key, records]) => planPartition(key, records, stats, now, options));
  return { partitions, stats };
}

/**
 * The event's `records`, partition key by partition key, as the mapping sends them; a key whose value is not a
 * list is counted in `stats.malformedPartitions` and skipped, and an event without `records` gives none.
 */
export function eventPartitions(event: unknown, stats: { malformedPartitions: number }): [string, unknown[]][] {
  const recordsByPartition = (event as { records?: unknown } | null | undefined)?.records;
  if (recordsByPartition === null || typeof recordsByPartition !== 'object' || Array.isArray(recordsByPartition)) return [];
  const partitions: [string, unknown[]][] = [];
  for (const [partitionKey, records] of Object.entries(recordsByPartition as Record<string, unknown>)) {
    if (Array.isArray(records)) partitions.push([partitionKey, records as unknown[]]);
    else stats.malformedPartitions++;
  }
  return partitions;
}

interface GroupBuilder {
  day: string;
  firstOffset: number | null;
  lastOffset: number | null;
  records: number;
  rawParts: string[];
  rawLines: number;
  errorParts: string[];
}

function planPartition(
  partitionKey: string,
  records: readonly unknown[],
  stats: BatchStats,
  now: () => number,
  options: PlanOptions,
): PlannedPartition {
  const outcomes: RecordOutcome[] = [];
  const groups: PlannedGroup[] = [];
  const keyBase = objectNameOf(partitionKey);
  let group: GroupBuilder | undefined;

  for (const item of records) {
    stats.records++;
    const record: MskEventRecord = item !== null && typeof item === 'object' ? (item as MskEventRecord) : {};
    const offset = offsetOf(record.offset);
    const timestamp = typeof record.timestamp === 'number' && isSchemaEpochMs(record.timestamp) ? record.timestamp : null;
    const arrivalMs = timestamp ?? now();
    const day = new Date(arrivalMs).toISOString().slice(0, 10);
    if (group === undefined || group.day !== day) {
      if (group !== undefined) groups.push(finishGroup(group, keyBase, options));
      group = { day, firstOffset: null, lastOffset: null, records: 0, rawParts: [], rawLines: 0, errorParts: [] };
    }
    group.records++;
    if (offset !== null) {
      group.firstOffset ??= offset;
      group.lastOffset = offset;
    }

    const outcome = outcomeOf(record, item, offset, arrivalMs, partitionKey);
    outcomes.push(outcome.result);
    switch (outcome.kind) {
      case 'lines':
        stats.okRecords++;
        stats.lines += outcome.result.lines;
        stats.parsedLines += outcome.parsedLines;
        stats.unparsedLines += outcome.unparsedLines;
        group.rawParts.push(outcome.output);
        group.rawLines += outcome.result.lines;
        break;
      case 'dropped':
        stats.droppedRecords++;
        stats.droppedByReason[outcome.result.reason] = (stats.droppedByReason[outcome.result.reason] ?? 0) + 1;
        break;
      case 'failed': {
        stats.failedRecords++;
        stats.failedByReason[outcome.result.reason] = (stats.failedByReason[outcome.result.reason] ?? 0) + 1;
        group.errorParts.push(`${JSON.stringify(errorRecordOf(record, item, partitionKey, offset, outcome.result, outcome.rawData))}\n`);
        break;
      }
    }
  }
  if (group !== undefined) groups.push(finishGroup(group, keyBase, options));
  return { partitionKey, partition: partitionOf(partitionKey), groups, outcomes };
}

type Outcome =
  | { kind: 'lines'; result: Extract<RecordOutcome, { kind: 'lines' }>; output: string; parsedLines: number; unparsedLines: number }
  | { kind: 'dropped'; result: Extract<RecordOutcome, { kind: 'dropped' }> }
  | { kind: 'failed'; result: Extract<RecordOutcome, { kind: 'failed' }>; rawData: string };

function outcomeOf(record: MskEventRecord, item: unknown, offset: number | null, arrivalMs: number, partitionKey: string): Outcome {
  const value = record.value;
  if (offset === null || item === null || typeof item !== 'object') {
    // Without an offset there is no event id and nothing a retry could name: keep the record as it came.
    return {
      kind: 'failed',
      result: { kind: 'failed', reason: 'malformed-record', detail: 'record without an integer offset ≥ 0' },
      rawData: base64OfJson(item),
    };
  }
  if (value === null || value === undefined) return { kind: 'dropped', result: { kind: 'dropped', reason: 'null-value' } };
  if (typeof value !== 'string') {
    return {
      kind: 'failed',
      result: { kind: 'failed', reason: 'malformed-record', detail: `value is a ${typeof value}, not base64 text` },
      rawData: base64OfJson(value),
    };
  }
  const bytes = decodeBase64(value);
  if (!isStrictBase64(value, bytes.length)) {
    return { kind: 'failed', result: { kind: 'failed', reason: 'invalid-base64' }, rawData: Buffer.from(value, 'utf8').toString('base64') };
  }
  const topic = typeof record.topic === 'string' ? record.topic : topicOf(partitionKey);
  const partition =
    typeof record.partition === 'number' && Number.isSafeInteger(record.partition) ? record.partition : partitionOf(partitionKey);
  const result = recordsFromPayload(bytes, bytes.length, {
    source: 'kafka',
    coordinates: { kind: 'kafka', topic, partition, offset },
    arrivalMs,
  });
  switch (result.kind) {
    case 'lines':
      return {
        kind: 'lines',
        result: { kind: 'lines', lines: result.lines },
        output: result.output,
        parsedLines: result.parsedLines,
        unparsedLines: result.unparsedLines,
      };
    case 'dropped':
      return { kind: 'dropped', result: { kind: 'dropped', reason: result.reason } };
    case 'failed':
      return { kind: 'failed', result: { kind: 'failed', reason: result.reason, detail: result.detail }, rawData: value };
  }
}

/**
 * One reused buffer for decoding values: a 10,000-record batch would otherwise allocate 10,000 buffers
 * for the garbage collector (the record core copies what it keeps). Valid until the next call.
 */
let scratch = Buffer.allocUnsafeSlow(1024 * 1024);

export function decodeBase64(value: string): Buffer {
  const needed = Math.ceil((value.length * 3) / 4);
  if (needed > scratch.length) scratch = Buffer.allocUnsafeSlow(Math.max(needed, scratch.length * 2));
  return scratch.subarray(0, scratch.write(value, 0, 'base64'));
}

/**
 * Where a message of the event came from, as an error record keeps it: the event's topic, partition and timestamp,
 * null where the event gave none usable (`item` not an object, or a field of the wrong type).
 */
export function messageOrigin(
  record: MskEventRecord,
  item: unknown,
): { readonly topic: string | null; readonly partition: number | null; readonly timestamp: number | null } {
  const isObject = item !== null && typeof item === 'object';
  return {
    topic: isObject && typeof record.topic === 'string' ? record.topic : null,
    partition: isObject && typeof record.partition === 'number' && Number.isSafeInteger(record.partition) ? record.partition : null,
    timestamp: isObject && typeof record.timestamp === 'number' && Number.isFinite(record.timestamp) ? record.timestamp : null,
  };
}

function errorRecordOf(
  record: MskEventRecord,
  item: unknown,
  partitionKey: string,
  offset: number | null,
  failure: Extract<RecordOutcome, { kind: 'failed' }>,
  rawData: string,
): KafkaErrorRecord {
  const isObject = item !== null && typeof item === 'object';
  const { topic, partition, timestamp } = messageOrigin(record, item);
  return {
    errorCode: failure.reason,
    errorMessage: failure.detail === undefined ? ERROR_MESSAGES[failure.reason] : `${ERROR_MESSAGES[failure.reason]}: ${failure.detail}`,
    source: 'kafka',
    partitionKey,
    topic,
    partition,
    offset,
    timestamp,
    timestampType: isObject && typeof record.timestampType === 'string' ? record.timestampType : null,
    key: isObject && typeof record.key === 'string' ? record.key : null,
    headers: isObject && record.headers !== undefined ? record.headers : null,
    rawData,
  };
}

const ERROR_MESSAGES: Record<KafkaFailureReason, string> = {
  'invalid-base64': 'the record value is not valid base64',
  'invalid-utf8': 'the record value is not valid UTF-8',
  'binary-data': 'the record value is binary (contains NUL)',
  'corrupt-gzip': 'the record value starts like gzip but does not inflate',
  'invalid-cloudwatch-logs-message': 'the record value is a malformed CloudWatch Logs subscription message',
  'malformed-record': 'the event record is malformed',
};

function finishGroup(group: GroupBuilder, keyBase: string, options: PlanOptions): PlannedGroup {
  const { gzipLevel } = options;
  const day = new Date(`${group.day}T00:00:00.000Z`);
  // Offsets name the object; a group with none (every record malformed) is named by its content instead.
  const first = group.firstOffset ?? `malformed-${murmurHash3x86128Hex(group.errorParts.join('')).slice(0, 16)}`;
  const name = `${keyBase}-${first}.gz`;
  const metadata: Record<string, string> = {
    'first-offset': String(group.firstOffset ?? ''),
    'last-offset': String(group.lastOffset ?? ''),
    records: String(group.records),
  };
  const objects: PlannedObject[] = [];
  const gzip = (text: string) => zlib.gzipSync(Buffer.from(text, 'utf8'), gzipLevel === undefined ? {} : { level: gzipLevel });
  if (group.rawParts.length > 0) {
    const text = group.rawParts.join('');
    objects.push({
      key: `${rawPrefixFor('kafka', day)}${name}`,
      body: gzip(text),
      kind: 'raw',
      lines: group.rawLines,
      metadata,
      ...(options.keepJsonLines === true ? { jsonLines: text } : {}),
    });
  }
  if (group.errorParts.length > 0) {
    objects.push({
      key: `${kafkaErrorPrefixFor(KAFKA_ERROR_OUTPUT_TYPES.consumerFailed, day)}${name}`,
      body: gzip(group.errorParts.join('')),
      kind: 'error',
      lines: group.errorParts.length,
      metadata,
    });
  }
  return { firstOffset: group.firstOffset, lastOffset: group.lastOffset, records: group.records, objects };
}

/** Writes one object; rejects when the write failed. */
export type ObjectWriter = (object: PlannedObject) => Promise<void>;

export interface DeliveryOutcome {
  readonly response: KafkaBatchResponse;
  readonly objectsWritten: number;
  readonly bytesWritten: number;
  /** One per partition that stopped at a failed write. */
  readonly writeFailures: readonly {
    readonly partitionKey: string;
    readonly offset: number | null;
    readonly key: string;
    readonly error: string;
  }[];
  /** Records of the groups not written or not published (left for the mapping's retry). */
  readonly recordsToRetry: number;
  /** Messages published to the records topic (0 without a publisher). */
  readonly recordsPublished: number;
  /** Records not published because one alone is over a send's bound (publish.ts); the lake has them. */
  readonly recordsTooLargeToPublish: number;
  /** One per partition that stopped at a failed publish (its group's objects are in the lake). */
  readonly publishFailures: readonly {
    readonly partitionKey: string;
    readonly offset: number;
    readonly key: string;
    readonly error: string;
  }[];
}

/** Thrown when a failed write cannot be named by an offset (every record of its group was malformed). */
export class UnretriableWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnretriableWriteError';
  }
}

/** What deliverPlan needs of a plan (the realtime-rows Lambda's plans have the same shape). */
export interface DeliverableObject {
  readonly key: string;
  readonly body: Buffer;
  /** Only raw objects' lines are published (PlannedObject). */
  readonly kind?: string;
  readonly jsonLines?: string;
}

export interface DeliverablePlan<O extends DeliverableObject> {
  readonly partitions: readonly {
    readonly partitionKey: string;
    /** The partition number, where publishing needs one (PlannedPartition). */
    readonly partition?: number | null;
    readonly groups: readonly { readonly firstOffset: number | null; readonly records: number; readonly objects: readonly O[] }[];
  }[];
}

/**
 * Writes the plan's objects: partitions side by side, each in offset order, stopping a partition at its
 * first failed write. With `publish`, each group's raw records are published once its objects are written
 * (the plan must keep JSON lines: PlanOptions.keepJsonLines); a failed publish stops the partition too.
 * Returns the partial batch response.
 */
export async function deliverPlan<O extends DeliverableObject = PlannedObject>(
  plan: DeliverablePlan<O>,
  write: (object: O) => Promise<void>,
  publish?: RecordPublisher,
): Promise<DeliveryOutcome> {
  let objectsWritten = 0;
  let bytesWritten = 0;
  let recordsToRetry = 0;
  let recordsPublished = 0;
  let recordsTooLargeToPublish = 0;
  const writeFailures: DeliveryOutcome['writeFailures'][number][] = [];
  const publishFailures: DeliveryOutcome['publishFailures'][number][] = [];
  const batchItemFailures: KafkaBatchItemFailure[] = [];

  // allSettled: an unretriable write rejects the batch only once every other partition has finished, so nothing
  // keeps writing or publishing after the handler has answered.
  const settled = await Promise.allSettled(
    plan.partitions.map(async (partition) => {
      for (let g = 0; g < partition.groups.length; g++) {
        const group = partition.groups[g];
        for (const object of group.objects) {
          try {
            await write(object);
            objectsWritten++;
            bytesWritten += object.body.length;
          } catch (error) {
            const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
            writeFailures.push({ partitionKey: partition.partitionKey, offset: group.firstOffset, key: object.key, error: message });
            recordsToRetry += partition.groups.slice(g).reduce((sum, rest) => sum + rest.records, 0);
            if (group.firstOffset === null) {
              throw new UnretriableWriteError(
                `${object.key} could not be written and its records carry no offset to retry from: ${message}`,
              );
            }
            batchItemFailures.push({ itemIdentifier: { partition: partition.partitionKey, offset: group.firstOffset } });
            return;
          }
        }
        if (publish === undefined) continue;
        for (const object of group.objects) {
          if (object.kind !== 'raw') continue;
          try {
            if (object.jsonLines === undefined) throw new Error('the plan kept no JSON lines to publish (PlanOptions.keepJsonLines)');
            if (typeof partition.partition !== 'number')
              throw new Error(`${partition.partitionKey} names no partition number to publish to`);
            const result = await publish(partition.partition, object.jsonLines);
            recordsPublished += result.published;
            recordsTooLargeToPublish += result.tooLarge;
          } catch (error) {
            const offset = group.firstOffset;
            // Unreachable: only records with an offset give lines. Kept as the write path does, never as offset 0.
            if (offset === null) throw new UnretriableWriteError(`${object.key}'s records could not be published and carry no offset`);
            publishFailures.push({ partitionKey: partition.partitionKey, offset, key: object.key, error: errorText(error) });
            recordsToRetry += partition.groups.slice(g).reduce((sum, rest) => sum + rest.records, 0);
            batchItemFailures.push({ itemIdentifier: { partition: partition.partitionKey, offset } });
            return;
          }
        }
      }
    }),
  );
  const rejected = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
  return {
    response: { batchItemFailures },
    objectsWritten,
    bytesWritten,
    writeFailures,
    recordsToRetry,
    recordsPublished,
    recordsTooLargeToPublish,
    publishFailures,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A record's offset: a safe integer ≥ 0 (or its decimal string), else null. */
export function offsetOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  // Some serializers send 64-bit offsets as strings.
  if (typeof value === 'string' && /^(0|[1-9]\d{0,15})$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

/** `logs-3` → `logs`; the topic itself may contain '-'. */
function topicOf(partitionKey: string): string {
  const dash = partitionKey.lastIndexOf('-');
  return dash > 0 ? partitionKey.slice(0, dash) : partitionKey;
}

function partitionOf(partitionKey: string): number {
  const n = Number(partitionKey.slice(partitionKey.lastIndexOf('-') + 1));
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** Kafka topic names are [a-zA-Z0-9._-]; anything else (a hostile event) becomes '_' in a key. */
export function objectNameOf(partitionKey: string): string {
  const name = partitionKey.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 300);
  return name === '' || name === '.' || name === '..' ? `_${name}` : name;
}

/** A value as it came, for an error line's rawData: its JSON (or text) as UTF-8, base64. */
export function base64OfJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return Buffer.from(text, 'utf8').toString('base64');
}
