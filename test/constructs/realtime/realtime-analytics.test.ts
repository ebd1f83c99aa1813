import * as cdk from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { projectApp } from '../../helpers/app';
import { STAGE_CONFIGS } from '../../../lib/config';
import { currentFlinkJar, FLINK_MODULE, flinkSourcesHash } from '../../../lib/constructs/realtime';
import { expectLogGroup } from '../../helpers/constructs';
import { buildRealtime } from './realtime-fixture';

const built = buildRealtime();

test("the application runs FLINK-2_2 from the jar asset (ZIPFILE), unnamed, in the private subnets with the brokers' group", () => {
  const { template, stack, vpc, cluster, analytics } = built;
  const app = template.toJSON().Resources[stack.getLogicalId(analytics.application)];
  expect(app.Properties.ApplicationName).toBeUndefined();
  expect(app.Properties.RuntimeEnvironment).toBe('FLINK-2_2');
  const config = app.Properties.ApplicationConfiguration;
  expect(config.ApplicationCodeConfiguration.CodeContentType).toBe('ZIPFILE');
  expect(config.ApplicationCodeConfiguration.CodeContent.S3ContentLocation.FileKey).toMatch(/^[0-9a-f]{64}\.jar$/);
  expect(config.VpcConfigurations).toEqual([
    {
      SubnetIds: stack.resolve(vpc.isolatedSubnets.map((s) => s.subnetId)),
      SecurityGroupIds: [stack.resolve(cluster.securityGroup.securityGroupId)],
    },
  ]);
  expect(app.DeletionPolicy).toBe('Delete');
});

test("checkpoints, snapshots and parallelism come from the stage; the job's settings are its LogAnalytics property group", () => {
  const { template, stack, analytics, cluster } = built;
  const config = template.toJSON().Resources[stack.getLogicalId(analytics.application)].Properties.ApplicationConfiguration;
  expect(config.ApplicationSnapshotConfiguration).toEqual({ SnapshotsEnabled: true });
  expect(config.FlinkApplicationConfiguration.CheckpointConfiguration).toEqual({
    ConfigurationType: 'CUSTOM',
    CheckpointingEnabled: true,
    CheckpointInterval: 30_000,
    MinPauseBetweenCheckpoints: 5_000,
  });
  expect(config.FlinkApplicationConfiguration.ParallelismConfiguration).toEqual({
    ConfigurationType: 'CUSTOM',
    Parallelism: 1,
    ParallelismPerKPU: 1,
    AutoScalingEnabled: true,
  });
  expect(config.EnvironmentProperties.PropertyGroups).toEqual([
    {
      PropertyGroupId: 'LogAnalytics',
      PropertyMap: {
        bootstrap: stack.resolve(cluster.bootstrapBrokers),
        security: 'msk-iam',
        'records-topic': 'log-records',
        'output-topic': 'log-analytics',
        'group-id': 'log-analytics-flink',
        'checkpoint-interval-ms': '30000',
      },
    },
  ]);
});

test("its log goes to an encrypted group with the stage's retention, through a logging option on the application", () => {
  const { template, key, analytics, stack } = built;
  expectLogGroup(template, analytics.logGroup, { encryptionKey: key, retentionDays: 90, removalPolicy: cdk.RemovalPolicy.RETAIN });
  template.hasResourceProperties('AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption', {
    ApplicationName: { Ref: stack.getLogicalId(analytics.application) },
    CloudWatchLoggingOption: { LogStreamARN: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
  });
});

test("MSF may assume the role only for this account's resources (its confused-deputy conditions)", () => {
  const { template, stack, analytics } = built;
  const trust =
    template.toJSON().Resources[stack.getLogicalId(analytics.role.node.defaultChild as cdk.CfnElement)].Properties.AssumeRolePolicyDocument;
  expect(trust.Statement).toEqual([
    {
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'kinesisanalytics.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':kinesisanalytics:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*'],
            ],
          },
        },
      },
    },
  ]);
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

test("the stamp hash is the one scripts/flink-jar.sh writes for the project's job", () => {
  const stamp = path.join(FLINK_MODULE, 'target', '.sources.sha256');
  expect(fs.readFileSync(stamp, 'utf8').trim()).toBe(flinkSourcesHash());
});

test('cdk-nag AwsSolutions: no unacknowledged finding on the application, its role and its log group', () => {
  const app = projectApp();
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let failure = '';
  try {
    buildRealtime(STAGE_CONFIGS.prod.realtime, app);
  } catch (error) {
    failure = String(error);
  }
  // Findings of the test's own VPC and key are not this construct's: only lines naming Realtime count.
  const lines = failure.split('\n');
  expect(lines.flatMap((line, i) => (line.includes('/Realtime/') ? lines.slice(i - 1, i + 1) : []))).toEqual([]);
});
