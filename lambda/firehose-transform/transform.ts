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
 *     re-ingest (its ORIGINAL bytes go back into the source stream, then the record is Dropped); a record
 *     whose own output cannot fit even alone is ProcessingFailed, never re-ingested (it would loop).
 *
 * A record's payload is plain text (lines split on \n, \r\n or \r; empty lines skipped) or a gzipped
 * CloudWatch Logs subscription message (each logEvent's message is one line; CONTROL_MESSAGE is Dropped).
 * Gzip that is not a CloudWatch Logs message is read as plain text. Bytes that are not valid base64, not
 * valid UTF-8, contain NUL (binary) or are corrupt gzip make the record ProcessingFailed.
 */
import { isUtf8 } from 'node:buffer';
import * as zlib from 'node:zlib';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { eventId, eventIdPrefix } from '../shared/event-id';
import { forEachLine } from '../shared/lines';
import { FIREHOSE_RESPONSE_LIMIT_BYTES } from '../shared/limits';
import { parseLine } from '../shared/parse-line';
import { serializeRecord } from '../shared/serialize';
import { isoFromEpochMs } from '../shared/timestamps';

/** Why a record was marked ProcessingFailed (logged, and counted per reason). */
export type FailureReason =
  | 'missing-data'
  | 'invalid-base64'
  | 'invalid-utf8'
  | 'binary-data'
  | 'corrupt-gzip'
  | 'invalid-cloudwatch-logs-message'
  | 'output-exceeds-response-cap'
  | 'overflow-without-source-stream'
  | 'reingest-failed';

/** Why a record was Dropped. */
export type DropReason = 'no-lines' | 'cloudwatch-logs-control-message' | 'reingested';

/** A record whose output did not fit in this response: its original bytes go back into the source stream. */
export interface OverflowRecord {
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
   * @default FIREHOSE_RESPONSE_LIMIT_BYTES (lambda/shared/limits.ts)
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

/** Stop gunzip before a gzip bomb exhausts memory; a real CloudWatch Logs record is at most ~1 MB compressed. */
const MAX_GUNZIPPED_BYTES = 64 * 1024 * 1024;
/** The definition isStrictBase64 implements (tests compare the two). */
export const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/**
 * Whether `data` is canonical padded base64 that decoded to `decodedLength` bytes. Node's decoder skips or
 * stops at characters outside the alphabet, so any such character makes the decoded length fall short of
 * what the text length promises; '-' and '_' (base64url, which Node also accepts) are checked apart.
 * A fraction of the cost of a full-text regex on the hot path; a unit test pins it to that regex.
 */
export function isStrictBase64(data: string, decodedLength: number): boolean {
  const length = data.length;
  if (length % 4 !== 0) return false;
  const padding = length === 0 ? 0 : data.charCodeAt(length - 1) !== 61 ? 0 : data.charCodeAt(length - 2) !== 61 ? 1 : 2;
  return decodedLength === (length / 4) * 3 - padding && data.indexOf('-') === -1 && data.indexOf('_') === -1;
}

/** JSON.stringify({"records":[]}) */
const ENVELOPE_BYTES = '{"records":[]}'.length;

type Planned =
  | { kind: 'ok'; data: string; parsedLines: number; unparsedLines: number }
  | { kind: 'overflow'; data: string; parsedLines: number; unparsedLines: number }
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
export async function transformEvent(
  event: FirehoseTransformationEvent,
  options: TransformOptions = {},
): Promise<TransformOutcome> {
  const limit = options.responseLimitBytes ?? FIREHOSE_RESPONSE_LIMIT_BYTES;
  const now = options.now ?? Date.now;
  const records: readonly FirehoseTransformationEventRecord[] = Array.isArray(event?.records) ? event.records : [];
  const recordIds = records.map((record) => String(record?.recordId ?? ''));

  // Every entry must fit even if all data were '', so the data budget is what remains after those.
  let fixedBytes = ENVELOPE_BYTES + Math.max(0, records.length - 1);
  for (const recordId of recordIds) fixedBytes += entryBytesWithoutData(recordId);

  const planned: Planned[] = new Array(records.length);
  let okDataBytes = 0;
  for (let i = 0; i < records.length; i++) {
    const plan = transformRecord(records[i], now);
    if (plan.kind === 'ok') {
      const dataBytes = plan.data.length;
      if (fixedBytes + okDataBytes + dataBytes <= limit) {
        okDataBytes += dataBytes;
      } else if (fixedBytes + dataBytes > limit) {
        planned[i] = { kind: 'failed', reason: 'output-exceeds-response-cap', detail: `${dataBytes} bytes of base64 output` };
        continue;
      } else {
        planned[i] = { ...plan, kind: 'overflow' };
        continue;
      }
    }
    planned[i] = plan;
  }

  const overflow: OverflowRecord[] = [];
  for (let i = 0; i < records.length; i++) {
    if (planned[i].kind !== 'overflow') continue;
    overflow.push({
      recordId: recordIds[i],
      data: Buffer.from(records[i].data, 'base64'),
      partitionKey: partitionKeyOf(records[i]),
    });
  }
  const sourceStreamArn = typeof event?.sourceKinesisStreamArn === 'string' ? event.sourceKinesisStreamArn : '';
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
        plan = { kind: 'failed', reason: 'reingest-failed', detail: reingestOutcome?.failed.get(recordId) ?? reingestError ?? 'not re-ingested' };
        stats.reingestFailures++;
      } else {
        plan = { kind: 'failed', reason: 'overflow-without-source-stream' };
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
        failures.push(plan.detail === undefined ? { recordId, reason: plan.reason } : { recordId, reason: plan.reason, detail: plan.detail });
        break;
      }
    }
  }
  stats.responseBytes = used;
  return { response: { records: out }, stats, failures };
}

function partitionKeyOf(record: FirehoseTransformationEventRecord): string {
  const key = record.kinesisRecordMetadata?.partitionKey;
  // Kinesis partition keys are 1-256 characters; a record without one keeps its own recordId's prefix.
  return typeof key === 'string' && key.length > 0 ? key.slice(0, 256) : String(record.recordId).slice(0, 256);
}

/** Decoding into one reused buffer saves a Buffer allocation per record on the hot path. */
let decodeScratch = Buffer.allocUnsafeSlow(64 * 1024);

/** Decodes, parses and serializes one record. */
function transformRecord(record: FirehoseTransformationEventRecord, now: () => number): Planned {
  const data = record?.data;
  if (typeof data !== 'string') return { kind: 'failed', reason: 'missing-data' };
  // Base64 decodes to at most 3 bytes per 4 characters.
  const maxBytes = Math.ceil(data.length / 4) * 3;
  if (maxBytes > decodeScratch.length) decodeScratch = Buffer.allocUnsafeSlow(Math.max(maxBytes, decodeScratch.length * 2));
  const byteLength = decodeScratch.write(data, 0, 'base64');
  if (!isStrictBase64(data, byteLength)) return { kind: 'failed', reason: 'invalid-base64' };

  const arrival = record.approximateArrivalTimestamp;
  const arrivalIso = typeof arrival === 'number' ? isoFromEpochMs(arrival) : null;
  const arrivalMs = arrivalIso === null ? now() : (arrival as number);
  const ingestedAt = arrivalIso ?? new Date(arrivalMs).toISOString();
  const context: LineContext = {
    idPrefix: eventIdPrefix(coordinatesOf(record)),
    ingestedAt,
    arrivalMs,
    lineIndex: 0,
    parsedLines: 0,
    unparsedLines: 0,
  };

  let output: string;
  if (byteLength >= 2 && decodeScratch[0] === 0x1f && decodeScratch[1] === 0x8b) {
    let inflated: Buffer;
    try {
      inflated = zlib.gunzipSync(decodeScratch.subarray(0, byteLength), { maxOutputLength: MAX_GUNZIPPED_BYTES });
    } catch (error) {
      return { kind: 'failed', reason: 'corrupt-gzip', detail: error instanceof Error ? error.message : String(error) };
    }
    const text = decodeText(inflated, inflated.length);
    if (typeof text !== 'string') return text;
    const cloudWatch = cloudWatchLogsMessage(text);
    if (cloudWatch === 'control') return { kind: 'dropped', reason: 'cloudwatch-logs-control-message' };
    if (cloudWatch === 'invalid') return { kind: 'failed', reason: 'invalid-cloudwatch-logs-message' };
    output = cloudWatch === null ? transformText(text, context) : transformMessages(cloudWatch, context);
  } else {
    const text = decodeText(decodeScratch, byteLength);
    if (typeof text !== 'string') return text;
    output = transformText(text, context);
  }
  if (context.lineIndex === 0) return { kind: 'dropped', reason: 'no-lines' };
  return {
    kind: 'ok',
    data: base64OfUtf8(output),
    parsedLines: context.parsedLines,
    unparsedLines: context.unparsedLines,
  };
}

function coordinatesOf(record: FirehoseTransformationEventRecord): Parameters<typeof eventIdPrefix>[0] {
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

/**
 * Strict UTF-8 (isUtf8 rejects what a fatal TextDecoder rejects) of `bytes[0..length)`; text containing
 * NUL is binary. Node's decoder turns every invalid sequence into U+FFFD, so text without U+FFFD came from
 * valid UTF-8 and only text with one (rare: it may also be a genuine U+FFFD) needs the strict check.
 */
function decodeText(bytes: Buffer, length: number): string | Planned {
  let text = bytes.toString('utf8', 0, length);
  if (text.indexOf('\ufffd') !== -1 && !isUtf8(bytes.subarray(0, length))) return { kind: 'failed', reason: 'invalid-utf8' };
  if (text.indexOf('\u0000') !== -1) return { kind: 'failed', reason: 'binary-data' };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

interface LineContext {
  readonly idPrefix: string;
  readonly ingestedAt: string;
  readonly arrivalMs: number;
  /** Index of the next non-empty line: part of its event id. */
  lineIndex: number;
  parsedLines: number;
  unparsedLines: number;
}

function transformLine(line: string, context: LineContext): string {
  const parsed = parseLine(line, context.arrivalMs);
  if (parsed.format === 'unparsed') context.unparsedLines++;
  else context.parsedLines++;
  const json = serializeRecord(eventId(context.idPrefix, context.lineIndex), 'kinesis', context.ingestedAt, parsed);
  context.lineIndex++;
  return json;
}

/** JSON lines for every non-empty line of `text` (\n, \r\n and \r all end a line). */
function transformText(text: string, context: LineContext): string {
  // A record holding one line (an agent that puts each line as its own record) skips the splitter.
  const newline = text.indexOf('\n');
  if ((newline === -1 || newline === text.length - 1) && text.indexOf('\r') === -1) {
    const line = newline === -1 ? text : text.slice(0, newline);
    return line.length === 0 ? '' : `${transformLine(line, context)}\n`;
  }
  let output = '';
  forEachLine(text, (line) => {
    output += transformLine(line, context) + '\n';
  });
  return output;
}

function transformMessages(messages: readonly string[], context: LineContext): string {
  let output = '';
  for (const message of messages) {
    // A log event is one line; a trailing line break from the agent is not part of it.
    const line = message.replace(TRAILING_BREAKS, '');
    if (line.length > 0) output += transformLine(line, context) + '\n';
  }
  return output;
}

const TRAILING_BREAKS = /[\r\n]+$/;

/**
 * A CloudWatch Logs subscription message: the log events' messages for DATA_MESSAGE, 'control' for
 * CONTROL_MESSAGE, 'invalid' for a message of that shape with bad fields, null for anything else (plain
 * gzipped text).
 */
function cloudWatchLogsMessage(text: string): string[] | 'control' | 'invalid' | null {
  if (text.charCodeAt(0) !== 123 /* { */) return null;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (message === null || typeof message !== 'object' || !('messageType' in message)) return null;
  const { messageType, logEvents } = message as { messageType: unknown; logEvents: unknown };
  if (messageType === 'CONTROL_MESSAGE') return 'control';
  if (messageType !== 'DATA_MESSAGE' || !Array.isArray(logEvents)) return 'invalid';
  const messages: string[] = [];
  for (const logEvent of logEvents) {
    const line = (logEvent as { message?: unknown } | null)?.message;
    if (typeof line !== 'string') return 'invalid';
    messages.push(line);
  }
  return messages;
}
