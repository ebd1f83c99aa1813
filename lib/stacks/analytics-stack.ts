import * as cdk from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { AnalyticsConfig } from '../constructs/analytics/analytics-config';
import { GlueEtl } from '../constructs/analytics/glue-etl';
import { LakeCatalog } from '../constructs/analytics/lake-catalog';
import { ANALYTICS_OUTPUTS } from './analytics-outputs';

export interface AnalyticsStackProps extends cdk.StackProps {
  /** The lake bucket (DataStack.lakeBucket). */
  readonly lakeBucket: s3.IBucket;
  /** The lake's key (DataStack.dataKey); its policy must let CloudWatch Logs use it. */
  readonly encryptionKey: kms.IKey;
  readonly config: AnalyticsConfig;
  /** What `cdk destroy` does with the Glue job's log groups (the catalog, workgroup and security configuration are always deleted). */
  readonly removalPolicy: cdk.RemovalPolicy;
  /** Retention of the Glue job's log group. */
  readonly logRetention: logs.RetentionDays;
  /** The names of the stage's custom line formats: the Glue job accepts them as `format`. @default none */
  readonly customFormatNames?: readonly string[];
  /** A Glue table over the stream analytics job's rows in realtime/ (LakeCatalog `realtimeTable`). @default false */
  readonly realtimeTable?: boolean;
}

/** The batch half of the pipeline: catalog and Athena over the lake, and the Glue job that curates it. */
export class AnalyticsStack extends cdk.Stack {
  public readonly catalog: LakeCatalog;
  public readonly etl: GlueEtl;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.catalog = new LakeCatalog(this, 'Catalog', {
      lakeBucket: props.lakeBucket,
      encryptionKey: props.encryptionKey,
      bytesScannedCutoffPerQuery: config.bytesScannedCutoffPerQuery,
      realtimeTable: props.realtimeTable,
    });

    this.etl = new GlueEtl(this, 'Etl', {
      lakeBucket: props.lakeBucket,
      encryptionKey: props.encryptionKey,
      database: this.catalog.database,
      curatedTable: this.catalog.curatedTable,
      schedule: config.schedule,
      workerType: config.workerType,
      numberOfWorkers: config.numberOfWorkers,
      autoScaling: config.autoScaling,
      executionClass: config.executionClass,
      timeout: cdk.Duration.minutes(config.jobTimeoutMinutes),
      maxConcurrentRuns: config.maxConcurrentRuns,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      customFormatNames: props.customFormatNames,
    });

    new cdk.CfnOutput(this, ANALYTICS_OUTPUTS.glueJobName, {
      value: this.etl.job.jobName,
      description: 'aws glue start-job-run --job-name <this>',
    });
    new cdk.CfnOutput(this, ANALYTICS_OUTPUTS.database, {
      value: this.catalog.database.databaseName,
      description: 'Glue database of the raw and curated tables',
    });
    new cdk.CfnOutput(this, ANALYTICS_OUTPUTS.curatedTable, {
      value: this.catalog.curatedTable.tableName,
      description: 'Curated Parquet table',
    });
    new cdk.CfnOutput(this, 'RawTableName', {
      value: this.catalog.rawTable.tableName,
      description: 'Raw JSON table (partition projection)',
    });
    new cdk.CfnOutput(this, 'GlueJobLogGroupPrefix', {
      value: this.etl.logGroupPrefix,
      description: "The job's logs: <this>/error (Spark, Glue, the script's logger) and <this>/output (stdout, stderr)",
    });
    new cdk.CfnOutput(this, ANALYTICS_OUTPUTS.workGroup, {
      value: this.catalog.workGroupName,
      description: 'aws athena start-query-execution --work-group <this>',
    });
  }
}
