/**
 * Where everything lives in the lake bucket: the one source of truth for prefixes.
 * Firehose, the Kafka consumer, the local run, the Glue tables' partition projection and
 * the Glue job's arguments all derive their paths from here, so they cannot drift apart.
 */

import { RECORD_SOURCES, type RecordSource } from './record';
import { REALTIME_ROW_KINDS, type RealtimeRowKind } from './realtime-rows';

/** The paths by which events reach the lake (the record schema's `source`); each gets its own `source=` partition. */
export const RAW_SOURCES = RECORD_SOURCES;
export type RawSource = RecordSource;

/** Java date pattern shared by Firehose `!{timestamp:...}` and Athena's date projection. */
export const DT_FORMAT = 'yyyy-MM-dd';

/** Earliest partition Athena's projection enumerates; partitions before it are never read. */
export const DT_PROJECTION_START = '2024-01-01';

export const LAKE_PREFIXES = {
  /** GZIP JSON lines in the record schema, as delivered (at least once). */
  raw: 'raw/',
  /** Parquet written by the Glue job, deduplicated and partitioned. */
  curated: 'curated/',
  /** The stream analytics job's per-minute rows (contracts/realtime-rows.ts), GZIP JSON lines written by the realtime-rows Lambda. */
  realtime: 'realtime/',
  /** Rows the Glue job could not validate against the record schema, kept for inspection. */
  quarantine: 'quarantine/',
  /** Firehose's error output: records the transform marked ProcessingFailed, and delivery failures. */
  errors: 'errors/',
  /** Firehose's S3 backup of source records (prod option). */
  backup: 'backup/',
  /** Athena query results. */
  athenaResults: 'athena-results/',
  /** Glue job scratch space and Spark event logs. */
  glueTemp: 'glue-temp/',
} as const;

/** Firehose data prefix for a source: Hive-style `dt=` partitions on the arrival date (UTC). */
export function firehoseRawPrefix(source: RawSource): string {
  return `${LAKE_PREFIXES.raw}source=${source}/dt=!{timestamp:${DT_FORMAT}}/`;
}

/** Firehose error prefix; Firehose requires `!{firehose:error-output-type}` when the data prefix uses expressions. */
export function firehoseErrorPrefix(): string {
  return `${LAKE_PREFIXES.errors}!{firehose:error-output-type}/dt=!{timestamp:${DT_FORMAT}}/`;
}

/** The concrete raw prefix Firehose would write for a given arrival time (local run, Kafka consumer). */
export function rawPrefixFor(source: RawSource, arrival: Date): string {
  return `${LAKE_PREFIXES.raw}source=${source}/dt=${arrival.toISOString().slice(0, 10)}/`;
}

/** The concrete error prefix Firehose would write for a given error type and arrival time. */
export function errorPrefixFor(errorOutputType: string, arrival: Date): string {
  return `${LAKE_PREFIXES.errors}${errorOutputType}/dt=${arrival.toISOString().slice(0, 10)}/`;
}

/**
 * Error output types of the Kafka path, beside Firehose's (`processing-failed`, …) under `errors/`, which
 * neither the raw table nor the Glue job reads:
 *   consumerFailed  records the consumer Lambda could not decode (not UTF-8, binary, corrupt gzip), each
 *                   with its original bytes (base64) and the reason.
 *   realtimeRowsFailed messages of the analytics output topic the realtime-rows Lambda could not read as a row
 *                   (not base64, not UTF-8, not JSON, not a row of contracts/realtime-rows.ts), each with its
 *                   original bytes (base64) and the reason.
 * Batches the event source mapping gives up on are not in the lake: its S3 on-failure destination is a
 * bucket ARN with no prefix, so they go to a bucket of their own (FailedBatchesBucket, lib/stacks/kafka-stack.ts;
 * locally an emulated bucket, local/kafka/on-failure.ts), under the keys Lambda chooses.
 */
export const KAFKA_ERROR_OUTPUT_TYPES = {
  consumerFailed: 'kafka-consumer-failed',
  realtimeRowsFailed: 'realtime-rows-failed',
} as const;
export type KafkaErrorOutputType = (typeof KAFKA_ERROR_OUTPUT_TYPES)[keyof typeof KAFKA_ERROR_OUTPUT_TYPES];

/** The prefix of a Kafka error output type, without the date (what the consumer's IAM policy is scoped to). */
export function kafkaErrorPrefix(type: KafkaErrorOutputType): string {
  return `${LAKE_PREFIXES.errors}${type}/`;
}

/** The concrete prefix of a Kafka error output type for a given date (UTC), as errorPrefixFor for Firehose. */
export function kafkaErrorPrefixFor(type: KafkaErrorOutputType, at: Date): string {
  return errorPrefixFor(type, at);
}

/**
 * Partition projection for the raw table: Athena computes partitions from these instead of a crawler
 * or `MSCK REPAIR`. The location template mirrors `firehoseRawPrefix` exactly.
 */
export function rawTableProjection(bucketName: string): Record<string, string> {
  return {
    'projection.enabled': 'true',
    'projection.source.type': 'enum',
    'projection.source.values': RAW_SOURCES.join(','),
    'projection.dt.type': 'date',
    'projection.dt.format': DT_FORMAT,
    'projection.dt.range': `${DT_PROJECTION_START},NOW`,
    'projection.dt.interval': '1',
    'projection.dt.interval.unit': 'DAYS',
    'storage.location.template': `s3://${bucketName}/${LAKE_PREFIXES.raw}source=\${source}/dt=\${dt}/`,
  };
}

/**
 * Partition keys of the curated table, in the order of the Glue job's directories:
 * `curated/dt=YYYY-MM-DD/hour=HH/source=S/`, the event's UTC date and hour (from `timestamp`) and its path.
 * glue/log_etl/transform.py PARTITION_COLUMNS is the job's copy (test/lake-layout.test.ts holds the two equal).
 * The hour keeps a query over the last hours from reading (and Athena's per-query cutoff from counting) the day.
 */
export const CURATED_PARTITION_KEYS = ['dt', 'hour', 'source'] as const;

/** One curated hour: its `dt` and `hour` partition values. */
export interface CuratedHour {
  readonly dt: string;
  /** Two digits, 00–23 (UTC). */
  readonly hour: string;
}

/** The curated hour an instant falls in, as the Glue job derives it from an event's UTC `timestamp`. */
export function curatedHourOf(at: Date): CuratedHour {
  const iso = at.toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** Every curated hour from `sinceMs` to `untilMs` (both included), oldest first. */
export function curatedHours(sinceMs: number, untilMs: number): CuratedHour[] {
  const hour = 3_600_000;
  const hours: CuratedHour[] = [];
  for (let t = Math.floor(sinceMs / hour) * hour; t <= untilMs; t += hour) hours.push(curatedHourOf(new Date(t)));
  return hours;
}

/** The dt (a day, from DT_PROJECTION_START to today) and hour (00-23) projections the curated and realtime tables share. */
const DT_HOUR_PROJECTION: Readonly<Record<string, string>> = {
  'projection.dt.type': 'date',
  'projection.dt.format': DT_FORMAT,
  'projection.dt.range': `${DT_PROJECTION_START},NOW`,
  'projection.dt.interval': '1',
  'projection.dt.interval.unit': 'DAYS',
  'projection.hour.type': 'integer',
  'projection.hour.range': '0,23',
  'projection.hour.digits': '2',
};

/**
 * Partition projection for the curated table, the location template mirroring the job's directories. Athena
 * then needs no registered partitions, and ignores them ("Partition projection with Amazon Athena",
 * https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html); `hour` is an integer projection with
 * two digits, 00–23 ("Supported types for partition projection",
 * https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html). Event dates before
 * DT_PROJECTION_START or after today are not projected: Athena does not see such rows (the job still registers
 * their partitions for the catalog's other readers, see glue/log_etl/catalog.py).
 */
export function curatedTableProjection(bucketName: string): Record<string, string> {
  return {
    'projection.enabled': 'true',
    ...DT_HOUR_PROJECTION,
    'projection.source.type': 'enum',
    'projection.source.values': RAW_SOURCES.join(','),
    'storage.location.template': `s3://${bucketName}/${LAKE_PREFIXES.curated}${CURATED_PARTITION_KEYS.map((key) => `${key}=\${${key}}/`).join('')}`,
  };
}

/**
 * Partition keys of the realtime table, in the order of the realtime-rows Lambda's directories:
 * `realtime/kind=K/dt=YYYY-MM-DD/hour=HH/`, the row's kind and its window's start (UTC). An `invalid` row has no
 * window: its Kafka message's timestamp places it. Kind first: a query reads one kind, nearly always windows.
 */
export const REALTIME_PARTITION_KEYS = ['kind', 'dt', 'hour'] as const;

/** The prefix of a row of `kind` whose window starts at `at` (an invalid row: its message's time). */
export function realtimePrefixFor(kind: RealtimeRowKind, at: Date): string {
  const { dt, hour } = curatedHourOf(at);
  return `${LAKE_PREFIXES.realtime}kind=${kind}/dt=${dt}/hour=${hour}/`;
}

/**
 * Partition projection for the realtime table, the location template mirroring realtimePrefixFor, with the
 * curated table's dt and hour projections (curatedTableProjection says why and cites them): windows before
 * DT_PROJECTION_START or after today are not projected, so Athena does not see their rows.
 */
export function realtimeTableProjection(bucketName: string): Record<string, string> {
  return {
    'projection.enabled': 'true',
    'projection.kind.type': 'enum',
    'projection.kind.values': REALTIME_ROW_KINDS.join(','),
    ...DT_HOUR_PROJECTION,
    'storage.location.template': `s3://${bucketName}/${LAKE_PREFIXES.realtime}${REALTIME_PARTITION_KEYS.map((key) => `${key}=\${${key}}/`).join('')}`,
  };
}

/** S3 URI of a lake prefix, e.g. `s3://<bucket>/curated/`. */
export function lakeUri(bucket: { readonly bucketName: string }, prefix: string): string {
  return `s3://${bucket.bucketName}/${prefix}`;
}
