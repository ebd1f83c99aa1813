import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { GLUE_RUN_METRICS_PATH, PROJECT_ROOT, RECORD_SCHEMA_PATH } from '../../project-paths';
import { GLUE_RUN_METRICS, type GlueRunCount } from '../../../contracts/glue-run-metrics';
import { LAKE_PREFIXES, lakeUri } from '../../../contracts/lake-layout';
import { acknowledgeIamWildcards } from '../../nag';
import { stackCreationId } from '../../physical-names';
import type { EtlWorkerType, ExecutionClass } from './analytics-config';

export const GLUE_DIR = path.join(PROJECT_ROOT, 'glue');
/** The thin Glue entry script (GlueContext, arguments, bookmark, catalog). */
export const JOB_SCRIPT_PATH = path.join(GLUE_DIR, 'log_etl_job.py');
/** The job's library: the pure transform and its helpers, zipped for --extra-py-files with the schema and run metric names. */
export const JOB_LIBRARY_DIR = path.join(GLUE_DIR, 'log_etl');

/** Final states of a Glue job run that mean the run did not curate its batch. */
export const GLUE_FAILED_RUN_STATES = ['FAILED', 'TIMEOUT', 'ERROR', 'STOPPED'] as const;

export interface GlueEtlProps {
  /** The lake the job reads raw/ from and writes curated/, quarantine/ and glue-temp/ in. */
  readonly lakeBucket: s3.IBucket;
  /** The lake's key: reads and writes of the lake, the job's logs and its bookmarks use it. */
  readonly encryptionKey: kms.IKey;
  /** Database of the curated table the job registers partitions in. */
  readonly database: glue.IDatabase;
  /** The curated table; the job adds the partitions it writes. */
  readonly curatedTable: glue.ITable;
  /** Glue cron expression of the schedule, e.g. `cron(15 * * * ? *)` (UTC). */
  readonly schedule: string;
  readonly workerType: EtlWorkerType;
  /** Workers per run, 2 or more; with autoScaling, the most Glue may use. */
  readonly numberOfWorkers: number;
  /**
   * Let Glue size each run between 2 workers and numberOfWorkers by the work each stage has.
   * @default false
   */
  readonly autoScaling?: boolean;
  /**
   * FLEX runs cost less and may start later (G.1X/G.2X only).
   * @default 'STANDARD'
   */
  readonly executionClass?: ExecutionClass;
  /** A run is stopped after this long. */
  readonly timeout: cdk.Duration;
  /**
   * Runs that may overlap. Job bookmarks track one run's progress, so anything but 1 lets two runs
   * read the same new objects.
   * @default 1
   */
  readonly maxConcurrentRuns?: number;
  /**
   * Retention of the job's log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the job's log groups on `cdk destroy` (the security configuration is always deleted: it
   * holds no data and its fixed name would collide with the next deploy's).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
  /**
   * Names of the stage's custom line formats (config `formats`): passed as --custom_formats, so the job's
   * record check accepts exactly these besides the schema's built-in `format` values.
   * @default none
   */
  readonly customFormatNames?: readonly string[];
}

/** The arguments the entry script reads (glue/log_etl_job.py JOB_ARGUMENTS, minus Glue's own JOB_NAME). */
export interface LogEtlJobArguments {
  readonly '--raw_path': string;
  readonly '--curated_path': string;
  readonly '--quarantine_path': string;
  readonly '--database': string;
  readonly '--curated_table': string;
  /** JSON array of the custom format names (never empty text: '[]' when there are none). */
  readonly '--custom_formats': string;
}

/**
 * The Glue 5.0 PySpark job that turns raw lake JSON into curated Parquet, on a schedule.
 *
 * Bookmarks make each run read only objects it has not seen; the role reaches only the lake prefixes the
 * job uses, the key, the curated table and the job's own logs. Logs, bookmarks and S3 output are encrypted
 * with the data key through a security configuration (the key policy must let CloudWatch Logs use the key;
 * lib/constructs/data-key/data-key.ts does).
 */
export class GlueEtl extends Construct {
  public readonly job: glue.PySparkEtlJob;
  public readonly role: iam.Role;
  public readonly securityConfiguration: glue.SecurityConfiguration;
  /**
   * The job's log groups (Glue 5.0 writes `<prefix>/output` and `<prefix>/error` for the prefix in
   * `--custom-logGroup-prefix`): driver and executor stdout/stderr in `output`; Spark, Glue and the
   * script's logger in `error`.
   */
  public readonly logGroups: { readonly output: logs.LogGroup; readonly error: logs.LogGroup };
  /** The prefix passed as `--custom-logGroup-prefix`. */
  public readonly logGroupPrefix: string;
  public readonly workflow: glue.Workflow;
  /** The job's entry script. */
  public readonly script: s3assets.Asset;
  /** The job's library zip (log_etl package plus the record schema and the run metric names). */
  public readonly library: s3assets.Asset;
  public readonly jobArguments: LogEtlJobArguments;

  constructor(scope: Construct, id: string, props: GlueEtlProps) {
    super(scope, id);
    const { lakeBucket: bucket, encryptionKey: dataKey } = props;
    const removalPolicy = props.removalPolicy ?? cdk.RemovalPolicy.RETAIN;
    const stack = cdk.Stack.of(this);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: 'Log ETL Glue job: raw lake prefix in, curated/quarantine out, curated table partitions',
    });

    // Glue 5.0 ignores the continuous-logging arguments (--enable-continuous-cloudwatch-log,
    // --continuous-log-logGroup, ...; "Migrating AWS Glue for Spark jobs to AWS Glue version 5.0",
    // https://docs.aws.amazon.com/glue/latest/dg/migrating-version-50.html) and always logs in real time, to
    // `<prefix>/output` and `<prefix>/error` for the prefix in --custom-logGroup-prefix ("Logging for AWS Glue
    // jobs", https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging.html). Both groups are made
    // here, with the stage's retention, the key and removal policy. The prefix carries the stack's creation id:
    // retained groups keep a fixed name free for the next deploy after destroy.
    this.logGroupPrefix = cdk.Fn.join('/', ['/aws-glue/jobs', stack.stackName, stackCreationId()]);
    const jobLogGroup = (suffix: 'output' | 'error') =>
      new logs.LogGroup(this, suffix === 'output' ? 'OutputLogs' : 'ErrorLogs', {
        logGroupName: `${this.logGroupPrefix}/${suffix}`,
        encryptionKey: dataKey,
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy,
      });
    this.logGroups = { output: jobLogGroup('output'), error: jobLogGroup('error') };

    this.securityConfiguration = new glue.SecurityConfiguration(this, 'SecurityConfiguration', {
      s3Encryption: glue.S3Encryption.kms(dataKey),
      cloudWatchEncryption: glue.CloudWatchEncryption.kms(dataKey),
      jobBookmarksEncryption: glue.JobBookmarksEncryption.clientSideKms(dataKey),
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });

    // Both from the CDK asset bucket through Code.fromBucket, whose grant is the one object's key; Code.fromAsset
    // would let the role read every object of the asset bucket (every stack's assets).
    this.script = new s3assets.Asset(this, 'Script', { path: JOB_SCRIPT_PATH });
    this.library = new s3assets.Asset(this, 'Library', {
      path: JOB_LIBRARY_DIR,
      // The schema and the run metric names live outside the package (schema/, contracts/): bundling copies them in,
      // so the hash is the output's.
      assetHashType: cdk.AssetHashType.OUTPUT,
      bundling: {
        image: cdk.DockerImage.fromRegistry('public.ecr.aws/docker/library/python:3.11-slim'),
        command: ['echo', 'bundled locally, see tryBundle'],
        local: { tryBundle: (outputDir) => bundleJobLibrary(outputDir) },
      },
    });

    this.jobArguments = {
      '--raw_path': lakeUri(bucket, LAKE_PREFIXES.raw),
      '--curated_path': lakeUri(bucket, LAKE_PREFIXES.curated),
      '--quarantine_path': lakeUri(bucket, LAKE_PREFIXES.quarantine),
      '--database': props.database.databaseName,
      '--curated_table': props.curatedTable.tableName,
      '--custom_formats': JSON.stringify(props.customFormatNames ?? []),
    };

    this.job = new glue.PySparkEtlJob(this, 'Job', {
      description: 'Raw log JSON (bookmarked) → validated, deduplicated curated Parquet + quarantine',
      role: this.role,
      glueVersion: glue.GlueVersion.V5_0,
      script: glue.Code.fromBucket(this.script.bucket, this.script.s3ObjectKey),
      extraPythonFiles: [glue.Code.fromBucket(this.library.bucket, this.library.s3ObjectKey)],
      workerConfiguration: { workerType: props.workerType as glue.WorkerType, numberOfWorkers: props.numberOfWorkers },
      timeout: props.timeout,
      maxConcurrentRuns: props.maxConcurrentRuns ?? 1,
      // Safe to retry: a rerun re-reads its objects (bookmark not committed) and drops already-curated ids.
      maxRetries: 1,
      securityConfiguration: this.securityConfiguration,
      // Off: the L2 would pass the continuous-logging arguments Glue 5.0 ignores (see the log groups above).
      continuousLogging: { enabled: false },
      enableMetrics: true,
      enableObservabilityMetrics: true,
      defaultArguments: {
        '--job-bookmark-option': 'job-bookmark-enable',
        '--TempDir': lakeUri(bucket, LAKE_PREFIXES.glueTemp),
        '--custom-logGroup-prefix': this.logGroupPrefix,
        // numberOfWorkers becomes the ceiling; a small hourly batch runs on 2 workers.
        ...(props.autoScaling ? { '--enable-auto-scaling': 'true' } : {}),
        ...this.jobArguments,
      },
    });

    // The L2 has no execution class (only PySparkFlexEtlJob, a different construct): set it on the L1.
    (this.job.node.defaultChild as glue.CfnJob).executionClass = props.executionClass ?? 'STANDARD';

    this.workflow = new glue.Workflow(this, 'Workflow', { description: 'Runs the log ETL job on its schedule' });
    this.workflow.addScheduledTrigger('Schedule', {
      description: `Log ETL on ${props.schedule} (UTC)`,
      schedule: glue.TriggerSchedule.expression(props.schedule),
      startOnCreation: true,
      actions: [glue.Action.job(this.job)],
    });

    this.grantJobAccess(props, stack);
    this.acknowledgeNagFindings();
  }

  /** Rows the job's runs read from raw/ (Glue job metrics, all runs), summed per 5 minutes. */
  public metricRecordsRead(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.job.metric('glue.driver.aggregate.recordsRead', glue.MetricType.COUNT, {
      statistic: cloudwatch.Stats.SUM,
      period: cdk.Duration.minutes(5),
      ...props,
    });
  }

  /** Spark tasks that failed in the job's runs (Glue job metrics), summed per 5 minutes. */
  public metricFailedTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.job.metric('glue.driver.aggregate.numFailedTasks', glue.MetricType.COUNT, {
      statistic: cloudwatch.Stats.SUM,
      period: cdk.Duration.minutes(5),
      ...props,
    });
  }

  /** Run time so far of the job's runs in milliseconds (Glue job metrics), maximum per 5 minutes. */
  public metricElapsedTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.job.metric('glue.driver.aggregate.elapsedTime', glue.MetricType.COUNT, {
      statistic: cloudwatch.Stats.MAXIMUM,
      period: cdk.Duration.minutes(5),
      ...props,
    });
  }

  /**
   * One of the counts each run publishes at its end (glue/log_etl/run_metrics.py, names from contracts/glue-run-metrics.json),
   * summed per hour: a run publishes once, and an hour holds one run of the hourly schedule (two with a retry).
   */
  public metricRunCount(count: GlueRunCount, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: GLUE_RUN_METRICS.namespace,
      metricName: GLUE_RUN_METRICS.metrics[count],
      dimensionsMap: { [GLUE_RUN_METRICS.dimension]: this.job.jobName },
      statistic: cloudwatch.Stats.SUM,
      period: cdk.Duration.hours(1),
      ...props,
    });
  }

  /** Share of the lines runs read that went to quarantine/, percent per hour; 0 for runs that read nothing. */
  public metricQuarantinedPercent(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(lines > 0, 100 * quarantined / lines, 0)',
      usingMetrics: { quarantined: this.metricRunCount('quarantined_rows'), lines: this.metricRunCount('raw_lines') },
      label: 'Quarantined share of lines read (%)',
      period: cdk.Duration.hours(1),
      ...props,
    });
  }

  /**
   * The EventBridge pattern of this job's runs ending badly (FAILED, TIMEOUT, ERROR or STOPPED), for a rule
   * that notifies someone. Glue publishes these "Glue Job State Change" events on its own.
   */
  public failedRunEventPattern(): cdk.aws_events.EventPattern {
    return {
      source: ['aws.glue'],
      detailType: ['Glue Job State Change'],
      detail: { jobName: [this.job.jobName], state: [...GLUE_FAILED_RUN_STATES] },
    };
  }

  private grantJobAccess(props: GlueEtlProps, stack: cdk.Stack): void {
    const { lakeBucket: bucket, encryptionKey: dataKey } = props;
    const objectsUnder = (prefix: string) => bucket.arnForObjects(`${prefix}*`);
    const listPrefixes = [LAKE_PREFIXES.raw, LAKE_PREFIXES.curated, LAKE_PREFIXES.quarantine, LAKE_PREFIXES.glueTemp];

    // Exact actions instead of bucket.grantRead/grantReadWrite, whose action families (s3:GetObject*, s3:List*)
    // reach further than the job needs.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListJobPrefixes',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': listPrefixes.flatMap((p) => [p.replace(/\/$/, ''), `${p}*`]) } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadRaw', actions: ['s3:GetObject'], resources: [objectsUnder(LAKE_PREFIXES.raw)] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteCuratedQuarantineTemp',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [LAKE_PREFIXES.curated, LAKE_PREFIXES.quarantine, LAKE_PREFIXES.glueTemp].map(objectsUnder),
      }),
    );
    dataKey.grant(this.role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');

    const catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RegisterCuratedPartitions',
        actions: ['glue:GetTable', 'glue:BatchCreatePartition'],
        resources: [catalogArn, props.database.databaseArn, props.curatedTable.tableArn],
      }),
    );

    // The job's two log groups only; the security configuration's CloudWatch encryption makes Glue associate
    // the key with the groups it writes to.
    const groups = [this.logGroups.output, this.logGroups.error];
    for (const group of groups) group.grantWrite(this.role);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'GlueJobLogs',
        actions: ['logs:CreateLogGroup', 'logs:AssociateKmsKey'],
        resources: groups.map((group) => group.logGroupArn),
      }),
    );
    // Glue's job metrics (namespace Glue) and the run counts the script publishes in its own namespace.
    // PutMetricData has no resource-level permissions: the cloudwatch:namespace condition key is what scopes it
    // (CloudWatch User Guide, "Using condition keys to limit access to CloudWatch namespaces").
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'GlueJobMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': ['Glue', GLUE_RUN_METRICS.namespace] } },
      }),
    );
  }

  private acknowledgeNagFindings(): void {
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    const jobPrefixes = [LAKE_PREFIXES.raw, LAKE_PREFIXES.curated, LAKE_PREFIXES.quarantine, LAKE_PREFIXES.glueTemp];
    const assetReadReason =
      "Glue L2's read grant (Code.fromBucket) on the CDK asset bucket: the job's own script and library objects only, by key";
    acknowledgeIamWildcards(this, [
      {
        finding: new RegExp(`^Resource::.+/(${jobPrefixes.map(escape).join('|')})\\*$`),
        reason:
          'Objects under the lake prefixes the job reads (raw/) or writes (curated/, quarantine/, glue-temp/); keys are made at run time',
      },
      {
        finding: /^Resource::\*$/,
        reason: `cloudwatch:PutMetricData has no resource-level permissions; the statement is limited by condition to the Glue namespace and the job's own (${GLUE_RUN_METRICS.namespace})`,
      },
      { finding: /^Action::s3:(GetObject|GetBucket|List)\*$/, reason: assetReadReason },
    ]);
  }
}

/**
 * Copies the job library's modules, the record schema and the run metric names into the asset directory: log_etl/ at
 * the zip's root. The two JSON files keep their names; record_schema.py and run_metrics.py read them there.
 */
export function bundleJobLibrary(outputDir: string): boolean {
  const target = path.join(outputDir, 'log_etl');
  fs.mkdirSync(target, { recursive: true });
  for (const file of fs.readdirSync(JOB_LIBRARY_DIR)) {
    if (file.endsWith('.py')) fs.copyFileSync(path.join(JOB_LIBRARY_DIR, file), path.join(target, file));
  }
  fs.copyFileSync(RECORD_SCHEMA_PATH, path.join(target, path.basename(RECORD_SCHEMA_PATH)));
  fs.copyFileSync(GLUE_RUN_METRICS_PATH, path.join(target, path.basename(GLUE_RUN_METRICS_PATH)));
  return true;
}
