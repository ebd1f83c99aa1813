import * as cdk from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ETL_WORKER_TYPES, GlueEtl, type EtlWorkerType } from '../constructs/glue-etl';
import { LakeCatalog } from '../constructs/lake-catalog';

/** Stage settings of the Glue job and Athena (StageConfig.analytics). */
export interface AnalyticsConfig {
  /** When the Glue job runs: a Glue cron expression in UTC, six fields, e.g. `cron(15 * * * ? *)`. */
  readonly schedule: string;
  /** Glue worker type of the job: G.1X (4 vCPU, 16 GB), G.2X, G.4X or G.8X. */
  readonly workerType: EtlWorkerType;
  /** Workers per run, 2–299. */
  readonly numberOfWorkers: number;
  /** A run is stopped after this many minutes, 1–2880. */
  readonly jobTimeoutMinutes: number;
  /** Overlapping runs allowed; must be 1 because job bookmarks track one run at a time. */
  readonly maxConcurrentRuns: number;
  /** Athena cancels a query after scanning this many bytes; at least 10000000 (Athena's minimum). */
  readonly bytesScannedCutoffPerQuery: number;
}

/** Lists every problem of an analytics config, in lib/config.ts's style; empty when valid. */
export function validateAnalyticsConfig(config: AnalyticsConfig): string[] {
  const problems: string[] = [];
  const integer = (setting: string, value: number, min: number, max: number, why?: string) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${setting} must be an integer between ${min} and ${max} (got ${value})${why ? `: ${why}` : ''}`);
    }
  };
  if (typeof config.schedule !== 'string' || !/^cron\(\S+( \S+){5}\)$/.test(config.schedule)) {
    problems.push(`analytics.schedule must be a Glue cron expression with six fields, e.g. cron(15 * * * ? *) (got '${config.schedule}')`);
  }
  if (!(ETL_WORKER_TYPES as readonly string[]).includes(config.workerType)) {
    problems.push(`analytics.workerType must be one of ${ETL_WORKER_TYPES.join(', ')} (got '${config.workerType}')`);
  }
  integer('analytics.numberOfWorkers', config.numberOfWorkers, 2, 299);
  integer('analytics.jobTimeoutMinutes', config.jobTimeoutMinutes, 1, 2880);
  integer('analytics.maxConcurrentRuns', config.maxConcurrentRuns, 1, 1, 'job bookmarks track one run at a time; concurrent runs would read the same raw objects');
  integer('analytics.bytesScannedCutoffPerQuery', config.bytesScannedCutoffPerQuery, 10_000_000, Number.MAX_SAFE_INTEGER, "Athena's minimum is 10 MB");
  return problems;
}

export interface AnalyticsStackProps extends cdk.StackProps {
  /** The lake bucket (DataStack.lakeBucket). */
  readonly lakeBucket: s3.IBucket;
  /** The lake's key (DataStack.dataKey); its policy must let CloudWatch Logs use it. */
  readonly dataKey: kms.IKey;
  readonly config: AnalyticsConfig;
  /** Keep the Glue database, the workgroup and the job's log group on `cdk destroy`. */
  readonly retainData: boolean;
  /** Retention of the Glue job's log group, in days (a value CloudWatch accepts). */
  readonly logRetentionDays: number;
}

/** The batch half of the pipeline: catalog and Athena over the lake, and the Glue job that curates it. */
export class AnalyticsStack extends cdk.Stack {
  public readonly catalog: LakeCatalog;
  public readonly etl: GlueEtl;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const problems = validateAnalyticsConfig(props.config);
    if (problems.length > 0) throw new Error(`Invalid analytics config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    const { config } = props;

    this.catalog = new LakeCatalog(this, 'Catalog', {
      lakeBucket: props.lakeBucket,
      dataKey: props.dataKey,
      bytesScannedCutoffPerQuery: config.bytesScannedCutoffPerQuery,
      retainData: props.retainData,
    });

    this.etl = new GlueEtl(this, 'Etl', {
      lakeBucket: props.lakeBucket,
      dataKey: props.dataKey,
      database: this.catalog.database,
      curatedTable: this.catalog.curatedTable,
      schedule: config.schedule,
      workerType: config.workerType,
      numberOfWorkers: config.numberOfWorkers,
      timeout: cdk.Duration.minutes(config.jobTimeoutMinutes),
      maxConcurrentRuns: config.maxConcurrentRuns,
      logRetention: props.logRetentionDays as logs.RetentionDays,
      retainData: props.retainData,
    });

    new cdk.CfnOutput(this, 'GlueJobName', { value: this.etl.job.jobName, description: 'aws glue start-job-run --job-name <this>' });
    new cdk.CfnOutput(this, 'GlueDatabaseName', { value: this.catalog.database.databaseName, description: 'Glue database of the raw and curated tables' });
    new cdk.CfnOutput(this, 'CuratedTableName', { value: this.catalog.curatedTable.tableName, description: 'Curated Parquet table' });
    new cdk.CfnOutput(this, 'RawTableName', { value: this.catalog.rawTable.tableName, description: 'Raw JSON table (partition projection)' });
    new cdk.CfnOutput(this, 'AthenaWorkGroupName', { value: this.catalog.workGroupName, description: 'aws athena start-query-execution --work-group <this>' });
  }
}
