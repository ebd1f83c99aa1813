import * as cdk from 'aws-cdk-lib';
import { projectApp } from '../../helpers/app';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import recordSchema from '../../../schema/log-record.schema.json';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ATHENA_ENGINE_VERSION,
  LakeCatalog,
  REALTIME_TABLE_NAME,
  lastHoursCondition,
  PARTITION_KEY_NAMES,
  recordColumns,
  SAVED_QUERY_HOURS,
  savedQueries,
  type RecordSchemaDocument,
} from '../../../lib/constructs/analytics/lake-catalog';
import {
  CURATED_PARTITION_KEYS,
  curatedTableProjection,
  LAKE_PREFIXES,
  rawTableProjection,
  REALTIME_PARTITION_KEYS,
  realtimeTableProjection,
} from '../../../contracts/lake-layout';
import { REALTIME_ROW_KINDS } from '../../../contracts/realtime-rows';
import { javaRows } from '../../helpers/flink-rows';
import { PROJECT_ROOT } from '../../../lib/project-paths';
import { synthStage } from '../../helpers/app';

/** The catalog in a stack of its own, with the lake bucket and key from another stack (as DataStack passes them). */
function catalogStack(props: { bytesScannedCutoffPerQuery?: number; realtimeTable?: boolean } = {}) {
  const app = projectApp();
  const data = new cdk.Stack(app, 'Data');
  const dataKey = new kms.Key(data, 'DataKey', { enableKeyRotation: true });
  const lakeBucket = new s3.Bucket(data, 'LakeBucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: dataKey, enforceSSL: true });
  const stack = new cdk.Stack(app, 'Analytics');
  const catalog = new LakeCatalog(stack, 'Catalog', {
    lakeBucket,
    encryptionKey: dataKey,
    bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? 1024 ** 3,
    realtimeTable: props.realtimeTable,
  });
  return { app, stack, catalog, lakeBucket, dataKey, template: Template.fromStack(stack) };
}

const schemaProperties = Object.keys((recordSchema as RecordSchemaDocument).properties);

function tableInput(template: Template, logicalIdPrefix: string) {
  const tables = template.findResources('AWS::Glue::Table');
  const [id] = Object.keys(tables).filter((key) => key.startsWith(logicalIdPrefix));
  expect(id).toBeDefined();
  return tables[id].Properties.TableInput;
}

describe('raw table', () => {
  test('its partition projection is lake-layout.rawTableProjection, resolved for the lake bucket', () => {
    const { stack, lakeBucket, template } = catalogStack();
    const expected = stack.resolve(rawTableProjection(lakeBucket.bucketName)) as Record<string, unknown>;
    const parameters = tableInput(template, 'CatalogRawTable').Parameters;
    for (const [key, value] of Object.entries(expected)) expect(parameters[key]).toEqual(value);
    // The projection mirrors the Firehose prefix: raw/source=${source}/dt=${dt}/ in the lake bucket.
    const [, [scheme, bucket, suffix]] = parameters['storage.location.template']['Fn::Join'];
    expect([scheme, suffix]).toEqual(['s3://', `/${LAKE_PREFIXES.raw}source=\${source}/dt=\${dt}/`]);
    expect(JSON.stringify(bucket)).toContain('RefLakeBucket');
  });

  test('is JSON over the raw prefix, partitioned by the projected keys', () => {
    const { template } = catalogStack();
    const input = tableInput(template, 'CatalogRawTable');
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(input.StorageDescriptor.Location['Fn::Join'][1].at(-1)).toBe(`/${LAKE_PREFIXES.raw}`);
    expect(input.PartitionKeys.map((k: { Name: string }) => k.Name)).toEqual(['source', 'dt']);
    expect(input.Parameters.classification).toBe('json');
  });

  test('columns are the record schema fields (minus the partition key), instants kept as strings', () => {
    const { template } = catalogStack();
    const columns = tableInput(template, 'CatalogRawTable').StorageDescriptor.Columns as Array<{ Name: string; Type: string }>;
    expect(columns.map((c) => c.Name)).toEqual(schemaProperties.filter((name) => name !== 'source'));
    const types = Object.fromEntries(columns.map((c) => [c.Name, c.Type]));
    expect(types).toMatchObject({
      timestamp: 'string',
      ingested_at: 'string',
      status: 'int',
      bytes: 'bigint',
      attributes: 'map<string,string>',
      event_id: 'string',
    });
  });
});

describe('curated table', () => {
  test('is zstd Parquet under curated/, partitioned by dt, hour, then source, with typed columns', () => {
    const { template } = catalogStack();
    const input = tableInput(template, 'CatalogCuratedTable');
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(input.StorageDescriptor.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
    expect(input.StorageDescriptor.Location['Fn::Join'][1].at(-1)).toBe(`/${LAKE_PREFIXES.curated}`);
    expect(input.PartitionKeys.map((k: { Name: string }) => k.Name)).toEqual(['dt', 'hour', 'source']);
    expect(input.PartitionKeys.every((k: { Type: string }) => k.Type === 'string')).toBe(true);
    expect(input.Parameters).toMatchObject({ classification: 'parquet', 'parquet.compression': 'ZSTD' });
    const types = Object.fromEntries(
      (input.StorageDescriptor.Columns as Array<{ Name: string; Type: string }>).map((c) => [c.Name, c.Type]),
    );
    expect(Object.keys(types)).toEqual(schemaProperties.filter((name) => name !== 'source'));
    expect(types).toMatchObject({
      timestamp: 'timestamp',
      ingested_at: 'timestamp',
      status: 'int',
      bytes: 'bigint',
      attributes: 'map<string,string>',
    });
  });

  test('its partition projection is lake-layout.curatedTableProjection, resolved for the lake bucket', () => {
    const { stack, lakeBucket, template } = catalogStack();
    const expected = stack.resolve(curatedTableProjection(lakeBucket.bucketName)) as Record<string, unknown>;
    const parameters = tableInput(template, 'CatalogCuratedTable').Parameters;
    for (const [key, value] of Object.entries(expected)) expect(parameters[key]).toEqual(value);
    const [, [scheme, , suffix]] = parameters['storage.location.template']['Fn::Join'];
    expect([scheme, suffix]).toEqual(['s3://', `/${LAKE_PREFIXES.curated}dt=\${dt}/hour=\${hour}/source=\${source}/`]);
  });

  test('the job writes the partition keys of the layout, in its order (glue/log_etl/transform.py PARTITION_COLUMNS)', () => {
    const transform = fs.readFileSync(path.join(PROJECT_ROOT, 'glue', 'log_etl', 'transform.py'), 'utf8');
    const declared = /^PARTITION_COLUMNS = \((.*)\)$/m.exec(transform);
    expect(declared).not.toBeNull();
    expect([...declared![1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1])).toEqual([...CURATED_PARTITION_KEYS]);
  });
});

describe('realtime table', () => {
  test('is opt-in', () => {
    const { catalog, template } = catalogStack();
    expect(catalog.realtimeTable).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::Glue::Table')).filter((id) => id.includes('Realtime'))).toEqual([]);
  });

  test('is GZIP JSON under realtime/, named realtime_rows, partitioned by kind, dt and hour', () => {
    const { catalog, template } = catalogStack({ realtimeTable: true });
    expect(catalog.realtimeTable).toBeDefined();
    const input = tableInput(template, 'CatalogRealtimeTable');
    expect(input.Name).toBe(REALTIME_TABLE_NAME);
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(input.StorageDescriptor.Compressed).toBe(true);
    expect(input.StorageDescriptor.Location['Fn::Join'][1].at(-1)).toBe(`/${LAKE_PREFIXES.realtime}`);
    expect(input.PartitionKeys.map((k: { Name: string }) => k.Name)).toEqual(['kind', 'dt', 'hour']);
    expect(input.PartitionKeys.every((k: { Type: string }) => k.Type === 'string')).toBe(true);
  });

  test("its columns are every field the job's row writer (analytics/flink Rows.java) writes but kind, typed", () => {
    const { template } = catalogStack({ realtimeTable: true });
    const columns = tableInput(template, 'CatalogRealtimeTable').StorageDescriptor.Columns as Array<{ Name: string; Type: string }>;
    const rows = javaRows();
    expect(rows.length).toBe(4);
    const written = [...new Set(rows.flatMap((r) => r.fields))].filter((field) => field !== 'kind');
    expect(columns.map((c) => c.Name)).toEqual(written);
    const types = Object.fromEntries(columns.map((c) => [c.Name, c.Type]));
    expect(types).toMatchObject({
      window_start: 'string',
      dimension: 'string',
      records: 'bigint',
      share_5xx: 'double',
      bytes_p99: 'bigint',
      top_paths_by_requests: 'array<struct<path:string,requests:bigint>>',
      top_paths_by_5xx: 'array<struct<path:string,status_5xx:bigint>>',
      status: 'bigint',
      reason: 'string',
    });
  });

  test('its partition projection is lake-layout.realtimeTableProjection: the kinds, dates and hours', () => {
    const { stack, lakeBucket, template } = catalogStack({ realtimeTable: true });
    const expected = stack.resolve(realtimeTableProjection(lakeBucket.bucketName)) as Record<string, unknown>;
    const parameters = tableInput(template, 'CatalogRealtimeTable').Parameters;
    for (const [key, value] of Object.entries(expected)) expect(parameters[key]).toEqual(value);
    expect(parameters['projection.kind.values']).toBe(REALTIME_ROW_KINDS.join(','));
    for (const key of REALTIME_PARTITION_KEYS) expect(parameters[`projection.${key}.type`]).toEqual(expect.any(String));
    const [, [scheme, , suffix]] = parameters['storage.location.template']['Fn::Join'];
    expect([scheme, suffix]).toEqual(['s3://', `/${LAKE_PREFIXES.realtime}kind=\${kind}/dt=\${dt}/hour=\${hour}/`]);
  });
});

// "Enabling partition projection on a table causes Athena to ignore any partition metadata registered to the table
// in the AWS Glue Data Catalog" (Partition projection with Amazon Athena,
// https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html): so the projection alone must describe
// every curated partition key and the job's directories, on both stages.
describe.each(['dev', 'prod'] as const)('the %s curated table, as deployed', (stage) => {
  test("projects every partition key, and its location template names each key in the job's order", () => {
    const tables = synthStage(stage).templates.analytics.findResources('AWS::Glue::Table');
    const [input] = Object.entries(tables)
      .filter(([id]) => id.includes('CuratedTable'))
      .map(([, table]) => table.Properties.TableInput);
    expect(input).toBeDefined();
    const keys = input.PartitionKeys.map((k: { Name: string }) => k.Name);
    expect(keys).toEqual([...CURATED_PARTITION_KEYS]);
    expect(input.Parameters['projection.enabled']).toBe('true');
    for (const key of keys) expect(input.Parameters[`projection.${key}.type`]).toEqual(expect.any(String));
    const template = JSON.stringify(input.Parameters['storage.location.template']);
    expect(template).toContain(`/${LAKE_PREFIXES.curated}${keys.map((k: string) => `${k}=\${${k}}/`).join('')}`);
  });
});

describe('record schema → columns', () => {
  test('both tables leave out the partition keys that are also record fields', () => {
    for (const table of ['raw', 'curated'] as const) {
      const names = recordColumns(recordSchema as RecordSchemaDocument, table).map((c) => c.name);
      for (const key of PARTITION_KEY_NAMES) expect(names).not.toContain(key);
    }
  });

  test.each([
    [{ type: ['number', 'null'] }, "has type 'number', which has no column mapping"],
    [{ type: ['string', 'integer'] }, 'must have one non-null type'],
    [{ type: 'object', additionalProperties: { type: 'integer' } }, 'must be a string map'],
  ])('a property the tables cannot represent fails synth: %j', (property, message) => {
    const schema = { properties: { odd: property } } as unknown as RecordSchemaDocument;
    expect(() => recordColumns(schema, 'curated')).toThrow(message);
  });
});

describe('Athena workgroup', () => {
  test('enforces encrypted results in the lake, the scan cutoff and engine v3', () => {
    const { template } = catalogStack({ bytesScannedCutoffPerQuery: 5 * 1024 ** 3 });
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 5 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: ATHENA_ENGINE_VERSION },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', Match.anyValue(), `/${LAKE_PREFIXES.athenaResults}`]] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() },
        },
      },
    });
    const [workGroup] = Object.values(template.findResources('AWS::Athena::WorkGroup'));
    const results = workGroup.Properties.WorkGroupConfiguration.ResultConfiguration;
    expect(JSON.stringify(results.OutputLocation)).toContain('RefLakeBucket');
    // The key's ARN from the data stack, not a key of its own.
    expect(JSON.stringify(results.EncryptionConfiguration.KmsKey)).toMatch(/DataKey[0-9A-F]+Arn/);
  });

  test('its name is generated, and it is deleted with its queries in every stage', () => {
    const { template, catalog, stack } = catalogStack();
    const name = stack.resolve(catalog.workGroupName) as string;
    expect(name).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    template.hasResourceProperties('AWS::Athena::WorkGroup', { Name: name, RecursiveDeleteOption: true });
    template.hasResource('AWS::Athena::WorkGroup', { DeletionPolicy: 'Delete' });
  });

  test('the database and its tables are deleted on destroy: rebuilt from the code and the lake, their fixed names stay free', () => {
    const { template } = catalogStack();
    template.hasResource('AWS::Glue::Database', { DeletionPolicy: 'Delete' });
    for (const table of Object.values(template.findResources('AWS::Glue::Table'))) expect(table.DeletionPolicy ?? 'Delete').toBe('Delete');
  });
});

describe('saved queries', () => {
  test('status codes per minute, top paths and errors by host are saved in the workgroup, against the curated table', () => {
    const { template } = catalogStack();
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((r) => r.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual(['errors-by-host', 'raw-arrivals-today', 'status-codes-per-minute', 'top-paths']);
    for (const query of queries) {
      expect(query.WorkGroup).toEqual({ Ref: expect.stringMatching(/^CatalogWorkGroup/) });
      expect(query.Database).toEqual({ Ref: expect.stringMatching(/^CatalogDatabase/) });
    }
  });

  test('every curated query reads the (dt, hour) partitions of its window, so the scan follows the hours, not the days', () => {
    const queries = savedQueries('db', 'curated', 'raw');
    for (const query of queries.filter((q) => q.sql.includes('FROM "db"."curated"'))) {
      expect(query.sql).toContain(`WHERE ${lastHoursCondition(SAVED_QUERY_HOURS)}`);
    }
    expect(queries.find((q) => q.name === 'raw-arrivals-today')!.sql).toMatch(/WHERE dt = date_format\(current_date/);
  });

  test('the window condition names each hour it can touch once, then bounds the time', () => {
    expect(lastHoursCondition(2)).toBe(
      [
        `(("dt" = date_format(current_timestamp - interval '2' hour, '%Y-%m-%d') AND "hour" = date_format(current_timestamp - interval '2' hour, '%H'))`,
        `    OR ("dt" = date_format(current_timestamp - interval '1' hour, '%Y-%m-%d') AND "hour" = date_format(current_timestamp - interval '1' hour, '%H'))`,
        `    OR ("dt" = date_format(current_timestamp, '%Y-%m-%d') AND "hour" = date_format(current_timestamp, '%H')))`,
        `  AND "timestamp" >= current_timestamp - interval '2' hour`,
      ].join('\n'),
    );
    expect(() => lastHoursCondition(0)).toThrow(/1–48 hours \(got 0\)/);
  });

  test('the queries use only columns the tables have', () => {
    const columns = new Set([
      ...recordColumns(recordSchema as RecordSchemaDocument, 'curated').map((c) => c.name),
      ...CURATED_PARTITION_KEYS,
    ]);
    const identifiers = /\b(status|path|bytes|host|client_ip|severity|timestamp|ingested_at|format|source|dt|hour)\b/g;
    for (const query of savedQueries('db', 'curated', 'raw')) {
      for (const [name] of query.sql.matchAll(identifiers)) expect(columns).toContain(name);
    }
  });
});
