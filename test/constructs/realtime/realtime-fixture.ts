/** A stack with a VPC, a key, an MSK cluster with the job's two topics, and the stream analytics application. */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { STAGE_CONFIGS } from '../../../lib/config';
import { ConfusedDeputyConditions } from '../../../lib/confused-deputy';
import { KafkaCluster } from '../../../lib/constructs/kafka';
import { RealtimeAnalytics } from '../../../lib/constructs/realtime';
import { projectApp } from '../../helpers/app';
import { freshStack } from '../../helpers/constructs';
import '../../helpers/quiet-bundling';

const kafkaConfig = {
  ...STAGE_CONFIGS.prod.kafka,
  topics: [
    ...STAGE_CONFIGS.prod.kafka.topics,
    { name: 'log-records', partitions: 12, retentionHours: 24 },
    { name: 'log-analytics', partitions: 1, retentionHours: 168 },
  ],
};

export function buildRealtime(realtime = STAGE_CONFIGS.prod.realtime, app = projectApp()) {
  // As lib/app-stacks.ts does for every stage.
  cdk.Aspects.of(app).add(new ConfusedDeputyConditions());
  const stack = freshStack(app);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 3,
    natGateways: 0,
    subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const key = new kms.Key(stack, 'Key');
  const cluster = new KafkaCluster(stack, 'Kafka', {
    config: kafkaConfig,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    encryptionKey: key,
  });
  const analytics = new RealtimeAnalytics(stack, 'Realtime', {
    config: realtime,
    cluster,
    recordsTopic: 'log-records',
    outputTopic: 'log-analytics',
    groupId: 'log-analytics-flink',
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    encryptionKey: key,
    logRetention: logs.RetentionDays.THREE_MONTHS,
    removalPolicy: cdk.RemovalPolicy.RETAIN,
  });
  return { app, stack, vpc, key, cluster, analytics, template: Template.fromStack(stack) };
}
