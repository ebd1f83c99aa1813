import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CustomFormatDefinition } from '../../../lambda/shared/parsers/custom-format';
import { kafkaErrorPrefix, KAFKA_ERROR_OUTPUT_TYPES, LAKE_PREFIXES } from '../../../contracts/lake-layout';
import { acknowledgeIamWildcards } from '../../nag';
import { PipelineFunction } from '../pipeline-function/pipeline-function';
import type { KafkaCluster } from './kafka-cluster';
import { CONSUMER_GROUP_ID, type KafkaConsumerConfig } from './kafka-config';

export interface KafkaConsumerProps {
  /** The cluster and its topics (KafkaStack.cluster). */
  readonly cluster: KafkaCluster;
  /** The topic the mapping reads. */
  readonly topicName: string;
  /** Batching, pollers and retries of the mapping. */
  readonly config: KafkaConsumerConfig;
  /** The lake: the consumer writes raw/source=kafka/ and errors/kafka-consumer-failed/ in it. */
  readonly lakeBucket: s3.IBucket;
  /** Where the mapping puts batches that still fail after its retries: the whole invocation record is kept. */
  readonly failedBatchesBucket: s3.IBucket;
  /** The data key: the lake's and the log group's. */
  readonly encryptionKey: kms.IKey;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What `cdk destroy` does with the function's log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
  /**
   * The stage's custom line formats (config `formats`), bundled into the consumer's asset and tried after the
   * built-in parsers.
   * @default none
   */
  readonly customFormats?: readonly CustomFormatDefinition[];
}

/**
 * The Kafka consumer (its metrics for the dashboard and alarms: lib/constructs/monitoring/kafka-metrics.ts): a TypeScript Lambda over the shared record core, invoked by an MSK event source
 * mapping in provisioned mode (so partial batch responses, bounded retries and bisection apply), starting
 * at TRIM_HORIZON, with an S3 on-failure destination that keeps the records.
 *
 * The mapping is the L1 `CfnEventSourceMapping`: aws-cdk-lib's `ManagedKafkaEventSource` always attaches
 * the AWS managed policy AWSLambdaMSKExecutionRole. The role here gets exactly what the mapping needs,
 * scoped to this cluster, topic and consumer group, except the EC2 network-interface actions, which AWS
 * documents with Resource "*".
 */
export class KafkaConsumer extends Construct {
  public readonly function: PipelineFunction;
  public readonly eventSourceMapping: lambda.CfnEventSourceMapping;
  /** The execution role of the function, which the mapping uses too. */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: KafkaConsumerProps) {
    super(scope, id);
    const { cluster, config } = props;

    this.function = new PipelineFunction(this, 'Function', {
      functionDir: 'kafka-consumer',
      description: 'Kafka consumer: MSK batches into the lake as GZIP JSON lines in the record schema',
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: { LAKE_BUCKET: props.lakeBucket.bucketName },
      timeout: cdk.Duration.minutes(2),
      customFormats: props.customFormats,
    });
    const fn = this.function.function;
    this.role = this.function.role;

    // The lake: new objects under the Kafka raw prefix and the consumer's error prefix, nothing read,
    // tagged or deleted (a retried batch overwrites its own deterministic key with PutObject).
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [
          props.lakeBucket.arnForObjects(`${LAKE_PREFIXES.raw}source=kafka/*`),
          props.lakeBucket.arnForObjects(`${kafkaErrorPrefix(KAFKA_ERROR_OUTPUT_TYPES.consumerFailed)}*`),
        ],
      }),
    );
    // SSE-KMS PutObject asks KMS for a data key (the bucket key caches it).
    props.encryptionKey.grant(fn, 'kms:GenerateDataKey');

    // The mapping polls with the function's role: connect, describe and read this topic, commit as this group.
    cluster.grantConsume(fn, [props.topicName], CONSUMER_GROUP_ID);
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'], resources: [cluster.clusterArn] }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        // The mapping's ENIs in the cluster's subnets; EC2 documents these with Resource "*" only.
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
      }),
    );
    // The on-failure destination: PutObject and ListBucket, what the Lambda docs list for S3 destinations.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.failedBatchesBucket.arnForObjects('*')] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.failedBatchesBucket.bucketArn] }));

    this.eventSourceMapping = new lambda.CfnEventSourceMapping(this, 'Mapping', {
      functionName: fn.functionArn,
      eventSourceArn: cluster.clusterArn,
      topics: [props.topicName],
      // TRIM_HORIZON: what producers wrote before the mapping existed is read too (LATEST would skip it).
      startingPosition: 'TRIM_HORIZON',
      batchSize: config.batchSize,
      maximumBatchingWindowInSeconds: config.maximumBatchingWindowSeconds,
      amazonManagedKafkaEventSourceConfig: { consumerGroupId: CONSUMER_GROUP_ID },
      // Provisioned mode: the only mode with partial batch responses, bounded retries and bisection.
      provisionedPollerConfig: { minimumPollers: config.minimumPollers, maximumPollers: config.maximumPollers },
      functionResponseTypes: ['ReportBatchItemFailures'],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: config.retryAttempts,
      destinationConfig: { onFailure: { destination: props.failedBatchesBucket.bucketArn } },
      // Per-mapping metrics (dimension EventSourceMappingUUID) exist only for the groups named here: EventCount
      // has OnFailureDestinationDeliveredEventCount and DroppedEventCount, which the on-failure alarm sums;
      // ErrorCount has OnFailureDestinationDeliveryErrorCount, on the dashboard. OffsetLag needs none of them.
      metricsConfig: { metrics: ['EventCount', 'ErrorCount'] },
    });
    // The mapping validates its role's permissions when it is created.
    this.eventSourceMapping.node.addDependency(fn);

    acknowledgeIamWildcards(this, [
      {
        finding: /LakeBucket[0-9A-F]{8}.*\/(raw\/source=kafka|errors\/kafka-consumer-failed)\/\*$/,
        reason:
          'The consumer writes objects under generated keys of two lake prefixes only: raw/source=kafka/ and errors/kafka-consumer-failed/ (PutObject, no read, no delete).',
      },
      {
        finding: /FailedBatchesBucket[0-9A-F]{8}.*\/\*$/,
        reason: "The mapping's S3 on-failure destination writes keys of its own choosing into this dedicated bucket (PutObject only).",
      },
      {
        finding: new RegExp(
          `^Resource::arn:<AWS::Partition>:kafka:<AWS::Region>:<AWS::AccountId>:group/${cluster.clusterName}/\\*/${CONSUMER_GROUP_ID}$`,
        ),
        reason:
          "The consumer group of this cluster only: the ARN's middle part is the cluster's UUID, known after creation; the cluster's name is unique in the account and region.",
      },
      {
        finding: /^Resource::\*$/,
        reason:
          'The event source mapping creates and removes its network interfaces in the cluster subnets: ec2:CreateNetworkInterface, DeleteNetworkInterface and the Describe* calls it needs support no resource-level scoping (Resource "*" in the AWS docs).',
      },
    ]);
  }
}
