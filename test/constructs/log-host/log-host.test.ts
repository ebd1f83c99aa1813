import { TEST_HOST_IMAGES } from '../../helpers/app';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { LogHost, type HostConfig } from '../../../lib/constructs/log-host';
import { ConfigError } from '../../../lib/problems';
import { projectApp } from '../../helpers/app';
import { actionsOf, asArray, expectNoWildcardActions, resourcesOf, roleId, roleStatements } from '../../helpers/iam';
import { DEV_HOST, PROD_HOST, hostStack } from './fixtures';

/** Statements that reach the host's role. */
const hostRoleStatements = (template: Template) =>
  roleStatements(template, roleId(template, { Description: Match.stringLikeRegexp('^Log host') }));
const SESSION_MANAGER_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];

describe.each([
  ['dev', DEV_HOST],
  ['prod', PROD_HOST],
])('%s: log host', (stage, config) => {
  const { template, data } = hostStack(config);
  const dataTemplate = Template.fromStack(data);
  const streamId = Object.keys(dataTemplate.findResources('AWS::Kinesis::Stream'))[0];
  const keyId = Object.keys(dataTemplate.findResources('AWS::KMS::Key'))[0];

  test('no IAM user, access key or AWS managed policy anywhere in the stack', () => {
    template.resourceCountIs('AWS::IAM::User', 0);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      const managed = JSON.stringify(role.Properties.ManagedPolicyArns ?? []);
      // Only CDK's own custom resource (restricting the default security group) uses Lambda's basic role.
      expect(managed === '[]' || managed.includes('AWSLambdaBasicExecutionRole')).toBe(true);
    }
  });

  test('no wildcard actions: no "*", no service:* (kinesis:*, s3:*, ...)', () => {
    expectNoWildcardActions(template);
  });

  test("the host role: exactly these statements, each scoped to this stack's resources", () => {
    const statements = hostRoleStatements(template);
    const resource = (action: string) => resourcesOf(statements, action);
    // Kinesis: put records into this stream only.
    const streamArn = JSON.stringify(resource('kinesis:PutRecords'));
    expect(streamArn).toContain(streamId);
    expect(resource('kinesis:PutRecord')).toEqual(resource('kinesis:PutRecords'));
    // KMS: encrypt with the stream's key only.
    expect(JSON.stringify(resource('kms:GenerateDataKey*'))).toContain(keyId);
    expect(statements.some((s) => asArray(s.Action).includes('kms:Decrypt'))).toBe(false);
    // CloudWatch Logs: the agent's group only, no group creation.
    expect(resource('logs:PutLogEvents')).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^LogHostAgentLogs/), 'Arn'] }]);
    expect(statements.some((s) => asArray(s.Action).includes('logs:CreateLogGroup'))).toBe(false);
    // CloudFormation: signal this stack only.
    expect(resource('cloudformation:SignalResource')).toEqual([{ Ref: 'AWS::StackId' }]);

    const allActions = actionsOf(statements);
    const generatorRead = config.demoGenerator.enabled ? ['s3:GetObject'] : [];
    // Every stage ships something to the Kafka topic (dev's demo files, prod's access log).
    const kafkaWrite = ['kafka-cluster:Connect', 'kafka-cluster:WriteData'];
    expect(allActions).toEqual(
      [
        'kinesis:ListShards',
        'kinesis:PutRecord',
        'kinesis:PutRecords',
        'kms:Encrypt',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'cloudformation:SignalResource',
        ...SESSION_MANAGER_ACTIONS,
        ...generatorRead,
        ...kafkaWrite,
      ].sort(),
    );
    // '*' only for the Session Manager actions, which have no resource-level permissions.
    for (const statement of statements) {
      if (JSON.stringify(statement.Resource).includes('"*"')) {
        expect(asArray(statement.Action).sort()).toEqual([...SESSION_MANAGER_ACTIONS].sort());
      }
    }
  });

  test('the generator bundle is readable as that one object, not the assets bucket', () => {
    const reads = hostRoleStatements(template).filter((s) => asArray(s.Action).includes('s3:GetObject'));
    if (!config.demoGenerator.enabled) {
      expect(reads).toEqual([]);
      return;
    }
    expect(reads).toHaveLength(1);
    const arn = JSON.stringify(reads[0].Resource);
    expect(arn).toMatch(/\/[0-9a-f]{64}\.js"\]\]\}$/);
  });

  test('IMDSv2 required, hop limit 1, detailed monitoring, no key pair', () => {
    template.hasResourceProperties('AWS::EC2::Instance', {
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
      Monitoring: true,
      KeyName: Match.absent(),
    });
  });

  test('the root volume is encrypted gp3', () => {
    template.hasResourceProperties('AWS::EC2::Instance', {
      BlockDeviceMappings: [
        {
          DeviceName: '/dev/xvda',
          Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: config.rootVolumeGiB, DeleteOnTermination: true },
        },
      ],
    });
  });

  test('no inbound rule at all; outbound HTTPS, and Kafka to the brokers only', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    expect(Object.keys(groups)).toHaveLength(1);
    const [hostGroupId] = Object.keys(groups);
    for (const group of Object.values(groups)) {
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
      expect(group.Properties.SecurityGroupEgress).toEqual([
        { CidrIp: '0.0.0.0/0', Description: 'HTTPS to AWS APIs and package repositories', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
      ]);
    }
    // The one ingress rule of the stack admits the host into the brokers' group, never into the host's.
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(ingress).toHaveLength(1);
    expect(JSON.stringify(ingress[0].GroupId)).not.toContain(hostGroupId);
    expect(ingress[0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 9098,
      ToPort: 9098,
      SourceSecurityGroupId: { 'Fn::GetAtt': [hostGroupId, 'GroupId'] },
    });
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties);
    expect(egress).toHaveLength(1);
    expect(egress[0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 9098,
      ToPort: 9098,
      GroupId: { 'Fn::GetAtt': [hostGroupId, 'GroupId'] },
    });
    expect(egress[0].CidrIp).toBeUndefined();
  });

  test('reachable through Session Manager: instance profile with the session actions', () => {
    template.resourceCountIs('AWS::IAM::InstanceProfile', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: SESSION_MANAGER_ACTIONS, Resource: '*' }] },
    });
    template.hasOutput('LogHostInstanceId', { Description: Match.stringLikeRegexp('aws ssm start-session --target') });
  });

  test(`termination protection ${stage === 'prod' ? 'on' : 'off'}`, () => {
    template.hasResourceProperties('AWS::EC2::Instance', { DisableApiTermination: stage === 'prod' });
  });

  test(
    stage === 'dev'
      ? 'latest AL2023 for the architecture, by public SSM parameter at each deploy'
      : 'the AMI pinned per region, and a rule that refuses a region without a pin',
    () => {
      const json = template.toJSON();
      const imageId = Object.values(template.findResources('AWS::EC2::Instance'))[0].Properties.ImageId;
      const parameters = (json.Parameters ?? {}) as Record<string, { Type: string; Default: string }>;
      const ssm = Object.values(parameters).find((p) => p.Default?.startsWith('/aws/service/ami-amazon-linux-latest/'));
      if (stage === 'dev') {
        expect(ssm).toEqual({
          Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
          Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
        });
        return;
      }
      expect(ssm).toBeUndefined();
      const [mapping, , key] = imageId['Fn::FindInMap'];
      expect(
        Object.fromEntries(
          Object.entries(json.Mappings[mapping]).map(([region, value]) => [region, (value as Record<string, string>)[key]]),
        ),
      ).toEqual(TEST_HOST_IMAGES);
      expect(json.Rules.HostImagePinned.Assertions[0].Assert).toEqual({
        'Fn::Contains': [Object.keys(TEST_HOST_IMAGES).sort(), { Ref: 'AWS::Region' }],
      });
      expect(json.Rules.HostImagePinned.Assertions[0].AssertDescription).toContain(
        'aws ssm get-parameter --region <this region> --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
      );
    },
  );

  test('the stack waits for the first boot to report the agent running', () => {
    template.hasResource('AWS::EC2::Instance', { CreationPolicy: { ResourceSignal: { Count: 1, Timeout: 'PT20M' } } });
  });

  test('the agent log group has retention, the data key, and error/warning metrics', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14, KmsKeyId: Match.anyValue() });
    template.resourceCountIs('AWS::Logs::MetricFilter', 2);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.level = "error" }',
      MetricTransformations: [{ MetricName: 'AgentErrors', MetricNamespace: 'LogPipeline/TestHost', MetricValue: '1', DefaultValue: 0 }],
    });
  });

  test('construct IDs of the host and its log groups are stable (renaming one replaces the host or loses logs)', () => {
    const ids = Object.keys(template.toJSON().Resources);
    expect(ids).toEqual(expect.arrayContaining(['LogHostInstance35EE2BAB', 'LogHostAgentLogs82BF1A72']));
  });

  test('no VPC of its own: the host sits in the shared network, in the subnet the config names', () => {
    template.resourceCountIs('AWS::EC2::VPC', 0);
    const instance = Object.values(template.findResources('AWS::EC2::Instance'))[0];
    const subnetImport = JSON.stringify(instance.Properties.SubnetId);
    expect(subnetImport).toContain(config.subnet === 'public' ? 'NetworkVpcpublicSubnet1' : 'NetworkVpcprivateSubnet1');
  });
});

describe('LogHost config errors stop synth', () => {
  function build(config: HostConfig): () => LogHost {
    const app = projectApp();
    const stack = new cdk.Stack(app, 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const stream = new kinesis.Stream(stack, 'Stream');
    return () => new LogHost(stack, 'Host', { vpc, stream, config });
  }

  test('too many files for 16 KiB of user data', () => {
    const logFiles = Array.from({ length: 40 }, (_, i) => ({
      path: `/var/log/app-${i}/service-with-a-long-name.log`,
      format: 'json' as const,
    }));
    const noDemo = { ...DEV_HOST, demoGenerator: { enabled: false, linesPerSecond: 5 } };
    expect(build({ ...noDemo, logFiles })).toThrow(ConfigError);
    expect(build({ ...noDemo, logFiles })).toThrow(/user data would be about \d+ bytes, over EC2's limit of 16384: ship fewer files/);
  });
});
