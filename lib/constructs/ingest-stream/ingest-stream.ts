import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { StreamConfig } from './ingest-stream-config';

export interface IngestStreamProps {
  /** Customer key that encrypts the stream (and so covers Firehose reading from it). */
  readonly encryptionKey: kms.IKey;
  /** Capacity mode and retention. */
  readonly config: StreamConfig;
  /**
   * What happens to the stream on `cdk destroy`. Its records are transient (Firehose delivers them to the lake
   * within its buffer interval), and a kept stream bills its shard-hours and retention: 34 shards at 168 h are about
   * $869 a month (`npm run cost`). So it is deleted in every stage unless a caller says otherwise.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
}

/** The Kinesis Data Stream the log agent writes to: KMS-encrypted, on-demand unless a shard count is set. */
export class IngestStream extends Construct {
  public readonly stream: kinesis.Stream;

  constructor(scope: Construct, id: string, props: IngestStreamProps) {
    super(scope, id);
    const { capacity, retentionHours } = props.config;
    this.stream = new kinesis.Stream(this, 'Stream', {
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: props.encryptionKey,
      retentionPeriod: cdk.Duration.hours(retentionHours),
      ...(capacity.mode === 'provisioned'
        ? { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: capacity.shardCount }
        : { streamMode: kinesis.StreamMode.ON_DEMAND }),
      removalPolicy: props.removalPolicy ?? cdk.RemovalPolicy.DESTROY,
    });
    cdk.Validations.of(this.stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason:
        'A customer key by design: one key policy governs stream, lake and logs, and key usage is auditable per principal in CloudTrail; the added KMS cost is accepted.',
    });
  }

  /** Records written to the stream (by the agent and by the transform's re-ingest), summed per 5 minutes. */
  public metricIncomingRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricIncomingRecords({ statistic: cloudwatch.Stats.SUM, period: cdk.Duration.minutes(5), ...props });
  }

  /** Bytes written to the stream, summed per 5 minutes. */
  public metricIncomingBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricIncomingBytes({ statistic: cloudwatch.Stats.SUM, period: cdk.Duration.minutes(5), ...props });
  }

  /** Writes rejected for exceeding the stream's throughput (records and bytes), summed per 5 minutes. */
  public metricWriteThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricWriteProvisionedThroughputExceeded({
      statistic: cloudwatch.Stats.SUM,
      period: cdk.Duration.minutes(5),
      ...props,
    });
  }

  /** Age of the oldest record Firehose has not read yet, in milliseconds, maximum per 5 minutes. */
  public metricIteratorAgeMilliseconds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricGetRecordsIteratorAgeMilliseconds({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: cdk.Duration.minutes(5),
      ...props,
    });
  }
}
