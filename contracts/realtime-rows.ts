/**
 * The rows the stream analytics job writes to its output topic (analytics/flink Rows.java), as the lake keeps
 * them: the realtime-rows Lambda checks each row against these fields, and the Glue table `realtime_rows` has
 * one column per field (test/contracts/realtime-rows.test.ts holds them equal to what Rows.java writes).
 */

/** The kinds of row, the `kind` field and the first partition key under realtime/. */
export const REALTIME_ROW_KINDS = ['window', 'burst', 'late', 'invalid'] as const;
export type RealtimeRowKind = (typeof REALTIME_ROW_KINDS)[number];

/**
 * A field's JSON value: an `instant` is a string in the lake's timestamp format (UTC ISO 8601 with
 * milliseconds), kept as a string column as the raw table keeps `timestamp`; `integer` fits a bigint; a
 * `topPaths` list holds objects of `path` and the named count.
 */
export type RealtimeFieldType = 'instant' | 'string' | 'integer' | 'number' | { readonly topPaths: string };

/** Every field of every kind but `kind` (a partition key), in the order of a window row, then the other kinds' own. */
export const REALTIME_ROW_FIELDS = {
  window_start: 'instant',
  window_end: 'instant',
  dimension: 'string',
  key: 'string',
  records: 'integer',
  requests: 'integer',
  status_2xx: 'integer',
  status_3xx: 'integer',
  status_4xx: 'integer',
  status_5xx: 'integer',
  share_5xx: 'number',
  severity_records: 'integer',
  error_severity: 'integer',
  error_share: 'number',
  bytes_p50: 'integer',
  bytes_p90: 'integer',
  bytes_p99: 'integer',
  top_paths_by_requests: { topPaths: 'requests' },
  top_paths_by_5xx: { topPaths: 'status_5xx' },
  // burst
  quiet_until: 'instant',
  // late
  timestamp: 'instant',
  event_id: 'string',
  status: 'integer',
  watermark: 'instant',
  // invalid
  reason: 'string',
} as const satisfies Record<string, RealtimeFieldType>;
export type RealtimeRowField = keyof typeof REALTIME_ROW_FIELDS;

/** The lake's instant format, as the job writes it. */
export const REALTIME_INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
