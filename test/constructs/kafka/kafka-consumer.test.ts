/**
 * The consumer's records-topic publishing (KafkaConsumer.recordsTopic) through KafkaConsumerStack, with the
 * cluster in a stack of its own as the app has it: the environment, the VPC placement and its network rules,
 * the produce grant on that topic only, and the Lambda VPC permissions; nothing of it without the prop.
 */
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REALTIME_TOPICS } from '../../../contracts/realtime';
import { MSK_IAM_PORT } from '../../../lib/constructs/kafka';
import { projectApp } from '../../helpers/app';
import { asArray, iamStatements, type Statement } from '../../helpers/iam';
import { buildConsumer, LOG_TOPIC } from './kafka-consumer-fixture';

function consumerFunction(template: Template) {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return functions[0];
}

const actionsOn = (statements: Statement[], pattern: RegExp) =>
  statements.filter((s) => pattern.test(JSON.stringify(s.Resource))).flatMap((s) => asArray(s.Action));

describe('with recordsTopic', () => {
  const built = buildConsumer({ recordsTopic: REALTIME_TOPICS.records });
  const { template, stack, base, cluster, vpc } = built;
  const fn = consumerFunction(template);
  const sg = stack.consumer.securityGroup!;

  test('the function gets the records topic, the SASL/IAM bootstrap brokers and msk-iam', () => {
    expect(fn.Properties.Environment.Variables).toMatchObject({
      RECORDS_TOPIC: 'log-records',
      KAFKA_SECURITY: 'msk-iam',
      KAFKA_BOOTSTRAP_BROKERS: { 'Fn::ImportValue': expect.stringContaining('BootstrapBrokers') },
    });
  });

  test('it runs in the private subnets with a group of its own, which reaches the brokers on 9098 and HTTPS, nothing else', () => {
    expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([stack.resolve(sg.securityGroupId)]);
    expect(fn.Properties.VpcConfig.SubnetIds).toHaveLength(vpc.isolatedSubnets.length);
    expect(JSON.stringify(fn.Properties.VpcConfig.SubnetIds)).toContain('privateSubnet');
    const group = Object.values(template.findResources('AWS::EC2::SecurityGroup'))[0].Properties;
    expect(group.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    expect(group.SecurityGroupIngress).toBeUndefined();
    const brokersGroup = { 'Fn::ImportValue': Match.stringLikeRegexp('KafkaSecurityGroup') };
    // Both rules in the consumer's stack: the brokers' stack does not depend on it.
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: stack.resolve(sg.securityGroupId),
      DestinationSecurityGroupId: brokersGroup,
      FromPort: MSK_IAM_PORT,
      ToPort: MSK_IAM_PORT,
      IpProtocol: 'tcp',
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: brokersGroup,
      SourceSecurityGroupId: stack.resolve(sg.securityGroupId),
      FromPort: MSK_IAM_PORT,
      ToPort: MSK_IAM_PORT,
      IpProtocol: 'tcp',
    });
    expect(JSON.stringify(Template.fromStack(base).toJSON())).not.toContain('Consumer');
    expect(cluster.port).toBe(MSK_IAM_PORT);
  });

  test('it may produce idempotently to the records topic only: Connect and WriteDataIdempotently on the cluster, WriteData on that topic', () => {
    const statements = iamStatements(template);
    const writes = statements.filter((s) => asArray(s.Action).includes('kafka-cluster:WriteData'));
    expect(writes).toHaveLength(1);
    expect(asArray(writes[0].Resource).map((r) => JSON.stringify(r))).toEqual([
      expect.stringMatching(/:topic\/.*\/\*\/log-records"\]\]\}$/),
    ]);
    expect(asArray(writes[0].Action).sort()).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']);
    expect(statements.flatMap((s) => asArray(s.Action))).toContain('kafka-cluster:WriteDataIdempotently');
    const idempotent = statements.find((s) => asArray(s.Action).includes('kafka-cluster:WriteDataIdempotently'))!;
    expect(JSON.stringify(idempotent.Resource)).toContain('KafkaCluster');
    expect(JSON.stringify(idempotent.Resource)).not.toContain(':topic/');
  });

  test("Lambda's VPC permissions: the ENI actions of the mapping's statement, and the address actions on this account's interfaces", () => {
    const statements = iamStatements(template);
    const onAny = statements.filter((s) => s.Resource === '*').flatMap((s) => asArray(s.Action));
    expect(onAny).toEqual(
      expect.arrayContaining([
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeSubnets',
      ]),
    );
    expect(actionsOn(statements, /:network-interface\/\*/).sort()).toEqual([
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ]);
    // The function is created after its role's policy, which holds the actions Lambda attaches it to the VPC with.
    const policies = Object.keys(template.findResources('AWS::IAM::Policy'));
    expect(fn.DependsOn).toEqual(expect.arrayContaining(policies));
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged in the consumer', () => {
    const app = projectApp();
    cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let failure = '';
    try {
      buildConsumer({ recordsTopic: REALTIME_TOPICS.records, app });
    } catch (error) {
      failure = String(error);
    }
    const lines = failure.split('\n');
    expect(lines.flatMap((line, i) => (line.includes('Consumer/Consumer/') ? lines.slice(i - 1, i + 1) : []))).toEqual([]);
  });
});

test('without recordsTopic: no VPC, no group, no Kafka variables, no produce grant', () => {
  const { template, stack } = buildConsumer();
  const fn = consumerFunction(template);
  expect(fn.Properties.VpcConfig).toBeUndefined();
  expect(stack.consumer.securityGroup).toBeUndefined();
  expect(template.findResources('AWS::EC2::SecurityGroup')).toEqual({});
  expect(template.findResources('AWS::EC2::SecurityGroupIngress')).toEqual({});
  expect(Object.keys(fn.Properties.Environment.Variables)).not.toEqual(expect.arrayContaining(['RECORDS_TOPIC']));
  expect(Object.keys(fn.Properties.Environment.Variables).filter((v) => v.startsWith('KAFKA_') || v === 'RECORDS_TOPIC')).toEqual([]);
  const actions = iamStatements(template).flatMap((s) => asArray(s.Action));
  expect(actions.filter((a) => /WriteData|AssignPrivateIpAddresses/.test(a))).toEqual([]);
});

test.each([
  [{ recordsTopic: REALTIME_TOPICS.records, vpc: false }, "recordsTopic 'log-records' needs vpc and vpcSubnets"],
  [
    { recordsTopic: 'no-such-topic' },
    "recordsTopic 'no-such-topic' is not one of the cluster's topics (logs, log-analytics, log-records): add it to kafka.topics",
  ],
  [{ recordsTopic: LOG_TOPIC.name }, "recordsTopic must differ from the topic the consumer reads ('logs')"],
  [
    { recordsTopic: REALTIME_TOPICS.records, recordsPartitions: LOG_TOPIC.partitions - 1 },
    `recordsTopic 'log-records' has ${LOG_TOPIC.partitions - 1} partitions but 'logs' has ${LOG_TOPIC.partitions}: give it at least ${LOG_TOPIC.partitions}`,
  ],
])('refused at synth with what to change: %o', (options, message) => {
  expect(() => buildConsumer(options)).toThrow(message);
});
