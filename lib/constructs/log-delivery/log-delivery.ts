import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CustomFormatDefinition } from '../../../lambda/shared/parsers/custom-format';
import { DT_FORMAT, firehoseErrorPrefix, firehoseRawPrefix, LAKE_PREFIXES } from '../../../contracts/lake-layout';
import { acknowledgeIamWildcards, KMS_GRANT_ACTIONS } from '../../nag';
import { maxSafeProcessorBufferMiB } from '../../../contracts/limits';
import { TRANSFORM_METRICS, type TransformMetric } from '../../../contracts/metric-names';
import { PipelineFunction } from '../pipeline-function/pipeline-function';

export interface LogDeliveryProps {
  /** The stream Firehose reads from; the transform also re-ingests overflow records into it. */
  readonly sourceStream: kinesis.IStream;
  /** The lake bucket Firehose writes to. */
  readonly lakeBucket: s3.IBucket;
  /** Key for SSE-KMS of delivered objects and for the log groups. */
  readonly encryptionKey: kms.IKey;
  /**
   * Firehose writes an object after buffering this long (0–900 seconds)…
   * @default Duration.seconds(300)
   */
  readonly bufferingInterval?: cdk.Duration;
  /**
   * …or this much (1–128 MiB), whichever comes first.
   * @default Size.mebibytes(5)
   */
  readonly bufferingSize?: cdk.Size;
  /**
   * Data handed to the transform per call; keep it within what the 6 MB response cap allows
   * (`maxSafeProcessorBufferMiB()` in contracts/limits.ts).
   * @default Size.mebibytes(maxSafeProcessorBufferMiB())
   */
  readonly processorBufferSize?: cdk.Size;
  /**
   * Longest wait before calling the transform with a partial buffer (60–900 seconds).
   * @default Duration.seconds(60)
   */
  readonly processorBufferInterval?: cdk.Duration;
  /**
   * Also keep every source record, untransformed, under backup/.
   * @default false
   */
  readonly backupSourceRecords?: boolean;
  /**
   * Retention of the Firehose and Lambda log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log groups on `cdk destroy`.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
  /**
   * The stage's custom line formats (config `formats`), bundled into the transform's asset and tried after the
   * built-in parsers.
   * @default none
   */
  readonly customFormats?: readonly CustomFormatDefinition[];
}

/**
 * Firehose from the Kinesis stream into the lake's raw/ prefix, through the transform Lambda that
 * parses each log line into the record schema. GZIP objects under Hive-style `dt=` prefixes, failed
 * records under errors/<error-output-type>/, optional backup of source records.
 */
export class LogDelivery extends Construct {
  public readonly deliveryStream: firehose.DeliveryStream;
  public readonly transform: PipelineFunction;
  public readonly logGroup: logs.LogGroup;
  /** The role Firehose assumes: reads the stream, invokes the transform, writes its log group and its lake prefixes. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: LogDeliveryProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? cdk.RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.transform = new PipelineFunction(this, 'Transform', {
      functionDir: 'firehose-transform',
      description: 'Firehose transform: parses Apache, nginx, syslog and JSON lines into the lake record schema',
      logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy,
      // Firehose waits up to 5 minutes per invocation; leave room for re-ingest retries.
      timeout: cdk.Duration.minutes(3),
      customFormats: props.customFormats,
    });
    // Records that would overflow Firehose's 6 MB response go back into the stream.
    props.sourceStream.grantWrite(this.transform.function);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });

    const processor = new firehose.LambdaFunctionProcessor(this.transform.function, {
      bufferSize: props.processorBufferSize ?? cdk.Size.mebibytes(maxSafeProcessorBufferMiB()),
      bufferInterval: props.processorBufferInterval ?? cdk.Duration.seconds(60),
      retries: 3,
    });

    this.role = this.deliveryRole(props);
    // The L2 grants its destination role read, delete and object-lock actions on the whole bucket; handing it
    // the role without policy updates drops those grants, and deliveryRole() grants exactly what delivery needs.
    const role = this.role.withoutPolicyUpdates();

    this.deliveryStream = new firehose.DeliveryStream(this, 'DeliveryStream', {
      role,
      source: new firehose.KinesisStreamSource(props.sourceStream),
      destination: new firehose.S3Bucket(props.lakeBucket, {
        role,
        processors: [processor],
        compression: firehose.Compression.GZIP,
        fileExtension: '.json.gz',
        dataOutputPrefix: firehoseRawPrefix('kinesis'),
        errorOutputPrefix: firehoseErrorPrefix(),
        bufferingInterval: props.bufferingInterval ?? cdk.Duration.seconds(300),
        bufferingSize: props.bufferingSize ?? cdk.Size.mebibytes(5),
        encryptionKey: props.encryptionKey,
        loggingConfig: new firehose.EnableLogging(this.logGroup),
        s3Backup: props.backupSourceRecords
          ? {
              mode: firehose.BackupMode.ALL,
              bucket: props.lakeBucket,
              dataOutputPrefix: `${LAKE_PREFIXES.backup}dt=!{timestamp:${DT_FORMAT}}/`,
              errorOutputPrefix: `${LAKE_PREFIXES.backup}errors/!{firehose:error-output-type}/dt=!{timestamp:${DT_FORMAT}}/`,
              compression: firehose.Compression.GZIP,
              encryptionKey: props.encryptionKey,
              loggingConfig: new firehose.EnableLogging(this.logGroup),
            }
          : undefined,
      }),
    });
    // The grants the L2 would have made were dependencies of the stream; these are, so the policy exists first.
    this.deliveryStream.node.addDependency(this.role);
    // The L2 adds the delivery log streams to the group with LogStream's default policy (retain); they go
    // with their group, so a kept stream never names a deleted group (test/deploy/destroy-closure.test.ts).
    for (const child of this.logGroup.node.children) {
      if (child instanceof logs.LogStream) child.applyRemovalPolicy(removalPolicy);
    }

    cdk.Validations.of(this.deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason:
        'A delivery stream with a Kinesis Data Stream source cannot have its own SSE; the source stream is encrypted with the customer KMS key, and delivered objects use SSE-KMS with the same key.',
    });
    acknowledgeIamWildcards(this, [
      KMS_GRANT_ACTIONS,
      {
        finding: /^Resource::.*LakeBucket.*\/(raw\/source=kinesis|errors|backup)\/\*$/,
        reason:
          'Firehose puts (and may read back or abort multipart uploads of) objects under generated keys of its own prefixes only: raw/source=kinesis/, errors/, backup/. No delete, and nothing under curated/ or the other zones.',
      },
      {
        finding: /^Resource::<\w*TransformFunction[0-9A-F]{8}\.Arn>:\*$/,
        reason: "Firehose invokes the transform function's versions and aliases (ARN suffix :*): this one function only.",
      },
    ]);
  }

  /** One of the transform's Powertools counts (contracts/metric-names.ts), summed per 5 minutes. */
  public metricTransform(metricName: TransformMetric, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.transform.metric(metricName, props);
  }

  /** Firehose records the transform marked ProcessingFailed (kept under errors/), summed per 5 minutes. */
  public metricProcessingFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricTransform(TRANSFORM_METRICS.failedRecords, props);
  }

  /** Firehose records the transform received, summed per 5 minutes. */
  public metricTransformedRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricTransform(TRANSFORM_METRICS.records, props);
  }

  /**
   * Percentage of transformed records marked ProcessingFailed, per 5 minutes (0 when nothing came in):
   * a format the parsers cannot read, or records the transform could not hand back.
   */
  public metricProcessingFailedPercent(props: { period?: cdk.Duration } = {}): cloudwatch.MathExpression {
    const period = props.period ?? cdk.Duration.minutes(5);
    return new cloudwatch.MathExpression({
      expression: 'IF(records > 0, 100 * failed / records, 0)',
      usingMetrics: { failed: this.metricProcessingFailed({ period }), records: this.metricTransformedRecords({ period }) },
      label: 'ProcessingFailed %',
      period,
    });
  }

  /**
   * Records Firehose read from the Kinesis stream (a stream-sourced delivery stream publishes these
   * instead of IncomingRecords), summed per 5 minutes.
   */
  public metricRecordsReadFromStream(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('DataReadFromKinesisStream.Records', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /** Bytes Firehose read from the Kinesis stream, summed per 5 minutes. */
  public metricBytesReadFromStream(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('DataReadFromKinesisStream.Bytes', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /** Share of successful S3 puts (1 = all), averaged per 5 minutes. */
  public metricDeliverySuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('DeliveryToS3.Success', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /** Records delivered to the lake, summed per 5 minutes. */
  public metricDeliveredRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('DeliveryToS3.Records', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /** Age in seconds of the oldest record not yet in the lake, maximum per 5 minutes. */
  public metricDataFreshness(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('DeliveryToS3.DataFreshness', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * Exactly the permissions AWS documents for a Firehose stream with a Kinesis source, a Lambda processor and
   * an S3 destination (Firehose developer guide, "Controlling access"), each scoped to this pipeline's resources:
   * the lake's object actions only under Firehose's own prefixes, and no delete at all.
   */
  private deliveryRole(props: LogDeliveryProps): iam.Role {
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com'),
      description: 'Firehose: reads the log stream, invokes the transform, writes raw/source=kinesis/, errors/ and backup/ of the lake',
    });
    props.sourceStream.grantRead(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeTransform',
        actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
        resources: [this.transform.function.functionArn, `${this.transform.function.functionArn}:*`],
      }),
    );
    this.logGroup.grantWrite(role);

    const bucket = props.lakeBucket;
    const prefixes = [
      `${LAKE_PREFIXES.raw}source=kinesis/`,
      LAKE_PREFIXES.errors,
      ...(props.backupSourceRecords ? [LAKE_PREFIXES.backup] : []),
    ];
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LakeBucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
        resources: [bucket.bucketArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListOwnPrefixes',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnPrefixes',
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
        resources: prefixes.map((p) => bucket.arnForObjects(`${p}*`)),
      }),
    );
    // SSE-KMS of delivered objects: the key is used through S3 only.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptDeliveredObjects',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${cdk.Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    return role;
  }
}
