/**
 * LogRecord → one JSON line, built by string concatenation in the schema's key order, null fields left out.
 *
 * On the hot path this is several times faster than JSON.stringify of an object: the keys are constants,
 * and the fields the pipeline itself produces (event id, source, format, timestamps) never need escaping.
 * Free-text fields go through JSON.stringify(string), which escapes exactly as JSON requires.
 */
import type { ParsedLine } from './parse-line';
import { LOG_RECORD_FIELDS, type LogRecord, type RecordSource } from './record';

/** The fields a record carries only when the line has them. */
const OPTIONAL_FIELDS = LOG_RECORD_FIELDS.slice(5) as readonly Exclude<(typeof LOG_RECORD_FIELDS)[number], 'event_id' | 'source' | 'format' | 'timestamp' | 'ingested_at'>[];

function text(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/** Quoting without escaping, for fields the parser vouched for (ParsedLine.plainText). */
function plainText(value: string | null): string {
  return value === null ? 'null' : `"${value}"`;
}

/**
 * The record's JSON text (no trailing newline). `eventId` is 32 hex chars and `ingestedAt` a schema
 * timestamp; a line without a usable time gets `ingestedAt` as its timestamp. Null fields are left out:
 * the schema requires only the first five, readers take a missing field as null, and the raw zone stays
 * about half the size.
 */
export function serializeRecord(eventId: string, source: RecordSource, ingestedAt: string, p: ParsedLine): string {
  const t = p.plainText ? plainText : text;
  let json =
    `{"event_id":"${eventId}","source":"${source}","format":"${p.format}",` +
    `"timestamp":"${p.timestamp ?? ingestedAt}","ingested_at":"${ingestedAt}"`;
  if (p.host !== null) json += `,"host":${t(p.host)}`;
  if (p.client_ip !== null) json += `,"client_ip":${t(p.client_ip)}`;
  if (p.user !== null) json += `,"user":${t(p.user)}`;
  if (p.method !== null) json += `,"method":${t(p.method)}`;
  if (p.path !== null) json += `,"path":${t(p.path)}`;
  if (p.protocol !== null) json += `,"protocol":${t(p.protocol)}`;
  if (p.status !== null) json += `,"status":${p.status}`;
  if (p.bytes !== null) json += `,"bytes":${p.bytes}`;
  if (p.referrer !== null) json += `,"referrer":${t(p.referrer)}`;
  if (p.user_agent !== null) json += `,"user_agent":${t(p.user_agent)}`;
  if (p.severity !== null) json += `,"severity":${t(p.severity)}`;
  if (p.facility !== null) json += `,"facility":${t(p.facility)}`;
  if (p.app !== null) json += `,"app":${t(p.app)}`;
  if (p.proc_id !== null) json += `,"proc_id":${t(p.proc_id)}`;
  if (p.message !== null) json += `,"message":${t(p.message)}`;
  if (p.attributes !== null) json += `,"attributes":${JSON.stringify(p.attributes)}`;
  if (p.raw !== null) json += `,"raw":${t(p.raw)}`;
  return `${json}}`;
}

/** The same record as an object (Kafka consumer, tests): null fields left out; JSON.stringify of it equals serializeRecord. */
export function toLogRecord(eventId: string, source: RecordSource, ingestedAt: string, p: ParsedLine): LogRecord {
  const record: LogRecord = {
    event_id: eventId,
    source,
    format: p.format,
    timestamp: p.timestamp ?? ingestedAt,
    ingested_at: ingestedAt,
  };
  for (const field of OPTIONAL_FIELDS) {
    const value = p[field];
    if (value === null) continue;
    (record as unknown as Record<string, unknown>)[field] = field === 'attributes' ? { ...(value as Record<string, string>) } : value;
  }
  return record;
}
