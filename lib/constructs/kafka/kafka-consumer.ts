import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CustomFormatDefinition } from '../../../lambda/shared/parsers/custom-format';
import { kafkaErrorPrefix, KAFKA_ERROR_OUTPUT_TYPES, LAKE_PREFIXES } from '../../../contracts/lake-layout';
import { acknowledgeIamWildcards } from '../../nag';
import { PipelineFunction } from '../pipeline-function/pipeline-function';
import type { KafkaCluster } from './kafka-cluster';
import { addKafkaMapping } from './kafka-mapping';
import { CONSUMER_GROUP_ID, CONSUMER_MEMORY_MB, type KafkaConsumerConfig } from './kafka-config';

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
  /**
   * The records topic (one of the cluster's topics, with at least the log topic's partitions): the function
   * publishes the records it parsed there, batch by batch, to the partition number their lines came from
   * (docs/analytics-realtime.md). It then runs in `vpc`'s `vpcSubnets` with a security group of its own that
   * reaches the brokers on the SASL/IAM port, and may produce to that topic only.
   * @default no publishing, and the function stays out of the VPC
   */
  readonly recordsTopic?: string;
  /** The VPC of the brokers; required with `recordsTopic`. @default none */
  readonly vpc?: ec2.IVpc;
  /** Private subnets that reach the brokers and S3 (the gateway endpoint); required with `recordsTopic`. @default none */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/**
 * The Kafka consumer (its metrics for the dashboard and alarms: lib/constructs/monitoring/kafka-metrics.ts): a TypeScript Lambda over the shared record core, invoked by an MSK event source
 * mapping in provisioned mode (so partial batch responses, bounded retries and bisection apply), starting
 * at TRIM_HORIZON, with an S3 on-failure destination that keeps the records (addKafkaMapping: the mapping
 * and what it needs of the role, scoped to this cluster, topic and consumer group).
 */
export class KafkaConsumer extends Construct {
  public readonly function: PipelineFunction;
  public readonly eventSourceMapping: lambda.CfnEventSourceMapping;
  /** The execution role of the function, which the mapping uses too. */
  public readonly role: iam.IRole;
  /** The function's own security group, when it publishes (recordsTopic). */
  public readonly securityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: KafkaConsumerProps) {
    super(scope, id);
    const { cluster, recordsTopic } = props;
    const publishing = recordsTopic === undefined ? undefined : publishingProps(cluster, props, recordsTopic);
    if (publishing !== undefined) {
      // Egress only where the function goes: the brokers (below) and S3 on 443 (the private subnets reach it
      // through the gateway endpoint; nothing else answers there without NAT).
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: publishing.vpc,
        description: 'Kafka consumer Lambda: the lake (S3, HTTPS) and the records topic (MSK SASL/IAM)',
        allowAllOutbound: false,
      });
      this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'The lake (S3 through the gateway endpoint)');
    }

    this.function = new PipelineFunction(this, 'Function', {
      functionDir: 'kafka-consumer',
      description: 'Kafka consumer: MSK batches into the lake as GZIP JSON lines in the record schema',
      memorySize: CONSUMER_MEMORY_MB,
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: {
        LAKE_BUCKET: props.lakeBucket.bucketName,
        ...(publishing === undefined
          ? {}
          : { RECORDS_TOPIC: publishing.topic, KAFKA_BOOTSTRAP_BROKERS: cluster.bootstrapBrokers, KAFKA_SECURITY: 'msk-iam' }),
      },
      timeout: cdk.Duration.minutes(2),
      customFormats: props.customFormats,
      ...(publishing === undefined || this.securityGroup === undefined
        ? {}
        : { vpc: publishing.vpc, vpcSubnets: publishing.vpcSubnets, securityGroups: [this.securityGroup] }),
    });
    const fn = this.function.function;
    this.role = this.function.role;

    if (publishing !== undefined && this.securityGroup !== undefined) {
      // Connect and WriteDataIdempotently on the cluster, DescribeTopic and WriteData on the records topic only:
      // "Produce data idempotently" in "Common use cases for client authorization policy"
      // (https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control-use-cases.html).
      cluster.grantProduce(fn, [publishing.topic]);
      // Both rules live here, in the consumer's stack: the brokers' stack must not depend on it (as LogHost's).
      const rule = { ipProtocol: 'tcp', fromPort: cluster.port, toPort: cluster.port };
      new ec2.CfnSecurityGroupEgress(this, 'KafkaEgress', {
        ...rule,
        groupId: this.securityGroup.securityGroupId,
        destinationSecurityGroupId: cluster.securityGroup.securityGroupId,
        description: 'Kafka (SASL/IAM over TLS) to the MSK brokers: the records topic',
      });
      new ec2.CfnSecurityGroupIngress(this, 'KafkaIngress', {
        ...rule,
        groupId: cluster.securityGroup.securityGroupId,
        sourceSecurityGroupId: this.securityGroup.securityGroupId,
        description: 'Kafka producer: the consumer Lambda (records topic)',
      });
      // A function in a VPC: Lambda manages its Hyperplane ENIs with the function's role. "Required IAM
      // permissions" in "Giving Lambda functions access to resources in an Amazon VPC"
      // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html) lists CreateNetworkInterface,
      // DescribeNetworkInterfaces (only on "*"), DeleteNetworkInterface, AssignPrivateIpAddresses and
      // UnassignPrivateIpAddresses: the first three and DescribeSubnets are in the mapping's statement below;
      // the two address actions take a network-interface ARN, scoped to this account and region.
      const { partition, region, account } = cdk.Stack.of(this);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: [`arn:${partition}:ec2:${region}:${account}:network-interface/*`],
        }),
      );
    }

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

    this.eventSourceMapping = addKafkaMapping(this, {
      function: fn,
      cluster,
      topicName: props.topicName,
      groupId: CONSUMER_GROUP_ID,
      config: props.config,
      failedBatchesBucket: props.failedBatchesBucket,
    });

    acknowledgeIamWildcards(this, [
      {
        finding: /LakeBucket[0-9A-F]{8}.*\/(raw\/source=kafka|errors\/kafka-consumer-failed)\/\*$/,
        reason:
          'The consumer writes objects under generated keys of two lake prefixes only: raw/source=kafka/ and errors/kafka-consumer-failed/ (PutObject, no read, no delete).',
      },
      {
        finding: /^Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface\/\*$/,
        reason:
          "Lambda assigns and unassigns private addresses on the function's own Hyperplane network interfaces, whose IDs exist only once Lambda creates them: this account and region's interfaces.",
      },
    ]);
  }
}

/** What publishing needs, checked at synth with a message for the user. */
function publishingProps(
  cluster: KafkaCluster,
  props: KafkaConsumerProps,
  topic: string,
): { topic: string; vpc: ec2.IVpc; vpcSubnets: ec2.SubnetSelection } {
  if (props.vpc === undefined || props.vpcSubnets === undefined) {
    throw new Error(`KafkaConsumer: recordsTopic '${topic}' needs vpc and vpcSubnets (the brokers' VPC and its private subnets)`);
  }
  if (topic === props.topicName) {
    throw new Error(
      `KafkaConsumer: recordsTopic must differ from the topic the consumer reads ('${topic}'), or it would read its own records`,
    );
  }
  const records = cluster.topics.find((t) => t.topicName === topic);
  if (records === undefined) {
    throw new Error(
      `KafkaConsumer: recordsTopic '${topic}' is not one of the cluster's topics (${cluster.topics.map((t) => t.topicName).join(', ')}): add it to kafka.topics`,
    );
  }
  const logs = cluster.topics.find((t) => t.topicName === props.topicName);
  const [have, need] = [records.partitionCount, logs?.partitionCount];
  // Each batch goes to the partition number its lines came from: that partition must exist.
  if (need !== undefined && !cdk.Token.isUnresolved(have) && !cdk.Token.isUnresolved(need) && have < need) {
    throw new Error(
      `KafkaConsumer: recordsTopic '${topic}' has ${have} partitions but '${props.topicName}' has ${need}: give it at least ${need} (records keep their partition number)`,
    );
  }
  return { topic, vpc: props.vpc, vpcSubnets: props.vpcSubnets };
}
