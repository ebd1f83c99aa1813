import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REALTIME_TOPICS } from '../../../contracts/realtime';
import { STAGE_CONFIGS } from '../../../lib/config';
import { KafkaCluster } from '../../../lib/constructs/kafka';
import { REALTIME_ROWS_GROUP_ID, REALTIME_ROWS_MAPPING, RealtimeRows } from '../../../lib/constructs/realtime';
import { projectApp } from '../../helpers/app';
import { expectLogGroup, freshStack, logicalIdOf } from '../../helpers/constructs';
import { asArray, roleStatements } from '../../helpers/iam';
import '../../helpers/quiet-bundling';

function buildRows(app = projectApp()) {
  const stack = freshStack(app);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 3,
    natGateways: 0,
    subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const cluster = new KafkaCluster(stack, 'Kafka', {
    config: {
      ...STAGE_CONFIGS.prod.kafka,
      topics: [...STAGE_CONFIGS.prod.kafka.topics, { name: REALTIME_TOPICS.output, partitions: 1, retentionHours: 168 }],
    },
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    encryptionKey: key,
  });
  const lakeBucket = new s3.Bucket(stack, 'LakeBucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key, enforceSSL: true });
  const failedBatchesBucket = new s3.Bucket(stack, 'FailedBatchesBucket', { enforceSSL: true });
  const rows = new RealtimeRows(stack, 'RealtimeRows', {
    cluster,
    topic: REALTIME_TOPICS.output,
    lakeBucket,
    failedBatchesBucket,
    encryptionKey: key,
    logRetention: logs.RetentionDays.THREE_MONTHS,
    removalPolicy: cdk.RemovalPolicy.DESTROY,
  });
  return { stack, key, cluster, lakeBucket, failedBatchesBucket, rows, template: Template.fromStack(stack) };
}

const built = buildRows();
const { stack, template, rows } = built;

test('the mapping reads the output topic with its own group, provisioned, partial batch responses, S3 on failure', () => {
  const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
  expect(Object.keys(mappings)).toEqual([stack.getLogicalId(rows.eventSourceMapping)]);
  const props = Object.values(mappings)[0].Properties;
  expect(props).toEqual({
    FunctionName: stack.resolve(rows.function.function.functionArn),
    EventSourceArn: stack.resolve(built.cluster.clusterArn),
    Topics: ['log-analytics'],
    StartingPosition: 'TRIM_HORIZON',
    BatchSize: REALTIME_ROWS_MAPPING.batchSize,
    MaximumBatchingWindowInSeconds: REALTIME_ROWS_MAPPING.maximumBatchingWindowSeconds,
    AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'log-pipeline-realtime-rows' },
    ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 1 },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: REALTIME_ROWS_MAPPING.retryAttempts,
    DestinationConfig: { OnFailure: { Destination: stack.resolve(built.failedBatchesBucket.bucketArn) } },
    MetricsConfig: { Metrics: ['EventCount', 'ErrorCount'] },
  });
  expect(REALTIME_ROWS_GROUP_ID).not.toBe('log-pipeline-lake');
});

test('the role may do exactly this: its log group, two lake prefixes, the key, the topic and group, the ENIs, the failed-batches bucket', () => {
  // Per action and resource: the template merges statements (minimizePolicies), which says nothing of what is granted.
  const pairs = (statements: { Effect: string; Action: string | string[]; Resource?: unknown }[]) =>
    [
      ...new Set(
        statements.flatMap((s) =>
          asArray(s.Action).flatMap((action) => asArray(s.Resource as unknown).map((r) => `${s.Effect} ${action} ${JSON.stringify(r)}`)),
        ),
      ),
    ].sort();
  const granted = pairs(roleStatements(template, logicalIdOf(rows.function.role)));
  const { cluster, lakeBucket, failedBatchesBucket, key } = built;
  const allow = (actions: string[], resources: unknown[]) => ({
    Effect: 'Allow',
    Action: actions,
    Resource: resources.map((r) => stack.resolve(r)),
  });
  const expected = pairs([
    allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [rows.function.logGroup.logGroupArn]),
    allow(['s3:PutObject'], [lakeBucket.arnForObjects('realtime/*'), lakeBucket.arnForObjects('errors/realtime-rows-failed/*')]),
    allow(['kms:GenerateDataKey'], [key.keyArn]),
    allow(['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'], [cluster.clusterArn]),
    allow(['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], [cluster.topicArn('log-analytics')]),
    allow(['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'], [cluster.groupArn('log-pipeline-realtime-rows')]),
    allow(['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'], [cluster.clusterArn]),
    allow(
      [
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
      ],
      ['*'],
    ),
    allow(['s3:PutObject'], [failedBatchesBucket.arnForObjects('*')]),
    allow(['s3:ListBucket'], [failedBatchesBucket.bucketArn]),
  ]);
  expect(granted).toEqual(expected);
});

test('the function is realtime-rows, told the lake bucket, with an encrypted log group of the given retention and removal', () => {
  const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(rows.function.function)];
  expect(fn.Properties.Environment.Variables).toMatchObject({
    POWERTOOLS_SERVICE_NAME: 'realtime-rows',
    LAKE_BUCKET: stack.resolve(built.lakeBucket.bucketName),
  });
  expect(fn.Properties.Handler).toBe('index.handler');
  expectLogGroup(template, rows.function.logGroup, {
    encryptionKey: built.key,
    retentionDays: 90,
    removalPolicy: cdk.RemovalPolicy.DESTROY,
  });
});

test('cdk-nag AwsSolutions: no unacknowledged finding on the function, its role and its mapping', () => {
  const app = projectApp();
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let failure = '';
  try {
    buildRows(app);
  } catch (error) {
    failure = String(error);
  }
  // Findings of the test's own VPC, buckets, key and cluster are not this construct's: only lines naming it count.
  const lines = failure.split('\n');
  expect(lines.flatMap((line, i) => (line.includes('/RealtimeRows/') ? lines.slice(i - 1, i + 1) : []))).toEqual([]);
});
