import * as cdk from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import recordSchema from '../../../schema/log-record.schema.json';
import {
  CURATED_PARTITION_KEYS,
  curatedTableProjection,
  DT_FORMAT,
  DT_PROJECTION_START,
  LAKE_PREFIXES,
  lakeUri,
  rawTableProjection,
  REALTIME_PARTITION_KEYS,
  realtimeTableProjection,
} from '../../../contracts/lake-layout';
import { REALTIME_ROW_FIELDS, REALTIME_ROW_KINDS, type RealtimeFieldType } from '../../../contracts/realtime-rows';

/**
 * String properties with exactly this pattern are instants: `timestamp` columns in the curated table.
 * glue/log_etl/record_schema.py applies the same rule to the job's output, so table and data agree.
 */
export const ISO_INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';

/** Partition keys of both tables; `source` is also a record field, so it is a key, not a column. */
export const PARTITION_KEY_NAMES = ['source', 'dt'] as const;

/** Athena engine the workgroup pins, so queries do not change engine under a user. */
export const ATHENA_ENGINE_VERSION = 'Athena engine version 3';

const INT32_MAX = 2 ** 31 - 1;

interface PropertySchema {
  readonly type: string | readonly string[];
  readonly pattern?: string;
  readonly maximum?: number;
  readonly minimum?: number;
  readonly additionalProperties?: unknown;
}

export interface RecordSchemaDocument {
  readonly properties: Record<string, PropertySchema>;
}

/**
 * Table columns derived from the record schema, so the tables follow the one contract instead of
 * re-listing its fields. `raw` keeps instants as the strings Firehose wrote; `curated` types them.
 * Throws on a property type the tables cannot represent, naming it.
 */
export function recordColumns(schema: RecordSchemaDocument, table: 'raw' | 'curated'): glue.Column[] {
  const partitionKeys: readonly string[] = PARTITION_KEY_NAMES;
  return Object.entries(schema.properties)
    .filter(([name]) => !partitionKeys.includes(name))
    .map(([name, property]) => ({ name, type: columnType(name, property, table) }));
}

function columnType(name: string, property: PropertySchema, table: 'raw' | 'curated'): glue.Type {
  const types = (Array.isArray(property.type) ? property.type : [property.type]).filter((t) => t !== 'null');
  if (types.length !== 1) {
    throw new Error(
      `record schema property '${name}' must have one non-null type to become a column (got ${JSON.stringify(property.type)})`,
    );
  }
  switch (types[0]) {
    case 'string':
      return table === 'curated' && property.pattern === ISO_INSTANT_PATTERN ? glue.Schema.TIMESTAMP : glue.Schema.STRING;
    case 'integer': {
      const fitsInt = property.maximum !== undefined && property.maximum <= INT32_MAX && (property.minimum ?? 0) >= -INT32_MAX - 1;
      return fitsInt ? glue.Schema.INTEGER : glue.Schema.BIG_INT;
    }
    case 'object':
      if (JSON.stringify(property.additionalProperties) !== JSON.stringify({ type: 'string' })) {
        throw new Error(`record schema property '${name}' must be a string map (additionalProperties: {type: string}) to become a column`);
      }
      return glue.Schema.map(glue.Schema.STRING, glue.Schema.STRING);
    default:
      throw new Error(`record schema property '${name}' has type '${types[0]}', which has no column mapping`);
  }
}

/** The Glue table name of the stream analytics job's rows. */
export const REALTIME_TABLE_NAME = 'realtime_rows';

/**
 * Columns of the realtime table, one per row field of contracts/realtime-rows.ts: instants stay strings, as in
 * the raw table; a top-paths list is an array of (path, count) structs.
 */
export function realtimeColumns(fields: Readonly<Record<string, RealtimeFieldType>> = REALTIME_ROW_FIELDS): glue.Column[] {
  return Object.entries(fields).map(([name, type]) => ({ name, type: realtimeColumnType(type) }));
}

function realtimeColumnType(type: RealtimeFieldType): glue.Type {
  if (typeof type === 'object') {
    return glue.Schema.array(
      glue.Schema.struct([
        { name: 'path', type: glue.Schema.STRING },
        { name: type.topPaths, type: glue.Schema.BIG_INT },
      ]),
    );
  }
  return { instant: glue.Schema.STRING, string: glue.Schema.STRING, integer: glue.Schema.BIG_INT, number: glue.Schema.DOUBLE }[type];
}

/** A saved Athena query: what question it answers and the SQL, with the table names filled in. */
export interface SavedQuery {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/** How far back the saved queries over the curated table look, in hours. */
export const SAVED_QUERY_HOURS = 1;

/**
 * The last `hours` hours of the curated table as a WHERE condition: the (dt, hour) partitions they fall in, so
 * Athena reads (and its per-query cutoff counts) those hours, not whole days, then the exact time bound.
 */
export function lastHoursCondition(hours: number): string {
  if (!Number.isInteger(hours) || hours < 1 || hours > 48) throw new Error(`the saved queries' window must be 1–48 hours (got ${hours})`);
  const at = (back: number) => (back === 0 ? 'current_timestamp' : `current_timestamp - interval '${back}' hour`);
  const partitions = Array.from(
    { length: hours + 1 },
    (_, i) => `("dt" = date_format(${at(hours - i)}, '%Y-%m-%d') AND "hour" = date_format(${at(hours - i)}, '%H'))`,
  );
  return `(${partitions.join('\n    OR ')})\n  AND "timestamp" >= ${at(hours)}`;
}

/** The questions the saved queries answer, over the curated table (and one over raw, for freshness). */
export function savedQueries(database: string, curatedTable: string, rawTable: string): SavedQuery[] {
  const curated = `"${database}"."${curatedTable}"`;
  const raw = `"${database}"."${rawTable}"`;
  // dt and hour are partition keys: filtering on them limits what Athena scans (and what the cutoff counts).
  const recent = lastHoursCondition(SAVED_QUERY_HOURS);
  const window = SAVED_QUERY_HOURS === 1 ? 'the last hour' : `the last ${SAVED_QUERY_HOURS} hours`;
  return [
    {
      name: 'status-codes-per-minute',
      description: `HTTP status codes per minute over ${window} (access logs)`,
      sql: `SELECT date_trunc('minute', "timestamp") AS minute, status, count(*) AS requests
FROM ${curated}
WHERE ${recent}
  AND status IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2;`,
    },
    {
      name: 'top-paths',
      description: `The 25 most requested paths over ${window}, with bytes served and server errors`,
      sql: `SELECT split_part(path, '?', 1) AS path, count(*) AS requests, sum(bytes) AS bytes_served,
       count_if(status >= 500) AS server_errors
FROM ${curated}
WHERE ${recent}
  AND path IS NOT NULL
GROUP BY 1
ORDER BY requests DESC
LIMIT 25;`,
    },
    {
      name: 'errors-by-host',
      description: `Errors per host over ${window}: HTTP 5xx and syslog/JSON lines at error severity or worse`,
      sql: `SELECT coalesce(host, client_ip, '(unknown)') AS host, count(*) AS errors,
       count_if(status >= 500) AS http_5xx,
       count_if(severity IN ('emerg', 'alert', 'crit', 'err', 'error', 'fatal', 'critical')) AS error_lines,
       max("timestamp") AS last_error
FROM ${curated}
WHERE ${recent}
  AND (status >= 500 OR severity IN ('emerg', 'alert', 'crit', 'err', 'error', 'fatal', 'critical'))
GROUP BY 1
ORDER BY errors DESC;`,
    },
    {
      name: 'raw-arrivals-today',
      description: 'Events landed today per source and format, straight from the raw JSON (before the Glue job)',
      sql: `SELECT source, format, count(*) AS events, max(ingested_at) AS last_ingested_at
FROM ${raw}
WHERE dt = date_format(current_date, '%Y-%m-%d')
GROUP BY 1, 2
ORDER BY 1, 2;`,
    },
  ];
}

export interface LakeCatalogProps {
  /** The lake: raw JSON from Firehose, curated Parquet from the Glue job, Athena results. */
  readonly lakeBucket: s3.IBucket;
  /** The lake's key; Athena encrypts query results with it. */
  readonly encryptionKey: kms.IKey;
  /** Athena cancels a query after it scanned this many bytes (Athena's minimum is 10 MB). */
  readonly bytesScannedCutoffPerQuery: number;
  /**
   * The record schema the table columns are derived from.
   * @default the repository's schema/log-record.schema.json
   */
  readonly recordSchema?: RecordSchemaDocument;
  /**
   * A table `realtime_rows` over realtime/: the stream analytics job's per-minute rows, which the realtime-rows
   * function (lib/constructs/realtime/realtime-rows.ts) writes.
   * @default false
   */
  readonly realtimeTable?: boolean;
}

/**
 * The Glue Data Catalog over the lake and the Athena workgroup that queries it.
 *
 * - raw: the Firehose output as it landed (GZIP JSON lines), partitions projected from contracts/lake-layout.ts,
 *   so a new day or source is queryable at once (no crawler, no MSCK REPAIR).
 * - curated: the Glue job's Parquet, partitioned by event date, hour (UTC) and source, partitions projected
 *   from contracts/lake-layout.ts too. The job also registers exactly the partitions it wrote, for the catalog's
 *   readers other than Athena (which ignores registered partitions of a projected table).
 * - realtime_rows (opt-in): the stream analytics job's rows, GZIP JSON lines under realtime/, partitioned by kind
 *   and window start date and hour, projected from contracts/lake-layout.ts.
 */
export class LakeCatalog extends Construct {
  public readonly database: glue.Database;
  public readonly rawTable: glue.S3Table;
  public readonly curatedTable: glue.S3Table;
  /** The stream analytics job's rows, when `realtimeTable` is on. */
  public readonly realtimeTable?: glue.S3Table;
  public readonly workGroup: athena.CfnWorkGroup;
  public readonly namedQueries: athena.CfnNamedQuery[];
  /** The workgroup's name, for queries and IAM. */
  public readonly workGroupName: string;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    const schema = props.recordSchema ?? (recordSchema as RecordSchemaDocument);
    // Deleted on `cdk destroy` in every stage, tables and workgroup with the database: they are rebuilt from
    // this code, and the partitions from the lake (raw/ is projected; `MSCK REPAIR TABLE` re-reads curated/'s
    // dt=/source= keys). Retained, their fixed names would collide with the next deploy's.
    const removalPolicy = cdk.RemovalPolicy.DESTROY;
    const partitionKeys: glue.Column[] = [
      { name: 'source', type: glue.Schema.STRING, comment: 'kinesis or kafka: the path the event took' },
      { name: 'dt', type: glue.Schema.STRING, comment: `date, ${DT_FORMAT}` },
    ];
    const curatedPartitionKeys: Record<(typeof CURATED_PARTITION_KEYS)[number], glue.Column> = {
      dt: { name: 'dt', type: glue.Schema.STRING, comment: `event date (UTC), ${DT_FORMAT}` },
      hour: { name: 'hour', type: glue.Schema.STRING, comment: 'event hour (UTC), 00-23' },
      source: partitionKeys[0],
    };

    this.database = new glue.Database(this, 'Database', {
      description: 'Log pipeline lake: raw Firehose JSON and curated Parquet',
      removalPolicy,
    });

    this.rawTable = new glue.S3Table(this, 'RawTable', {
      database: this.database,
      description: 'Raw log records as Firehose delivered them (GZIP JSON lines, at least once: may hold duplicates)',
      storage: glue.S3TableStorage.fromBucket(props.lakeBucket),
      s3Prefix: LAKE_PREFIXES.raw,
      dataFormat: glue.DataFormat.JSON,
      compressed: true,
      columns: recordColumns(schema, 'raw'),
      partitionKeys,
      // Written once in contracts/lake-layout.ts next to the Firehose prefix it mirrors.
      parameters: rawTableProjection(props.lakeBucket.bucketName),
    });

    this.curatedTable = new glue.S3Table(this, 'CuratedTable', {
      database: this.database,
      description: `Validated, deduplicated log records (zstd Parquet), partitioned by event date, hour (UTC) and source; Athena projects dates from ${DT_PROJECTION_START}`,
      storage: glue.S3TableStorage.fromBucket(props.lakeBucket),
      s3Prefix: LAKE_PREFIXES.curated,
      dataFormat: glue.DataFormat.PARQUET,
      compressed: true,
      columns: recordColumns(schema, 'curated'),
      // The job writes dt=/hour=/source= directories (CURATED_PARTITION_KEYS): time first, as nearly every query filters on it.
      partitionKeys: CURATED_PARTITION_KEYS.map((name) => curatedPartitionKeys[name]),
      parameters: { 'parquet.compression': 'ZSTD', ...curatedTableProjection(props.lakeBucket.bucketName) },
    });

    if (props.realtimeTable) {
      const realtimePartitionKeys: Record<(typeof REALTIME_PARTITION_KEYS)[number], glue.Column> = {
        kind: { name: 'kind', type: glue.Schema.STRING, comment: REALTIME_ROW_KINDS.join(', ') },
        dt: { name: 'dt', type: glue.Schema.STRING, comment: `window start date (UTC), ${DT_FORMAT}` },
        hour: { name: 'hour', type: glue.Schema.STRING, comment: 'window start hour (UTC), 00-23' },
      };
      this.realtimeTable = new glue.S3Table(this, 'RealtimeTable', {
        database: this.database,
        tableName: REALTIME_TABLE_NAME,
        description: `The stream analytics job's per-minute rows (GZIP JSON lines), partitioned by kind and window start date and hour (UTC); Athena projects dates from ${DT_PROJECTION_START}`,
        storage: glue.S3TableStorage.fromBucket(props.lakeBucket),
        s3Prefix: LAKE_PREFIXES.realtime,
        dataFormat: glue.DataFormat.JSON,
        compressed: true,
        columns: realtimeColumns(),
        partitionKeys: REALTIME_PARTITION_KEYS.map((name) => realtimePartitionKeys[name]),
        parameters: realtimeTableProjection(props.lakeBucket.bucketName),
      });
    }

    this.workGroupName = cdk.Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Queries over the log lake; results encrypted in the lake, scans capped per query',
      state: 'ENABLED',
      // Deletes the saved queries and query history with it; results stay in the lake.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        resultConfiguration: {
          outputLocation: lakeUri(props.lakeBucket, LAKE_PREFIXES.athenaResults),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.encryptionKey.keyArn },
        },
      },
    });
    this.workGroup.applyRemovalPolicy(removalPolicy);

    this.namedQueries = savedQueries(this.database.databaseName, this.curatedTable.tableName, this.rawTable.tableName).map(
      (query) =>
        new athena.CfnNamedQuery(this, `Query-${query.name}`, {
          name: query.name,
          description: query.description,
          database: this.database.databaseName,
          // Ref of a workgroup is its name, and makes the query wait for it.
          workGroup: this.workGroup.ref,
          queryString: query.sql,
        }),
    );
  }
}
