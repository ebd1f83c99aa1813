import * as cdk from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { KafkaCluster, type KafkaConfig } from '../constructs/kafka';

export interface KafkaStackProps extends cdk.StackProps {
  readonly config: KafkaConfig;
  /** The shared network (NetworkStack.vpc) and its private subnets, one per AZ. */
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The data key: broker volumes, broker logs, failed batches. */
  readonly encryptionKey: kms.IKey;
  /**
   * Server access logs of the failed-batches bucket go here (DataStack.accessLogsBucket).
   * @default - no server access logs: the stage destroys its buckets (Lake.accessLogsBucket says why)
   */
  readonly accessLogsBucket?: s3.IBucket;
  readonly logRetention: logs.RetentionDays;
  /** What `cdk destroy` does with the logs and the failed batches (the cluster, its configuration and topics are always deleted). */
  readonly removalPolicy: cdk.RemovalPolicy;
}

/**
 * Stateful: the MSK cluster, its configuration and topics, and the bucket that keeps batches the consumer
 * mapping gave up on. Kept apart from the consumer stack, which can be replaced freely.
 */
export class KafkaStack extends cdk.Stack {
  public readonly cluster: KafkaCluster;
  public readonly failedBatchesBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: KafkaStackProps) {
    super(scope, id, props);
    const destroy = props.removalPolicy === cdk.RemovalPolicy.DESTROY;
    // Construct IDs pinned by test/stacks/kafka-stack.test.ts: renaming one replaces the cluster or a topic.
    this.cluster = new KafkaCluster(this, 'Kafka', {
      config: props.config,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // The mapping's S3 on-failure destination takes a bucket, not a prefix, and writes its own keys: a
    // bucket of its own keeps those records out of the lake's zones (and the consumer's role out of the lake's root).
    this.failedBatchesBucket = new s3.Bucket(this, 'FailedBatchesBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: !destroy,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: props.accessLogsBucket ? 'kafka-failed-batches/' : undefined,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: cdk.Duration.days(7) },
        ...(destroy ? [] : [{ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: cdk.Duration.days(30) }]),
      ],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
    if (!props.accessLogsBucket) {
      cdk.Validations.of(this.failedBatchesBucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'A stage that cdk destroy empties sends no server access logs: S3 delivers them best effort, hours late, into a log bucket the same destroy deletes (see Lake.accessLogsBucket).',
      });
    }

    new cdk.CfnOutput(this, 'KafkaClusterArn', {
      value: this.cluster.clusterArn,
      description: 'aws kafka describe-cluster-v2 --cluster-arn <this>',
    });
    new cdk.CfnOutput(this, 'KafkaBootstrapBrokers', {
      value: this.cluster.bootstrapBrokers,
      description: 'SASL/IAM bootstrap brokers (port 9098, from inside the VPC), sorted',
    });
    new cdk.CfnOutput(this, 'KafkaFailedBatchesBucketName', {
      value: this.failedBatchesBucket.bucketName,
      description: 'Batches the consumer mapping gave up on',
    });
  }
}
