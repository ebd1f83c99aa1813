import * as cdk from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FLINK_GROUP_ID, REALTIME_TOPICS } from '../../contracts/realtime';
import type { KafkaCluster } from '../constructs/kafka';
import { RealtimeAnalytics, RealtimeRows, type RealtimeConfig } from '../constructs/realtime';

export interface RealtimeStackProps extends cdk.StackProps {
  readonly config: RealtimeConfig;
  /** The cluster holding the records and output topics (KafkaStack.cluster). */
  readonly cluster: KafkaCluster;
  /** The shared VPC and its private subnets, where the application's ENIs go. */
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The lake: the job's rows go to realtime/ (the Analytics stack's realtime_rows table reads them). */
  readonly lakeBucket: s3.IBucket;
  /** Where the rows' mapping keeps batches that still fail after its retries (KafkaStack.failedBatchesBucket). */
  readonly failedBatchesBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** What `cdk destroy` does with the application's log group (the application itself is always deleted). */
  readonly removalPolicy: cdk.RemovalPolicy;
}

/**
 * Stateless, only where `realtime.enabled`: the stream analytics application (Managed Service for Apache Flink)
 * over the records topic the Kafka consumer publishes to, started once created and stopped before it is deleted,
 * and the function that puts its per-minute rows from the output topic into the lake.
 */
export class RealtimeStack extends cdk.Stack {
  public readonly analytics: RealtimeAnalytics;
  public readonly rows: RealtimeRows;

  constructor(scope: Construct, id: string, props: RealtimeStackProps) {
    super(scope, id, props);
    this.analytics = new RealtimeAnalytics(this, 'Analytics', {
      config: props.config,
      cluster: props.cluster,
      recordsTopic: REALTIME_TOPICS.records,
      outputTopic: REALTIME_TOPICS.output,
      groupId: FLINK_GROUP_ID,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.rows = new RealtimeRows(this, 'Rows', {
      cluster: props.cluster,
      topic: REALTIME_TOPICS.output,
      lakeBucket: props.lakeBucket,
      failedBatchesBucket: props.failedBatchesBucket,
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    new cdk.CfnOutput(this, 'RealtimeApplicationName', {
      value: this.analytics.applicationName,
      description: 'aws kinesisanalyticsv2 describe-application --application-name <this>',
    });
  }
}
