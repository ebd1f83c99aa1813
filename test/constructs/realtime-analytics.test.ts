import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { projectApp } from '../helpers/app';
import { STAGE_CONFIGS } from '../../lib/config';
import { KafkaCluster } from '../../lib/constructs/kafka';
import { currentFlinkJar, FLINK_MODULE, flinkSourcesHash, RealtimeAnalytics } from '../../lib/constructs/realtime';
import { expectLogGroup, freshStack, logicalIdOf } from '../helpers/constructs';
import '../helpers/quiet-bundling';

const kafkaConfig = {
  ...STAGE_CONFIGS.prod.kafka,
  topics: [...STAGE_CONFIGS.prod.kafka.topics, { name: 'log-records', partitions: 12, retentionHours: 24 }, { name: 'log-analytics', partitions: 1, retentionHours: 168 }],
};

function build(realtime = STAGE_CONFIGS.prod.realtime, app = projectApp()) {
  const stack = freshStack(app);
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const key = new kms.Key(stack, 'Key');
  const cluster = new KafkaCluster(stack, 'Kafka', { config: kafkaConfig, vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, encryptionKey: key });
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

const built = build();

test('the application runs FLINK-2_2 from the jar asset (ZIPFILE), unnamed, in the private subnets with the brokers\' group', () => {
  const { template, stack, vpc, cluster, analytics } = built;
  const app = template.toJSON().Resources[stack.getLogicalId(analytics.application)];
  expect(app.Properties.ApplicationName).toBeUndefined();
  expect(app.Properties.RuntimeEnvironment).toBe('FLINK-2_2');
  const config = app.Properties.ApplicationConfiguration;
  expect(config.ApplicationCodeConfiguration.CodeContentType).toBe('ZIPFILE');
  expect(config.ApplicationCodeConfiguration.CodeContent.S3ContentLocation.FileKey).toMatch(/^[0-9a-f]{64}\.jar$/);
  expect(config.VpcConfigurations).toEqual([
    { SubnetIds: stack.resolve(vpc.isolatedSubnets.map((s) => s.subnetId)), SecurityGroupIds: [stack.resolve(cluster.securityGroup.securityGroupId)] },
  ]);
  expect(app.DeletionPolicy).toBe('Delete');
});

test('checkpoints, snapshots and parallelism come from the stage; the job\'s settings are its LogAnalytics property group', () => {
  const { template, stack, analytics, cluster } = built;
  const config = template.toJSON().Resources[stack.getLogicalId(analytics.application)].Properties.ApplicationConfiguration;
  expect(config.ApplicationSnapshotConfiguration).toEqual({ SnapshotsEnabled: true });
  expect(config.FlinkApplicationConfiguration.CheckpointConfiguration).toEqual({
    ConfigurationType: 'CUSTOM', CheckpointingEnabled: true, CheckpointInterval: 60_000, MinPauseBetweenCheckpoints: 5_000,
  });
  expect(config.FlinkApplicationConfiguration.ParallelismConfiguration).toEqual({ ConfigurationType: 'CUSTOM', Parallelism: 1, ParallelismPerKPU: 1, AutoScalingEnabled: true });
  expect(config.EnvironmentProperties.PropertyGroups).toEqual([
    {
      PropertyGroupId: 'LogAnalytics',
      PropertyMap: {
        bootstrap: stack.resolve(cluster.bootstrapBrokers),
        security: 'msk-iam',
        'records-topic': 'log-records',
        'output-topic': 'log-analytics',
        'group-id': 'log-analytics-flink',
        'checkpoint-interval-ms': '60000',
      },
    },
  ]);
});

test('its log goes to an encrypted group with the stage\'s retention, through a logging option on the application', () => {
  const { template, key, analytics, stack } = built;
  expectLogGroup(template, analytics.logGroup, { encryptionKey: key, retentionDays: 90, removalPolicy: cdk.RemovalPolicy.RETAIN });
  template.hasResourceProperties('AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption', {
    ApplicationName: { Ref: stack.getLogicalId(analytics.application) },
    CloudWatchLoggingOption: { LogStreamARN: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
  });
});

test('the role is assumed by MSF and may read its records, write its rows, and nothing of the other topics', () => {
  const { template, analytics } = built;
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'kinesisanalytics.amazonaws.com' } })] },
  });
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalIdOf(analytics.role) }] } });
  const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
  const text = (s: { Resource: unknown }) => JSON.stringify(s.Resource);
  const actionsOn = (topic: string) => statements.filter((s) => text(s).includes(`/${topic}"`)).flatMap((s) => ([] as string[]).concat(s.Action)).sort();
  expect(actionsOn('log-records')).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData']);
  expect(actionsOn('log-analytics')).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']);
  expect(actionsOn('logs')).toEqual([]);
  expect(actionsOn('log-analytics-flink')).toEqual(['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup']);
  expect(statements.filter((s) => text(s).includes('transactional-id/')).flatMap((s) => s.Action).sort()).toEqual(['kafka-cluster:AlterTransactionalId', 'kafka-cluster:DescribeTransactionalId']);
  expect(statements.flatMap((s) => ([] as string[]).concat(s.Action)).filter((a) => a.includes('*'))).toEqual([]);
  const metrics = statements.find((s) => ([] as string[]).concat(s.Action).includes('cloudwatch:PutMetricData')) as unknown as { Condition: unknown };
  expect(metrics.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'AWS/KinesisAnalytics' } });
});

test('a missing or stale jar fails synth with the command that builds it', () => {
  const module = fs.mkdtempSync(path.join(os.tmpdir(), 'flink-module-'));
  fs.mkdirSync(path.join(module, 'src', 'main'), { recursive: true });
  fs.writeFileSync(path.join(module, 'pom.xml'), '<project/>');
  fs.writeFileSync(path.join(module, 'src', 'main', 'Job.java'), 'class Job {}');
  expect(() => currentFlinkJar(module)).toThrow(/log-analytics-flink\.jar, which is missing: run bash scripts\/flink-jar\.sh/);
  fs.mkdirSync(path.join(module, 'target'));
  fs.writeFileSync(path.join(module, 'target', 'log-analytics-flink.jar'), 'PK');
  fs.writeFileSync(path.join(module, 'target', '.sources.sha256'), `${flinkSourcesHash(module)}\n`);
  expect(currentFlinkJar(module)).toBe(path.join(module, 'target', 'log-analytics-flink.jar'));
  fs.writeFileSync(path.join(module, 'src', 'main', 'Job.java'), 'class Job { int changed; }');
  expect(() => currentFlinkJar(module)).toThrow(/was not built from the current sources of .*: run bash scripts\/flink-jar\.sh/);
  fs.rmSync(module, { recursive: true });
});

test('the stamp hash is the one scripts/flink-jar.sh writes for the project\'s job', () => {
  const stamp = path.join(FLINK_MODULE, 'target', '.sources.sha256');
  expect(fs.readFileSync(stamp, 'utf8').trim()).toBe(flinkSourcesHash());
});

test('cdk-nag AwsSolutions: no unacknowledged finding on the application, its role and its log group', () => {
  const app = projectApp();
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let failure = '';
  try {
    build(STAGE_CONFIGS.prod.realtime, app);
  } catch (error) {
    failure = String(error);
  }
  // Findings of the test's own VPC and key are not this construct's: only lines naming Realtime count.
  const lines = failure.split('\n');
  expect(lines.flatMap((line, i) => (line.includes('/Realtime/') ? lines.slice(i - 1, i + 1) : []))).toEqual([]);
});
