/**
 * The record core every delivery path shares: one payload's bytes in, the lake's JSON lines out.
 *
 * The Firehose transform (Kinesis) and the Kafka consumer are thin adapters over this module: they take the
 * payload out of their event, name the source and the delivery coordinates, and shape their own response.
 * No parser or record logic lives anywhere else.
 *
 * A payload is plain text (lines split on \n, \r\n or \r; empty lines skipped) or a gzipped CloudWatch Logs
 * subscription message (each log event's message is one line; CONTROL_MESSAGE is dropped). Gzip that is
 * not a CloudWatch Logs message is read as plain text. Bytes that are not valid UTF-8, contain NUL (binary)
 * or are corrupt gzip fail, with a reason: the adapter keeps the original bytes under the error prefix.
 *
 * CloudWatch Logs events keep their own time and origin: a line without a timestamp of its own takes the
 * log event's `timestamp`, and every record of the message carries the envelope's `logGroup`, `logStream`
 * and `owner` as the attributes `cloudwatch.log_group`, `cloudwatch.log_stream` and `cloudwatch.owner`
 * (schema/log-record.schema.json documents them).
 */
import { isUtf8 } from 'node:buffer';
import * as zlib from 'node:zlib';
import { eventId, eventIdPrefix, type DeliveryCoordinates } from './event-id';
import { forEachLine } from './lines';
import { parseLine, type ParsedLine } from './parsers';
import type { RecordSource } from '../../contracts/record';
import { serializeRecordLine } from './serialize';
import { isoFromEpochMs } from './timestamps';

export interface PayloadContext {
  /** The path the payload took: the records' `source`. */
  readonly source: RecordSource;
  /** Where the payload sits in its delivery: hashed with each line's index into the event id. */
  readonly coordinates: DeliveryCoordinates;
  /**
   * When the payload reached the pipeline, epoch ms (Kinesis: approximateArrivalTimestamp; Kafka: the
   * record's timestamp): every record's `ingested_at`, and the time of lines that carry none.
   * Must be a time `isoFromEpochMs` accepts (years 1000–9999); adapters fall back to their clock.
   */
  readonly arrivalMs: number;
}

/** Why a payload could not become records (its original bytes belong under the error prefix). */
export type PayloadFailureReason = 'invalid-utf8' | 'binary-data' | 'corrupt-gzip' | 'invalid-cloudwatch-logs-message';

/** Why a payload yielded no records and nothing needs keeping. */
export type PayloadDropReason = 'no-lines' | 'cloudwatch-logs-control-message';

export type PayloadResult =
  | {
      readonly kind: 'lines';
      /** One JSON line in the record schema per log line, each '\n'-terminated. */
      readonly output: string;
      readonly lines: number;
      readonly parsedLines: number;
      readonly unparsedLines: number;
    }
  | { readonly kind: 'dropped'; readonly reason: PayloadDropReason }
  | { readonly kind: 'failed'; readonly reason: PayloadFailureReason; readonly detail?: string };

/** Stop gunzip before a gzip bomb exhausts memory; a real CloudWatch Logs record is at most ~1 MB compressed. */
export const MAX_GUNZIPPED_BYTES = 64 * 1024 * 1024;

/** Attribute keys of a CloudWatch Logs envelope's fields, on every record of the message. */
export const CLOUDWATCH_ATTRIBUTES = {
  logGroup: 'cloudwatch.log_group',
  logStream: 'cloudwatch.log_stream',
  owner: 'cloudwatch.owner',
} as const;

/** The lake records of `bytes[0..length)`. Never throws on bad data. */
export function recordsFromPayload(bytes: Uint8Array, length: number, context: PayloadContext): PayloadResult {
  const ingestedAt = isoFromEpochMs(context.arrivalMs) ?? new Date().toISOString();
  const state: LineState = {
    idPrefix: eventIdPrefix(context.coordinates),
    source: context.source,
    ingestedAt,
    arrivalMs: context.arrivalMs,
    lineIndex: 0,
    parsedLines: 0,
    unparsedLines: 0,
  };

  let output: string;
  if (length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let inflated: Buffer;
    try {
      inflated = zlib.gunzipSync(bytes.subarray(0, length), { maxOutputLength: MAX_GUNZIPPED_BYTES });
    } catch (error) {
      return { kind: 'failed', reason: 'corrupt-gzip', detail: error instanceof Error ? error.message : String(error) };
    }
    const text = decodeText(inflated, inflated.length);
    if (typeof text !== 'string') return text;
    const cloudWatch = cloudWatchLogsMessage(text);
    if (cloudWatch === 'control') return { kind: 'dropped', reason: 'cloudwatch-logs-control-message' };
    if (cloudWatch === 'invalid') return { kind: 'failed', reason: 'invalid-cloudwatch-logs-message' };
    output = cloudWatch === null ? recordsOfText(text, state) : recordsOfLogEvents(cloudWatch, state);
  } else {
    const text = decodeText(bytes, length);
    if (typeof text !== 'string') return text;
    output = recordsOfText(text, state);
  }
  if (state.lineIndex === 0) return { kind: 'dropped', reason: 'no-lines' };
  return { kind: 'lines', output, lines: state.lineIndex, parsedLines: state.parsedLines, unparsedLines: state.unparsedLines };
}

type Failed = Extract<PayloadResult, { kind: 'failed' }>;

/**
 * Strict UTF-8 (isUtf8 rejects what a fatal TextDecoder rejects) of `bytes[0..length)`; text containing
 * NUL is binary. Node's decoder turns every invalid sequence into U+FFFD, so text without U+FFFD came from
 * valid UTF-8 and only text with one (rare: it may also be a genuine U+FFFD) needs the strict check.
 */
function decodeText(bytes: Uint8Array, length: number): string | Failed {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = buffer.toString('utf8', 0, length);
  if (text.indexOf('\ufffd') !== -1 && !isUtf8(buffer.subarray(0, length))) return { kind: 'failed', reason: 'invalid-utf8' };
  if (text.indexOf('\u0000') !== -1) return { kind: 'failed', reason: 'binary-data' };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

interface LineState {
  readonly idPrefix: string;
  readonly source: RecordSource;
  readonly ingestedAt: string;
  readonly arrivalMs: number;
  /** Index of the next non-empty line: part of its event id. */
  lineIndex: number;
  parsedLines: number;
  unparsedLines: number;
}

/** The line's JSON line, '\n'-terminated. */
function recordOfLine(parsed: ParsedLine, state: LineState): string {
  if (parsed.format === 'unparsed') state.unparsedLines++;
  else state.parsedLines++;
  const json = serializeRecordLine(eventId(state.idPrefix, state.lineIndex), state.source, state.ingestedAt, parsed);
  state.lineIndex++;
  return json;
}

/** JSON lines for every non-empty line of `text` (\n, \r\n and \r all end a line). */
function recordsOfText(text: string, state: LineState): string {
  // A payload holding one line (an agent that puts each line as its own record) skips the splitter.
  const newline = text.indexOf('\n');
  if ((newline === -1 || newline === text.length - 1) && text.indexOf('\r') === -1) {
    const line = newline === -1 ? text : text.slice(0, newline);
    return line.length === 0 ? '' : recordOfLine(parseLine(line, state.arrivalMs), state);
  }
  let output = '';
  forEachLine(text, (line) => {
    output += recordOfLine(parseLine(line, state.arrivalMs), state);
  });
  return output;
}

interface LogEvent {
  readonly message: string;
  /** Epoch ms of the log event, when usable. */
  readonly timestampMs: number | null;
}

interface LogEventsMessage {
  readonly events: readonly LogEvent[];
  /** The envelope's logGroup, logStream and owner, as attributes (only those present as strings). */
  readonly origin: readonly (readonly [string, string])[];
}

function recordsOfLogEvents(message: LogEventsMessage, state: LineState): string {
  let output = '';
  for (const event of message.events) {
    // A log event is one line; a trailing line break from the agent is not part of it.
    const line = event.message.replace(TRAILING_BREAKS, '');
    if (line.length === 0) continue;
    // The event's own time places RFC 3164 lines in their year, and stands in for a line without a time.
    const eventIso = event.timestampMs === null ? null : isoFromEpochMs(event.timestampMs);
    const parsed = parseLine(line, eventIso === null ? state.arrivalMs : (event.timestampMs as number));
    if (parsed.timestamp === null && eventIso !== null) parsed.timestamp = eventIso;
    if (message.origin.length > 0) {
      const attributes: Record<string, string> = parsed.attributes ?? {};
      for (const [key, value] of message.origin) attributes[key] = value;
      parsed.attributes = attributes;
    }
    output += recordOfLine(parsed, state);
  }
  return output;
}

const TRAILING_BREAKS = /[\r\n]+$/;

/**
 * A CloudWatch Logs subscription message: its log events and origin for DATA_MESSAGE, 'control' for
 * CONTROL_MESSAGE, 'invalid' for a message of that shape with bad fields, null for anything else (plain
 * gzipped text).
 */
function cloudWatchLogsMessage(text: string): LogEventsMessage | 'control' | 'invalid' | null {
  if (text.charCodeAt(0) !== 123 /* { */) return null;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (message === null || typeof message !== 'object' || !('messageType' in message)) return null;
  const { messageType, logEvents, logGroup, logStream, owner } = message as Record<string, unknown>;
  if (messageType === 'CONTROL_MESSAGE') return 'control';
  if (messageType !== 'DATA_MESSAGE' || !Array.isArray(logEvents)) return 'invalid';
  const events: LogEvent[] = [];
  for (const logEvent of logEvents) {
    const { message: line, timestamp } = (logEvent ?? {}) as { message?: unknown; timestamp?: unknown };
    if (typeof line !== 'string') return 'invalid';
    events.push({ message: line, timestampMs: typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : null });
  }
  const origin: [string, string][] = [];
  if (typeof logGroup === 'string') origin.push([CLOUDWATCH_ATTRIBUTES.logGroup, logGroup]);
  if (typeof logStream === 'string') origin.push([CLOUDWATCH_ATTRIBUTES.logStream, logStream]);
  if (typeof owner === 'string') origin.push([CLOUDWATCH_ATTRIBUTES.owner, owner]);
  return { events, origin };
}
