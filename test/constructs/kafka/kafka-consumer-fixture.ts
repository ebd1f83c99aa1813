/**
 * The Kafka consumer as the app composes it, for the construct and deploy-rule tests: a base stack with a VPC,
 * a key, the lake buckets and an MSK cluster with the log topic and the records topic, and KafkaConsumerStack
 * over it, with or without `recordsTopic`.
 */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { REALTIME_TOPICS } from '../../../contracts/realtime';
import { STAGE_CONFIGS } from '../../../lib/config';
import { KafkaCluster } from '../../../lib/constructs/kafka';
import { KafkaConsumerStack } from '../../../lib/stacks/kafka-consumer-stack';
import { projectApp } from '../../helpers/app';
import '../../helpers/quiet-bundling';

export const LOG_TOPIC = STAGE_CONFIGS.prod.kafka.topics[0];

export function buildConsumer(options: { recordsTopic?: string; vpc?: boolean; recordsPartitions?: number; app?: cdk.App } = {}) {
  const app = options.app ?? projectApp();
  const base = new cdk.Stack(app, 'Base');
  const vpc = new ec2.Vpc(base, 'Vpc', {
    maxAzs: 3,
    natGateways: 0,
    subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const key = new kms.Key(base, 'Key', { enableKeyRotation: true });
  const cluster = new KafkaCluster(base, 'Kafka', {
    config: {
      ...STAGE_CONFIGS.prod.kafka,
      // The log topic and a records topic of the given partitions (prod's own records topic is replaced).
      topics: [
        ...STAGE_CONFIGS.prod.kafka.topics.filter((t) => t.name !== REALTIME_TOPICS.records),
        { name: REALTIME_TOPICS.records, partitions: options.recordsPartitions ?? 24, retentionHours: 24 },
      ],
    },
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    encryptionKey: key,
  });
  const bucket = (id: string) =>
    new s3.Bucket(base, id, { encryptionKey: key, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
  const stack = new KafkaConsumerStack(app, 'Consumer', {
    cluster,
    topicName: LOG_TOPIC.name,
    config: STAGE_CONFIGS.prod.kafka.consumer,
    lakeBucket: bucket('LakeBucket'),
    failedBatchesBucket: bucket('FailedBatchesBucket'),
    encryptionKey: key,
    logRetention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: cdk.RemovalPolicy.RETAIN,
    recordsTopic: options.recordsTopic,
    ...(options.vpc === false ? {} : { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }),
  });
  return { app, base, stack, cluster, vpc, template: Template.fromStack(stack) };
}
