import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgeIamWildcards } from '../../nag';
import type { KafkaCluster } from './kafka-cluster';
import type { KafkaConsumerConfig } from './kafka-config';

export interface KafkaMappingProps {
  /** The function the mapping invokes; its execution role is the mapping's too. */
  readonly function: lambda.IFunction;
  readonly cluster: KafkaCluster;
  /** The topic the mapping reads. */
  readonly topicName: string;
  /** The mapping's consumer group: the offsets it commits. */
  readonly groupId: string;
  /** Batching, pollers and retries. */
  readonly config: KafkaConsumerConfig;
  /** Where the mapping puts batches that still fail after its retries: the whole invocation record is kept. */
  readonly failedBatchesBucket: s3.IBucket;
}

/**
 * An MSK event source mapping in provisioned mode (so partial batch responses, bounded retries and bisection
 * apply), starting at TRIM_HORIZON, with an S3 on-failure destination, created as `Mapping` under `scope`; and
 * what the mapping needs of the function's role, scoped to this cluster, topic and group, except the EC2
 * network-interface actions, which the Lambda docs give with Resource "*". The Kafka consumer and the realtime-rows
 * function both use it.
 *
 * The mapping is the L1 `CfnEventSourceMapping`: aws-cdk-lib's `ManagedKafkaEventSource` always attaches the
 * AWS managed policy AWSLambdaMSKExecutionRole.
 */
export function addKafkaMapping(scope: Construct, props: KafkaMappingProps): lambda.CfnEventSourceMapping {
  const { cluster, config } = props;
  const fn = props.function;

  // The mapping polls with the function's role: connect, describe and read this topic, commit as this group.
  cluster.grantConsume(fn, [props.topicName], props.groupId);
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'], resources: [cluster.clusterArn] }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      // The mapping's ENIs in the cluster's subnets, with Resource "*" as the Lambda docs give them.
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

  const mapping = new lambda.CfnEventSourceMapping(scope, 'Mapping', {
    functionName: fn.functionArn,
    eventSourceArn: cluster.clusterArn,
    topics: [props.topicName],
    // TRIM_HORIZON: what producers wrote before the mapping existed is read too (LATEST would skip it).
    startingPosition: 'TRIM_HORIZON',
    batchSize: config.batchSize,
    maximumBatchingWindowInSeconds: config.maximumBatchingWindowSeconds,
    amazonManagedKafkaEventSourceConfig: { consumerGroupId: props.groupId },
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
  mapping.node.addDependency(fn);

  acknowledgeIamWildcards(scope, [
    {
      finding: /FailedBatchesBucket[0-9A-F]{8}.*\/\*$/,
      reason: "The mapping's S3 on-failure destination writes keys of its own choosing into this dedicated bucket (PutObject only).",
    },
    {
      finding: new RegExp(
        `^Resource::arn:<AWS::Partition>:kafka:<AWS::Region>:<AWS::AccountId>:group/${cluster.clusterName}/\\*/${props.groupId}$`,
      ),
      reason:
        "The consumer group of this cluster only: the ARN's middle part is the cluster's UUID, known after creation; the cluster's name is unique in the account and region.",
    },
    {
      finding: /^Resource::\*$/,
      reason:
        'The event source mapping creates and removes its network interfaces in the cluster subnets: AWS documents ec2:CreateNetworkInterface, DeleteNetworkInterface and the Describe* calls it needs with Resource "*" (the Describe calls support no resource-level scoping).',
    },
  ]);
  return mapping;
}
