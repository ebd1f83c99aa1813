import * as cdk from 'aws-cdk-lib';
import { RUNNER_ACTIONS, RUNNER_RESOURCE_TYPE } from '../../../lib/constructs/realtime';
import { QUERY_INTERVAL_SECONDS, TOTAL_TIMEOUT_MINUTES } from '../../../lambda/realtime-runner/runner';
import { expectLogGroup, logicalIdOf, resourceOf } from '../../helpers/constructs';
import { text } from '../../deploy/wiring';
import { buildRealtime } from './realtime-fixture';

const built = buildRealtime();
const { template, stack, analytics, key } = built;
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }
>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const appId = stack.getLogicalId(analytics.application);
const APP_ARN = `arn:\${AWS::Partition}:kinesisanalytics:\${AWS::Region}:\${AWS::AccountId}:application/\${Ref:${appId}}`;

/** Every statement of the policies attached to a role, by the role's logical ID. */
function statementsOf(roleId: string): Array<{ Action: string | string[]; Resource: unknown; Effect: string }> {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap(
      ([, p]) =>
        (p.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown; Effect: string }> }).Statement,
    );
}

test('one runner resource, after the application and its logging option, naming the application and its log group', () => {
  const runners = ofType(RUNNER_RESOURCE_TYPE);
  expect(runners.map(([id]) => id)).toEqual([stack.getLogicalId(analytics.runner.resource.node.defaultChild as cdk.CfnElement)]);
  const [, runner] = runners[0];
  const [[loggingId]] = ofType('AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption');
  expect(runner.DependsOn).toEqual(expect.arrayContaining([appId, loggingId]));
  expect(runner.Properties).toEqual({
    ServiceToken: stack.resolve(analytics.runner.provider.serviceToken),
    ApplicationName: { Ref: appId },
    LogGroupName: { Ref: logicalIdOf(analytics.logGroup) },
  });
});

test("the runner's roles may act on this application's ARN only, each its four calls", () => {
  for (const [fn, actions] of [
    [analytics.runner.onEventFunction, RUNNER_ACTIONS.onEvent],
    [analytics.runner.isCompleteFunction, RUNNER_ACTIONS.isComplete],
  ] as const) {
    const msf = statementsOf(logicalIdOf(fn.role)).filter((s) => [s.Action].flat().some((a) => a.startsWith('kinesisanalytics:')));
    expect(msf.map((s) => ({ actions: [s.Action].flat().sort(), resource: text(s.Resource) }))).toEqual([
      { actions: [...actions].sort(), resource: APP_ARN },
    ]);
  }
  for (const actions of [RUNNER_ACTIONS.onEvent, RUNNER_ACTIONS.isComplete]) {
    expect(actions).toEqual([
      'kinesisanalytics:DescribeApplication',
      'kinesisanalytics:ListApplicationSnapshots',
      'kinesisanalytics:StartApplication',
      'kinesisanalytics:StopApplication',
    ]);
  }
  // No other role of the template is given any Managed Service for Apache Flink action.
  const granted = ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('"kinesisanalytics:'));
  expect(granted).toHaveLength(2);
});

test('both functions run the one bundle, each its own export; the provider polls every 30 s for 30 minutes', () => {
  expect(resourceOf(template, analytics.runner.onEventFunction.function).Properties.Handler).toBe('index.onEvent');
  expect(resourceOf(template, analytics.runner.isCompleteFunction.function).Properties.Handler).toBe('index.isComplete');
  const [[, machine]] = ofType('AWS::StepFunctions::StateMachine');
  const definition = JSON.stringify(machine.Properties.DefinitionString);
  expect(QUERY_INTERVAL_SECONDS).toBe(30);
  expect(TOTAL_TIMEOUT_MINUTES).toBe(30);
  expect(definition).toContain('\\"IntervalSeconds\\":30');
  expect(definition).toContain('\\"MaxAttempts\\":60');
});

test("Step Functions may assume the waiter's role only for this account's state machines", () => {
  const [[, role]] = ofType('AWS::IAM::Role').filter(([, r]) =>
    JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('states.amazonaws.com'),
  );
  expect(role.Properties.AssumeRolePolicyDocument).toEqual({
    Version: '2012-10-17',
    Statement: [
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'states.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':stateMachine:*'],
              ],
            },
          },
        },
      },
    ],
  });
});

test("the framework's functions log to one encrypted group and their roles carry no AWS managed policy", () => {
  expectLogGroup(template, analytics.runner.frameworkLogGroup, {
    encryptionKey: key,
    retentionDays: 90,
    removalPolicy: cdk.RemovalPolicy.RETAIN,
  });
  const runnerRoles = ofType('AWS::IAM::Role').filter(([id]) => id.startsWith('RealtimeRunner'));
  expect(runnerRoles.length).toBe(5); // onEvent, isComplete, the framework's two, the waiter's
  expect(runnerRoles.filter(([, r]) => r.Properties.ManagedPolicyArns !== undefined)).toEqual([]);
  const frameworkFunctions = ofType('AWS::Lambda::Function').filter(([id]) => id.startsWith('RealtimeRunnerProviderframework'));
  expect(frameworkFunctions).toHaveLength(3);
  for (const [, fn] of frameworkFunctions) {
    expect(fn.Properties.LoggingConfig).toEqual({
      ApplicationLogLevel: 'INFO',
      LogFormat: 'JSON',
      LogGroup: { Ref: logicalIdOf(analytics.runner.frameworkLogGroup) },
    });
  }
});
