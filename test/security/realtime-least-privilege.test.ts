/**
 * The stream analytics application's role, statement by statement: it may read its records topic, write its output
 * topic, use its own group and transactional ids, read its jar, write its own log stream, put metrics only in MSF's
 * namespace, and manage the ENIs AWS's VPC policy for MSF names; nothing else, and no wildcard action.
 */
import { attachedStatements, expectNoWildcardActions, putMetricDataNamespaces, type Statement } from '../helpers/iam';
import { buildRealtime } from '../constructs/realtime/realtime-fixture';

const { template, stack, analytics } = buildRealtime();
const roleRef = { Ref: stack.getLogicalId(analytics.role.node.defaultChild as never) };
const statements: Statement[] = attachedStatements(template)
  .filter(({ roles }) => roles.some((r) => JSON.stringify(r) === JSON.stringify(roleRef)))
  .map(({ statement }) => statement);
const text = (v: unknown) => JSON.stringify(stack.resolve(v));
const grants = statements.map((s) => ({
  actions: ([] as string[]).concat(s.Action as string | string[]).sort(),
  resource: text(s.Resource),
}));
const actionsWhere = (match: RegExp) =>
  grants
    .filter((g) => match.test(g.resource))
    .flatMap((g) => g.actions)
    .sort();

test('Kafka: read the records topic, write the output topic, its group and its transactional ids; the logs topic not at all', () => {
  expect(actionsWhere(/topic\/[^"]*\/\*\/log-records"/)).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData']);
  expect(actionsWhere(/topic\/[^"]*\/\*\/log-analytics"/)).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']);
  expect(actionsWhere(/topic\/[^"]*\/\*\/logs"/)).toEqual([]);
  expect(actionsWhere(/group\/[^"]*\/\*\/log-analytics-flink"/)).toEqual(['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup']);
  expect(actionsWhere(/transactional-id\/[^"]*\/\*\/log-analytics-flink\*"/)).toEqual([
    'kafka-cluster:AlterTransactionalId',
    'kafka-cluster:DescribeTransactionalId',
  ]);
});

test('every action of the role (DescribeTopic once per topic), and no wildcard action', () => {
  expectNoWildcardActions(template);
  expect(grants.flatMap((g) => g.actions).sort()).toEqual([
    'cloudwatch:PutMetricData',
    'ec2:CreateNetworkInterface',
    'ec2:CreateNetworkInterfacePermission',
    'ec2:DeleteNetworkInterface',
    'ec2:DescribeDhcpOptions',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcs',
    'kafka-cluster:AlterGroup',
    'kafka-cluster:AlterTransactionalId',
    'kafka-cluster:Connect',
    'kafka-cluster:DescribeClusterDynamicConfiguration',
    'kafka-cluster:DescribeGroup',
    'kafka-cluster:DescribeTopic',
    'kafka-cluster:DescribeTopic',
    'kafka-cluster:DescribeTransactionalId',
    'kafka-cluster:ReadData',
    'kafka-cluster:WriteData',
    'kafka-cluster:WriteDataIdempotently',
    'logs:DescribeLogGroups',
    'logs:DescribeLogStreams',
    'logs:PutLogEvents',
    's3:GetObject',
    's3:GetObjectVersion',
  ]);
});

test("metrics only in AWS/KinesisAnalytics; logs only to its own stream; the jar's one object", () => {
  expect(putMetricDataNamespaces(statements)).toEqual(['AWS/KinesisAnalytics']);
  const logGroup = text(analytics.logGroup.logGroupName);
  expect(grants.find((g) => g.actions.includes('logs:PutLogEvents'))!.resource).toContain(':log-stream:');
  expect(grants.find((g) => g.actions.includes('logs:PutLogEvents'))!.resource).toContain(logGroup.slice(1, -1));
  expect(grants.find((g) => g.actions.includes('s3:GetObject'))!.resource).toMatch(/[0-9a-f]{64}\.jar/);
});

test("ENI permissions and deletes only on this account and region's network interfaces (checkov CKV_AWS_109: no permissions management on *)", () => {
  const scoped = grants.filter((g) => g.actions.includes('ec2:CreateNetworkInterfacePermission'));
  expect(scoped).toHaveLength(1);
  expect(scoped[0].actions).toEqual(['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface']);
  expect(scoped[0].resource).toMatch(/:ec2:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":network-interface\/\*"/);
  expect(grants.filter((g) => g.resource === '"*"').flatMap((g) => g.actions)).not.toContain('ec2:DeleteNetworkInterface');
});
