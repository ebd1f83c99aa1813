/**
 * The realtime-rows Lambda's logic, without AWS calls: an MSK event of the analytics output topic in, the lake
 * objects to write out, and then the partial batch response from what the writes did.
 *
 * Per topic-partition (the event's `records` keys), in offset order:
 *   - each record's value (base64) is one row of the stream analytics job: a JSON object whose `kind` is one of
 *     contracts/realtime-rows.ts REALTIME_ROW_KINDS and whose fields have the types listed there;
 *   - a row goes under realtime/kind=<kind>/dt=<day>/hour=<hour>/ of its window's start (an `invalid` row, which
 *     has no window: of its message's timestamp), as it came (one JSON line);
 *   - a value that is not strict base64, not UTF-8, not JSON or not a row becomes an error line with the
 *     original bytes (base64) and the reason, under errors/realtime-rows-failed/dt=<day of its timestamp>/;
 *     a null value (a tombstone) holds nothing and is counted as dropped;
 *   - consecutive records bound for the same prefix form a group: one GZIP object.
 *
 * Object keys are `<topic>-<partition>-<first offset of the group>.gz`, as the Kafka consumer's
 * (lambda/kafka-consumer/consume.ts, whose helpers and delivery this reuses): a group starts at a record whose
 * prefix differs from its predecessor's, or at the batch's first record, so a batch retried from a group's first
 * offset writes the same keys again and overwrites them. Writes go in offset order within a partition; the first
 * failed write stops that partition and the response names its group's first offset (deliverPlan).
 *
 * The job writes its rows in Kafka transactions. Lambda's MSK parameters name no consumer isolation level ("All
 * Amazon MSK event source configuration parameters in Lambda",
 * https://docs.aws.amazon.com/lambda/latest/dg/msk-esm-parameters.html), so nothing here assumes read_committed:
 * rows of an aborted transaction, if the mapping delivers them, are kept like any other (a window row is unique
 * by window_start, dimension and key, which a query can deduplicate on).
 */
import * as zlib from 'node:zlib';
import { KAFKA_ERROR_OUTPUT_TYPES, kafkaErrorPrefixFor, realtimePrefixFor } from '../../contracts/lake-layout';
import {
  REALTIME_INSTANT_PATTERN,
  REALTIME_ROW_FIELDS,
  REALTIME_ROW_KINDS,
  type RealtimeFieldType,
  type RealtimeRowKind,
} from '../../contracts/realtime-rows';
import {
  base64OfJson,
  decodeBase64,
  deliverPlan,
  eventPartitions,
  messageOrigin,
  objectNameOf,
  offsetOf,
  type MskEventRecord,
} from '../kafka-consumer/consume';
import { isStrictBase64 } from '../shared/base64';
import { murmurHash3x86128Hex } from '../shared/event-id';
import { isSchemaEpochMs } from '../shared/timestamps';

export { deliverPlan };
export type { DeliveryOutcome, KafkaBatchResponse } from '../kafka-consumer/consume';

/** Why a message went under the error prefix. */
export type RowFailureReason = 'malformed-record' | 'invalid-base64' | 'invalid-utf8' | 'invalid-json' | 'invalid-row';

/** One line under errors/realtime-rows-failed/: the message as delivered, and why it is not a row. */
export interface RowErrorRecord {
  readonly errorCode: RowFailureReason;
  readonly errorMessage: string;
  readonly source: 'kafka';
  /** The event's topic-partition key. */
  readonly partitionKey: string;
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: number | null;
  readonly timestamp: number | null;
  /** The original value bytes, base64 (for `invalid-base64`: the delivered text's UTF-8 bytes). */
  readonly rawData: string;
}

/** What became of one message; every message gets exactly one. */
export type RowOutcome =
  | { readonly kind: 'row'; readonly rowKind: RealtimeRowKind }
  | { readonly kind: 'dropped'; readonly reason: 'null-value' }
  | { readonly kind: 'failed'; readonly reason: RowFailureReason; readonly detail?: string };

export interface RowObject {
  readonly key: string;
  /** GZIP of JSON lines. */
  readonly body: Buffer;
  readonly kind: 'rows' | 'error';
  /** JSON lines in the object. */
  readonly lines: number;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Consecutive messages of one partition bound for the same prefix: at most one object. */
export interface RowGroup {
  /** Offset to resume from if the write fails; null when no message of the group has one. */
  readonly firstOffset: number | null;
  readonly lastOffset: number | null;
  readonly records: number;
  readonly objects: readonly RowObject[];
}

export interface RowPartition {
  /** The event's `records` key, e.g. `log-analytics-0`: what a batch item failure names. */
  readonly partitionKey: string;
  readonly groups: readonly RowGroup[];
  /** Per message, in the event's order. */
  readonly outcomes: readonly RowOutcome[];
}

export interface RowStats {
  records: number;
  rows: number;
  rowsByKind: Partial<Record<RealtimeRowKind, number>>;
  droppedRecords: number;
  failedRecords: number;
  failedByReason: Partial<Record<RowFailureReason, number>>;
  /** `records` keys whose value was not a list (nothing to read; logged). */
  malformedPartitions: number;
}

export interface RowPlan {
  readonly partitions: readonly RowPartition[];
  readonly stats: RowStats;
}

export interface RowPlanOptions {
  /** Clock for messages whose timestamp is unusable. @default Date.now */
  readonly now?: () => number;
}

/** The objects an MSK event's rows become. Never throws on bad data. */
export function planRows(event: unknown, options: RowPlanOptions = {}): RowPlan {
  const now = options.now ?? Date.now;
  const stats: RowStats = {
    records: 0,
    rows: 0,
    rowsByKind: {},
    droppedRecords: 0,
    failedRecords: 0,
    failedByReason: {},
    malformedPartitions: 0,
  };
  const partitions = eventPartitions(event, stats).map(([key, records]) => planPartition(key, records, stats, now));
  return { partitions, stats };
}

interface GroupBuilder {
  /** The prefix every line of the group goes under; undefined while the group holds only tombstones. */
  prefix?: string;
  kind?: RowObject['kind'];
  firstOffset: number | null;
  lastOffset: number | null;
  records: number;
  lines: string[];
}

function planPartition(partitionKey: string, records: readonly unknown[], stats: RowStats, now: () => number): RowPartition {
  const outcomes: RowOutcome[] = [];
  const groups: RowGroup[] = [];
  const keyBase = objectNameOf(partitionKey);
  let group: GroupBuilder = { firstOffset: null, lastOffset: null, records: 0, lines: [] };

  for (const item of records) {
    stats.records++;
    const record: MskEventRecord = item !== null && typeof item === 'object' ? (item as MskEventRecord) : {};
    const offset = offsetOf(record.offset);
    const timestamp = typeof record.timestamp === 'number' && isSchemaEpochMs(record.timestamp) ? record.timestamp : null;
    const outcome = outcomeOf(record, item, offset);
    outcomes.push(outcome.result);

    let prefix: string | undefined;
    let line: string | undefined;
    switch (outcome.kind) {
      case 'row':
        stats.rows++;
        stats.rowsByKind[outcome.result.rowKind] = (stats.rowsByKind[outcome.result.rowKind] ?? 0) + 1;
        prefix = realtimePrefixFor(outcome.result.rowKind, new Date(outcome.windowStartMs ?? timestamp ?? now()));
        line = outcome.line;
        break;
      case 'dropped':
        stats.droppedRecords++;
        break;
      case 'failed':
        stats.failedRecords++;
        stats.failedByReason[outcome.result.reason] = (stats.failedByReason[outcome.result.reason] ?? 0) + 1;
        prefix = kafkaErrorPrefixFor(KAFKA_ERROR_OUTPUT_TYPES.realtimeRowsFailed, new Date(timestamp ?? now()));
        line = JSON.stringify(errorRecordOf(record, item, partitionKey, offset, outcome.result, outcome.rawData));
        break;
    }
    // A tombstone joins the group it falls in; a line bound elsewhere starts a new group.
    if (prefix !== undefined && group.prefix !== undefined && group.prefix !== prefix) {
      groups.push(finishGroup(group, keyBase));
      group = { firstOffset: null, lastOffset: null, records: 0, lines: [] };
    }
    group.records++;
    if (offset !== null) {
      group.firstOffset ??= offset;
      group.lastOffset = offset;
    }
    if (prefix !== undefined && line !== undefined) {
      group.prefix = prefix;
      group.kind = outcome.kind === 'row' ? 'rows' : 'error';
      group.lines.push(`${line}\n`);
    }
  }
  if (group.records > 0) groups.push(finishGroup(group, keyBase));
  return { partitionKey, groups, outcomes };
}

type Outcome =
  | { kind: 'row'; result: Extract<RowOutcome, { kind: 'row' }>; line: string; windowStartMs: number | null }
  | { kind: 'dropped'; result: Extract<RowOutcome, { kind: 'dropped' }> }
  | { kind: 'failed'; result: Extract<RowOutcome, { kind: 'failed' }>; rawData: string };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function outcomeOf(record: MskEventRecord, item: unknown, offset: number | null): Outcome {
  const failed = (reason: RowFailureReason, rawData: string, detail?: string): Outcome => ({
    kind: 'failed',
    result: detail === undefined ? { kind: 'failed', reason } : { kind: 'failed', reason, detail },
    rawData,
  });
  const value = record.value;
  // Without an offset there is nothing a retry could name: keep the record as it came.
  if (offset === null || item === null || typeof item !== 'object') {
    return failed('malformed-record', base64OfJson(item), 'record without an integer offset ≥ 0');
  }
  if (value === null || value === undefined) return { kind: 'dropped', result: { kind: 'dropped', reason: 'null-value' } };
  if (typeof value !== 'string') return failed('malformed-record', base64OfJson(value), `value is a ${typeof value}, not base64 text`);
  const bytes = decodeBase64(value);
  if (!isStrictBase64(value, bytes.length)) return failed('invalid-base64', Buffer.from(value, 'utf8').toString('base64'));
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return failed('invalid-utf8', value);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return failed('invalid-json', value, error instanceof Error ? error.message : String(error));
  }
  const row = rowOf(parsed);
  if ('problem' in row) return failed('invalid-row', value, row.problem);
  // One JSON line each: the row as the job wrote it, unless it spans lines.
  const line = /[\r\n]/.test(text) ? JSON.stringify(parsed) : text.trim();
  return { kind: 'row', result: { kind: 'row', rowKind: row.kind }, line, windowStartMs: row.windowStartMs };
}

const KINDS: readonly string[] = REALTIME_ROW_KINDS;
const FIELDS: Readonly<Record<string, RealtimeFieldType>> = REALTIME_ROW_FIELDS;

/** The row's kind and window start, or what makes it not a row (naming the field). */
export function rowOf(value: unknown): { kind: RealtimeRowKind; windowStartMs: number | null } | { problem: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problem: `a row is a JSON object, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}` };
  }
  const row = value as Record<string, unknown>;
  if (typeof row.kind !== 'string' || !KINDS.includes(row.kind)) {
    return { problem: `field 'kind' must be one of ${KINDS.join(', ')} (got ${JSON.stringify(row.kind) ?? 'nothing'})` };
  }
  for (const [name, type] of Object.entries(FIELDS)) {
    const field = row[name];
    if (field === undefined || field === null) continue;
    if (!fits(field, type)) return { problem: `field '${name}' must be ${describe(type)} (got ${JSON.stringify(field)})` };
  }
  const kind = row.kind as RealtimeRowKind;
  if (kind === 'invalid') return { kind, windowStartMs: null };
  if (typeof row.window_start !== 'string') return { problem: `a ${kind} row needs 'window_start', the start of its window` };
  return { kind, windowStartMs: Date.parse(row.window_start) };
}

function fits(value: unknown, type: RealtimeFieldType): boolean {
  switch (type) {
    case 'instant':
      return typeof value === 'string' && REALTIME_INSTANT_PATTERN.test(value) && !Number.isNaN(Date.parse(value));
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return (
        Array.isArray(value) &&
        value.every((entry: unknown) => {
          if (entry === null || typeof entry !== 'object') return false;
          const { path, [type.topPaths]: count } = entry as Record<string, unknown>;
          return typeof path === 'string' && typeof count === 'number' && Number.isSafeInteger(count);
        })
      );
  }
}

function describe(type: RealtimeFieldType): string {
  if (typeof type === 'object') return `a list of {"path": text, "${type.topPaths}": integer}`;
  return { instant: 'a UTC instant like 2026-01-01T00:00:00.000Z', string: 'text', integer: 'an integer', number: 'a number' }[type];
}

function errorRecordOf(
  record: MskEventRecord,
  item: unknown,
  partitionKey: string,
  offset: number | null,
  failure: Extract<RowOutcome, { kind: 'failed' }>,
  rawData: string,
): RowErrorRecord {
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
    rawData,
  };
}

const ERROR_MESSAGES: Record<RowFailureReason, string> = {
  'malformed-record': 'the event record is malformed',
  'invalid-base64': 'the message value is not valid base64',
  'invalid-utf8': 'the message value is not valid UTF-8',
  'invalid-json': 'the message value is not JSON',
  'invalid-row': 'the message value is not a row of the stream analytics job',
};

function finishGroup(group: GroupBuilder, keyBase: string): RowGroup {
  const objects: RowObject[] = [];
  if (group.prefix !== undefined && group.kind !== undefined) {
    // Offsets name the object; a group with none (every record malformed) is named by its content instead.
    const first = group.firstOffset ?? `malformed-${murmurHash3x86128Hex(group.lines.join('')).slice(0, 16)}`;
    objects.push({
      key: `${group.prefix}${keyBase}-${first}.gz`,
      body: zlib.gzipSync(Buffer.from(group.lines.join(''), 'utf8')),
      kind: group.kind,
      lines: group.lines.length,
      metadata: {
        'first-offset': String(group.firstOffset ?? ''),
        'last-offset': String(group.lastOffset ?? ''),
        records: String(group.records),
      },
    });
  }
  return { firstOffset: group.firstOffset, lastOffset: group.lastOffset, records: group.records, objects };
}

/** Writes one object; rejects when the write failed. */
export type RowObjectWriter = (object: RowObject) => Promise<void>;

/** Writes the plan's objects (deliverPlan of the Kafka consumer) and returns the partial batch response. */
export function deliverRows(plan: RowPlan, write: RowObjectWriter) {
  return deliverPlan<RowObject>(plan, write);
}
