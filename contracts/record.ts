/**
 * The lake's one record type, field for field the JSON Schema in schema/log-record.schema.json
 * (a unit test checks that the two list the same fields, required fields, formats, sources and key order).
 */

/** The fields every record has (the schema's `required`). */
export const REQUIRED_RECORD_FIELDS = ['event_id', 'source', 'format', 'timestamp', 'ingested_at'] as const;

/**
 * Every built-in `format` value of the schema. 'unparsed' keeps a line that matched no format in `raw`.
 * A stage's custom formats (parsers/custom-format.ts) add their names: the Glue job receives them as
 * --custom_formats and accepts exactly those besides these.
 */
export const RECORD_FORMATS = ['common', 'combined', 'syslog_rfc3164', 'syslog_rfc5424', 'json', 'unparsed'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** A record's `format`: a built-in, or a custom format's name (`string & {}` keeps the built-ins as hints). */
export type RecordFormatName = RecordFormat | (string & {});

/** The formats a line can be recognised as (everything but 'unparsed'). */
export type ParsedFormat = Exclude<RecordFormat, 'unparsed'>;

/** The paths by which events reach the lake (the schema's `source` enum). */
export const RECORD_SOURCES = ['kinesis', 'kafka'] as const;
export type RecordSource = (typeof RECORD_SOURCES)[number];

/** The schema's fields in its `properties` order (the first five are required); serialized records use this key order. */
export const LOG_RECORD_FIELDS = [
  'event_id',
  'source',
  'format',
  'timestamp',
  'ingested_at',
  'host',
  'client_ip',
  'user',
  'method',
  'path',
  'protocol',
  'status',
  'bytes',
  'referrer',
  'user_agent',
  'severity',
  'facility',
  'app',
  'proc_id',
  'message',
  'attributes',
  'raw',
] as const;

/**
 * One event in the lake. The first five fields are always there; the others only when the line's format
 * carries them (the schema allows them to be missing or null, and readers take missing as null; the
 * writers here leave them out to keep the raw zone small).
 */
export interface LogRecord {
  /** MurmurHash3 x86_128 of the delivery coordinates and the line index, 32 hex chars (see event-id.ts). */
  event_id: string;
  source: RecordSource;
  format: RecordFormatName;
  /** UTC ISO 8601 with milliseconds; ingested_at when the line carries no usable time. */
  timestamp: string;
  /** UTC ISO 8601 with milliseconds. */
  ingested_at: string;
  host?: string | null;
  client_ip?: string | null;
  user?: string | null;
  method?: string | null;
  path?: string | null;
  protocol?: string | null;
  /** Integer 100..999. */
  status?: number | null;
  /** Non-negative integer; 0 when the log says '-'. */
  bytes?: number | null;
  referrer?: string | null;
  user_agent?: string | null;
  severity?: string | null;
  facility?: string | null;
  app?: string | null;
  proc_id?: string | null;
  message?: string | null;
  /** String values only; nested JSON values are serialized. */
  attributes?: Record<string, string> | null;
  /** The original line, only when format is 'unparsed'. */
  raw?: string | null;
}
