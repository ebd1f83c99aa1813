/**
 * The Firehose transform's logic, without AWS calls: Firehose records in, Firehose response out.
 *
 * Contract (Firehose data transformation):
 *   - every input recordId comes back exactly once, in input order, as Ok, Dropped or ProcessingFailed,
 *     always with base64 `data`: Ok carries JSON lines (one LogRecord per log line, '\n'-terminated),
 *     Dropped carries '', ProcessingFailed carries the original bytes (Firehose keeps them under the error
 *     prefix), or '' when they would not fit under the response cap (Firehose writes the original
 *     rawData to the error prefix regardless);
 *   - the serialized response stays within the cap (6 MB): Ok output that would overflow it is handed to
 *     re-ingest (its ORIGINAL bytes go back into the source stream, then the record is Dropped);
 *   - the agent packs many lines into one record (simple_aggregation), so one record must not fail whole for
 *     one of its lines: a record of several lines whose output cannot fit even alone, or that holds a line
 *     that is not UTF-8 text, is split at its line breaks and the pieces re-ingested (then it is Dropped):
 *     pieces small enough to fit, and each bad line alone, so only that line ends ProcessingFailed. A single
 *     line is never split (no loop): alone, it is ProcessingFailed. A record whose pieces are not all
 *     re-ingested is ProcessingFailed whole (kept, never lost).
 *
 * This is the Firehose adapter over the shared record core (lambda/shared/record-core.ts), which turns one
 * payload into lake records: here are only base64, Kinesis coordinates, the response budget and re-ingest.
 * Bytes that are not valid base64 make the record ProcessingFailed, as does every payload the core fails.
 */
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { isUtf8 } from 'node:buffer';
import { isStrictBase64 } from '../shared/base64';
import type { DeliveryCoordinates } from '../shared/event-id';
import { FIREHOSE_RESPONSE_LIMIT_BYTES } from '../../contracts/limits';
import { recordsFromPayload, type PayloadDropReason, type PayloadFailureReason } from '../shared/record-core';
import { isSchemaEpochMs } from '../shared/timestamps';

/** Why a record was marked ProcessingFailed (logged, and counted per reason). */
export type FailureReason =
  | 'missing-data'
  | 'invalid-base64'
  | PayloadFailureReason
  | 'output-exceeds-response-cap'
  | 'overflow-without-source-stream'
  | 'reingest-failed';

/** Why a record was Dropped. */
export type DropReason = PayloadDropReason | 'reingested';

/**
 * A record whose output did not fit in this response (or a piece of a split record): its original bytes go
 * back into the source stream.
 */
export interface OverflowRecord {
  /** The Firehose recordId, or `<recordId>#<n>` for the n-th piece of a split record. */
  readonly recordId: string;
  /** The record's original bytes, exactly as Firehose delivered them. */
  readonly data: Buffer;
  /** The Kinesis partition key it was written with, so re-ingest keeps it on the same shard's ordering key. */
  readonly partitionKey: string;
}

/** What re-ingest did with the overflow records (see reingest.ts). */
export interface ReingestOutcome {
  readonly reingested: ReadonlySet<string>;
  /** recordId → last error, for records still not written after the bounded retries. */
  readonly failed: ReadonlyMap<string, string>;
}

export type ReingestFunction = (sourceStreamArn: string, records: readonly OverflowRecord[]) => Promise<ReingestOutcome>;

export interface TransformStats {
  /** Records in the event. */
  records: number;
  okRecords: number;
  droppedRecords: number;
  failedRecords: number;
  /** Lines parsed into a known format, in Ok records. */
  parsedLines: number;
  /** Lines kept as 'unparsed', in Ok records. */
  unparsedLines: number;
  reingestedRecords: number;
  /** Records split at their line breaks and re-ingested as pieces (counted in reingestedRecords too). */
  splitRecords: number;
  reingestFailures: number;
  /** ProcessingFailed records whose original bytes did not fit under the cap and were sent as ''. */
  failedWithoutData: number;
  failuresByReason: Partial<Record<FailureReason, number>>;
  /** Size in bytes of the serialized response. */
  responseBytes: number;
}

export interface TransformOutcome {
  readonly response: FirehoseTransformationResult;
  readonly stats: TransformStats;
  /** recordId and reason of each ProcessingFailed record, for logging. */
  readonly failures: readonly { readonly recordId: string; readonly reason: FailureReason; readonly detail?: string }[];
}

export interface TransformOptions {
  /**
   * Cap on the serialized response, in bytes.
   * @default FIREHOSE_RESPONSE_LIMIT_BYTES (contracts/limits.ts)
   */
  readonly responseLimitBytes?: number;
  /**
   * Writes overflow records back into the source stream. Without it (or without
   * event.sourceKinesisStreamArn, i.e. Direct PUT) overflow records are ProcessingFailed.
   * @default none
   */
  readonly reingest?: ReingestFunction;
  /**
   * Clock for records that lack a usable approximateArrivalTimestamp.
   * @default Date.now
   */
  readonly now?: () => number;
}

// Both event sources deliver payloads as base64; one strict check for both (lambda/shared/base64.ts).
export { STRICT_BASE64, isStrictBase64 } from '../shared/base64';

/** JSON.stringify({"records":[]}) */
const ENVELOPE_BYTES = '{"records":[]}'.length;

type Planned =
  | { kind: 'ok'; data: string; parsedLines: number; unparsedLines: number }
  | { kind: 'overflow'; data: string; parsedLines: number; unparsedLines: number }
  | { kind: 'split'; pieces: Buffer[]; reason: FailureReason }
  | { kind: 'dropped'; reason: DropReason }
  | { kind: 'failed'; reason: FailureReason; detail?: string };

/** Bytes of a response entry with empty data; 'ProcessingFailed' is the longest result, so it bounds all. */
function entryBytesWithoutData(recordId: string): number {
  const quoted = PLAIN_ASCII.test(recordId) ? recordId.length + 2 : Buffer.byteLength(JSON.stringify(recordId));
  return quoted + '{"recordId":,"result":"ProcessingFailed","data":""}'.length;
}

/** Printable ASCII without '"' or '\\': JSON-quoted as is, one byte per character (Firehose's record ids). */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Encoding through one reused buffer saves a Buffer allocation per record on the hot path. */
let scratch = Buffer.allocUnsafeSlow(1024 * 1024);

function base64OfUtf8(text: string): string {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (text.length * 3 > scratch.length) scratch = Buffer.allocUnsafeSlow(Math.max(text.length * 3, scratch.length * 2));
  // Concatenation builds a tree of string pieces, which Buffer.write copies character by character
  // (about 3x slower per record here); reading a character makes V8 flatten it first, much faster.
  if (Number.isNaN(text.charCodeAt(0))) return '';
  const length = scratch.write(text, 0, 'utf8');
  return scratch.toString('base64', 0, length);
}

/** Transforms one Firehose event; never throws on bad data. */
export async function transformEvent(event: FirehoseTransformationEvent, options: TransformOptions = {}): Promise<TransformOutcome> {
  const limit = options.responseLimitBytes ?? FIREHOSE_RESPONSE_LIMIT_BYTES;
  const now = options.now ?? Date.now;
  const records: readonly FirehoseTransformationEventRecord[] = Array.isArray(event?.records) ? event.records : [];
  const recordIds = records.map((record) => String(record?.recordId ?? ''));

  // Every entry must fit even if all data were '', so the data budget is what remains after those.
  let fixedBytes = ENVELOPE_BYTES + Math.max(0, records.length - 1);
  for (const recordId of recordIds) fixedBytes += entryBytesWithoutData(recordId);

  const sourceStreamArn = typeof event?.sourceKinesisStreamArn === 'string' ? event.sourceKinesisStreamArn : '';
  const canReingest = sourceStreamArn !== '' && options.reingest !== undefined;
  const planned: Planned[] = new Array(records.length);
  let okDataBytes = 0;
  for (let i = 0; i < records.length; i++) {
    const plan = transformRecord(records[i], now);
    if (plan.kind === 'ok') {
      const dataBytes = plan.data.length;
      if (fixedBytes + okDataBytes + dataBytes <= limit) {
        okDataBytes += dataBytes;
      } else if (fixedBytes + dataBytes > limit) {
        // Pieces whose output takes at most half of what an invocation may return, so each fits alone.
        const pieces = canReingest ? splitToFit(Buffer.from(records[i].data, 'base64'), dataBytes, (limit - fixedBytes) / 2) : null;
        planned[i] =
          pieces === null
            ? { kind: 'failed', reason: 'output-exceeds-response-cap', detail: `${dataBytes} bytes of base64 output` }
            : { kind: 'split', pieces, reason: 'output-exceeds-response-cap' };
        continue;
      } else {
        planned[i] = { ...plan, kind: 'overflow' };
        continue;
      }
    }
    if (plan.kind === 'failed' && canReingest && (plan.reason === 'invalid-utf8' || plan.reason === 'binary-data')) {
      const pieces = splitAtBadLines(Buffer.from(records[i].data, 'base64'));
      if (pieces !== null) {
        planned[i] = { kind: 'split', pieces, reason: plan.reason };
        continue;
      }
    }
    planned[i] = plan;
  }

  const overflow: OverflowRecord[] = [];
  for (let i = 0; i < records.length; i++) {
    const plan = planned[i];
    if (plan.kind === 'overflow') {
      overflow.push({ recordId: recordIds[i], data: Buffer.from(records[i].data, 'base64'), partitionKey: partitionKeyOf(records[i]) });
    } else if (plan.kind === 'split') {
      // Same partition key: the pieces keep the record's place in its shard's order.
      plan.pieces.forEach((data, n) =>
        overflow.push({ recordId: pieceId(recordIds[i], n), data, partitionKey: partitionKeyOf(records[i]) }),
      );
    }
  }
  let reingestOutcome: ReingestOutcome | null = null;
  let reingestError: string | null = null;
  if (overflow.length > 0 && sourceStreamArn !== '' && options.reingest !== undefined) {
    try {
      reingestOutcome = await options.reingest(sourceStreamArn, overflow);
    } catch (error) {
      reingestError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }

  return assembleResponse(records, recordIds, planned, reingestOutcome, reingestError, fixedBytes + okDataBytes, limit);
}

function assembleResponse(
  records: readonly FirehoseTransformationEventRecord[],
  recordIds: readonly string[],
  planned: Planned[],
  reingestOutcome: ReingestOutcome | null,
  reingestError: string | null,
  usedBytes: number,
  limit: number,
): TransformOutcome {
  const stats: TransformStats = {
    records: records.length,
    okRecords: 0,
    droppedRecords: 0,
    failedRecords: 0,
    parsedLines: 0,
    unparsedLines: 0,
    reingestedRecords: 0,
    splitRecords: 0,
    reingestFailures: 0,
    failedWithoutData: 0,
    failuresByReason: {},
    responseBytes: 0,
  };
  const failures: { recordId: string; reason: FailureReason; detail?: string }[] = [];
  const out: FirehoseTransformationResultRecord[] = new Array(records.length);
  let used = usedBytes;

  for (let i = 0; i < records.length; i++) {
    const recordId = recordIds[i];
    let plan = planned[i];
    if (plan.kind === 'overflow') {
      if (reingestOutcome?.reingested.has(recordId)) {
        plan = { kind: 'dropped', reason: 'reingested' };
        stats.reingestedRecords++;
      } else if (reingestOutcome !== null || reingestError !== null) {
        plan = {
          kind: 'failed',
          reason: 'reingest-failed',
          detail: reingestOutcome?.failed.get(recordId) ?? reingestError ?? 'not re-ingested',
        };
        stats.reingestFailures++;
      } else {
        plan = { kind: 'failed', reason: 'overflow-without-source-stream' };
      }
    } else if (plan.kind === 'split') {
      const pieces = plan.pieces.map((_, n) => pieceId(recordId, n));
      const unwritten = pieces.filter((id) => !reingestOutcome?.reingested.has(id));
      if (unwritten.length === 0) {
        plan = { kind: 'dropped', reason: 'reingested' };
        stats.reingestedRecords++;
        stats.splitRecords++;
      } else {
        // Some pieces may be in the stream already: the whole record is kept too (a duplicate, never a loss).
        const why = reingestOutcome?.failed.get(unwritten[0]) ?? reingestError ?? 'not re-ingested';
        plan = {
          kind: 'failed',
          reason: 'reingest-failed',
          detail: `${unwritten.length} of ${pieces.length} pieces (split for ${plan.reason}) not re-ingested: ${why}`,
        };
        stats.reingestFailures++;
      }
    }
    switch (plan.kind) {
      case 'ok':
        out[i] = { recordId, result: 'Ok', data: plan.data };
        stats.okRecords++;
        stats.parsedLines += plan.parsedLines;
        stats.unparsedLines += plan.unparsedLines;
        break;
      case 'dropped':
        out[i] = { recordId, result: 'Dropped', data: '' };
        stats.droppedRecords++;
        break;
      case 'failed': {
        // Original bytes when they fit; Firehose keeps the raw record under the error prefix either way.
        // Text that is not valid base64 cannot go back as `data`; every other failed record's input was checked.
        const original = plan.reason === 'invalid-base64' || plan.reason === 'missing-data' ? '' : records[i].data;
        let data = '';
        if (original.length > 0 && used + original.length <= limit) {
          data = original;
          used += original.length;
        } else if (original.length > 0) {
          stats.failedWithoutData++;
        }
        out[i] = { recordId, result: 'ProcessingFailed', data };
        stats.failedRecords++;
        stats.failuresByReason[plan.reason] = (stats.failuresByReason[plan.reason] ?? 0) + 1;
        failures.push(
          plan.detail === undefined ? { recordId, reason: plan.reason } : { recordId, reason: plan.reason, detail: plan.detail },
        );
        break;
      }
    }
  }
  stats.responseBytes = used;
  return { response: { records: out }, stats, failures };
}

function pieceId(recordId: string, n: number): string {
  return `${recordId}#${n}`;
}

const NEWLINE = 0x0a;

/** The lines of `bytes`, each with its '\n' (the last may lack one); empty lines stay with the line before. */
function linesWithBreaks(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    end = end === -1 ? bytes.length : end + 1;
    // Blank lines (a lone '\n') ride with the line before them: they carry no record.
    while (end < bytes.length && bytes[end] === NEWLINE) end++;
    lines.push(bytes.subarray(start, end));
    start = end;
  }
  return lines;
}

const isGzip = (bytes: Buffer) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * Pieces of a record of several lines whose output (`outputBytes` of base64) cannot fit alone, each of about
 * `budgetBytes` of output at the record's own expansion; null when it cannot be split (one line, gzip).
 */
export function splitToFit(bytes: Buffer, outputBytes: number, budgetBytes: number): Buffer[] | null {
  if (isGzip(bytes)) return null;
  const lines = linesWithBreaks(bytes);
  if (lines.length < 2) return null;
  const target = Math.max(1, Math.floor((bytes.length * budgetBytes) / outputBytes));
  const pieces: Buffer[] = [];
  let piece: Buffer[] = [];
  let size = 0;
  for (const line of lines) {
    if (piece.length > 0 && size + line.length > target) {
      pieces.push(Buffer.concat(piece));
      piece = [];
      size = 0;
    }
    piece.push(line);
    size += line.length;
  }
  pieces.push(Buffer.concat(piece));
  return pieces.length < 2 ? null : pieces;
}

/**
 * Pieces of a record of several lines of which some are not UTF-8 text (invalid UTF-8, or NUL: binary): each
 * run of good lines one piece, each bad line a piece alone; null when it cannot be split (one line, gzip).
 */
export function splitAtBadLines(bytes: Buffer): Buffer[] | null {
  if (isGzip(bytes)) return null;
  const lines = linesWithBreaks(bytes);
  if (lines.length < 2) return null;
  const pieces: Buffer[] = [];
  let good: Buffer[] = [];
  for (const line of lines) {
    if (isUtf8(line) && line.indexOf(0) === -1) {
      good.push(line);
      continue;
    }
    if (good.length > 0) pieces.push(Buffer.concat(good));
    good = [];
    pieces.push(line);
  }
  if (good.length > 0) pieces.push(Buffer.concat(good));
  // Mostly binary (more pieces than one PutRecords call takes): kept whole instead.
  return pieces.length < 2 || pieces.length > MAX_SPLIT_PIECES ? null : pieces;
}

/** Most pieces a record is split into: one PutRecords call's worth. */
export const MAX_SPLIT_PIECES = 500;

function partitionKeyOf(record: FirehoseTransformationEventRecord): string {
  const key = record.kinesisRecordMetadata?.partitionKey;
  // Kinesis partition keys are 1-256 characters; a record without one keeps its own recordId's prefix.
  return typeof key === 'string' && key.length > 0 ? key.slice(0, 256) : String(record.recordId).slice(0, 256);
}

/** Decoding into one reused buffer saves a Buffer allocation per record on the hot path. */
let decodeScratch = Buffer.allocUnsafeSlow(64 * 1024);

/** Decodes one record and hands its payload to the record core. */
function transformRecord(record: FirehoseTransformationEventRecord, now: () => number): Planned {
  const data = record?.data;
  if (typeof data !== 'string') return { kind: 'failed', reason: 'missing-data' };
  // Base64 decodes to at most 3 bytes per 4 characters.
  const maxBytes = Math.ceil(data.length / 4) * 3;
  if (maxBytes > decodeScratch.length) decodeScratch = Buffer.allocUnsafeSlow(Math.max(maxBytes, decodeScratch.length * 2));
  const byteLength = decodeScratch.write(data, 0, 'base64');
  if (!isStrictBase64(data, byteLength)) return { kind: 'failed', reason: 'invalid-base64' };

  const arrival = record.approximateArrivalTimestamp;
  const arrivalMs = typeof arrival === 'number' && isSchemaEpochMs(arrival) ? arrival : now();
  const result = recordsFromPayload(decodeScratch, byteLength, { source: 'kinesis', coordinates: coordinatesOf(record), arrivalMs });
  if (result.kind !== 'lines') return result;
  return { kind: 'ok', data: base64OfUtf8(result.output), parsedLines: result.parsedLines, unparsedLines: result.unparsedLines };
}

function coordinatesOf(record: FirehoseTransformationEventRecord): DeliveryCoordinates {
  const metadata = record.kinesisRecordMetadata;
  if (metadata !== undefined && metadata !== null && typeof metadata.shardId === 'string' && metadata.sequenceNumber !== undefined) {
    return {
      kind: 'kinesis',
      shardId: metadata.shardId,
      sequenceNumber: String(metadata.sequenceNumber),
      subsequenceNumber: String(metadata.subsequenceNumber ?? ''),
    };
  }
  return { kind: 'firehose', recordId: String(record.recordId) };
}
