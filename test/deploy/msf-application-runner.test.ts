/**
 * The deploy rehearsal, Managed Service for Apache Flink applications:
 *
 * - CloudFormation creates an `AWS::KinesisAnalyticsV2::Application` READY and never starts it ("After creating an
 *   application, you must exclusively call this operation to start your application", StartApplication,
 *   https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_StartApplication.html): every application has a
 *   runner (Custom::RealtimeApplicationRunner) that depends on it and on its logging option, so it starts with
 *   its log attached and stops before the log is detached.
 * - IAM authorizes the runner's calls on the `application` resource type, ARN
 *   arn:${Partition}:kinesisanalytics:${Region}:${Account}:application/${ApplicationName} ("Actions, resources, and
 *   condition keys for Amazon Kinesis Analytics V2", Service Authorization Reference,
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesisanalyticsv2.html): a
 *   grant on any other resource, or of an action without that resource type, is refused on the first call.
 *
 * Checked over both stages' templates (prod deploys the application; dev, with realtime off, does not) and over
 * the RealtimeAnalytics construct's own template, so the rules meet a runner whatever the presets turn on.
 */
import { RUNNER_RESOURCE_TYPE } from '../../lib/constructs/realtime';
import { buildRealtime } from '../constructs/realtime/realtime-fixture';
import type { CfnTemplate } from './cfn-template';
import { allResources, describe_, STAGES, stageTemplates, type StageResource, type StageTemplates } from './redeploy-templates';
import { asArray, text, type Statement } from './wiring';

/** The Kinesis Analytics V2 actions whose resource type is `application` (the reference's Actions table). */
const APPLICATION_ACTIONS = new Set(
  [
    'AddApplicationCloudWatchLoggingOption',
    'AddApplicationInput',
    'AddApplicationInputProcessingConfiguration',
    'AddApplicationOutput',
    'AddApplicationReferenceDataSource',
    'AddApplicationVpcConfiguration',
    'CreateApplicationPresignedUrl',
    'CreateApplicationSnapshot',
    'DeleteApplication',
    'DeleteApplicationCloudWatchLoggingOption',
    'DeleteApplicationInputProcessingConfiguration',
    'DeleteApplicationOutput',
    'DeleteApplicationReferenceDataSource',
    'DeleteApplicationSnapshot',
    'DeleteApplicationVpcConfiguration',
    'DescribeApplication',
    'DescribeApplicationOperation',
    'DescribeApplicationSnapshot',
    'DescribeApplicationVersion',
    'ListApplicationOperations',
    'ListApplicationSnapshots',
    'ListApplicationVersions',
    'ListTagsForResource',
    'RollbackApplication',
    'StartApplication',
    'StopApplication',
    'TagResource',
    'UntagResource',
    'UpdateApplication',
    'UpdateApplicationMaintenanceConfiguration',
  ].map((action) => `kinesisanalytics:${action}`),
);

const APPLICATION = 'AWS::KinesisAnalyticsV2::Application';
const LOGGING_OPTION = 'AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption';

let fixtureTemplate: CfnTemplate | undefined;
/** The construct's template, built once for this file. */
const fixture = (): CfnTemplate => (fixtureTemplate ??= buildRealtime().template.toJSON() as CfnTemplate);

const SOURCES: Array<[string, () => StageTemplates]> = [
  ...STAGES.map((stage): [string, () => StageTemplates] => [`stage ${stage}`, () => stageTemplates(stage)]),
  ['the RealtimeAnalytics construct', () => new Map([['TestStack', fixture()]])],
];

describe.each(SOURCES)('%s: Managed Service for Apache Flink applications', (_name, templatesOf) => {
  const resources = allResources(templatesOf());
  const ofType = (type: string) => resources.filter((r) => r.resource.Type === type);
  const applications = ofType(APPLICATION);
  const runners = ofType(RUNNER_RESOURCE_TYPE);

  test('every application has one runner, which depends on it and on its logging option', () => {
    expect(runners.map((r) => `${r.stack}/${(r.resource.Properties?.ApplicationName as { Ref: string }).Ref}`).sort()).toEqual(
      applications.map((a) => `${a.stack}/${a.id}`).sort(),
    );
    for (const runner of runners) {
      const app = (runner.resource.Properties?.ApplicationName as { Ref: string }).Ref;
      const logging = ofType(LOGGING_OPTION).filter(
        (l) => l.stack === runner.stack && (l.resource.Properties?.ApplicationName as { Ref?: string }).Ref === app,
      );
      expect({ runner: describe_(runner), logging: logging.length }).toEqual({ runner: describe_(runner), logging: 1 });
      expect(asArray(runner.resource.DependsOn)).toEqual(expect.arrayContaining([app, logging[0].id]));
    }
  });

  test('every kinesisanalytics grant is of application actions, on the ARN of an application of its stack', () => {
    const grants = ofType('AWS::IAM::Policy').flatMap((policy: StageResource) =>
      (policy.resource.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.filter(
        (s) => s.Effect === 'Allow' && asArray(s.Action).some((a) => a.toLowerCase().startsWith('kinesisanalytics:')),
      ).map((statement) => ({ policy, statement })),
    );
    // The runner's two functions, and nothing else, call the service.
    expect(grants).toHaveLength(2 * runners.length);
    const appArns = new Set(
      applications.map(
        (a) => `${a.stack}:arn:\${AWS::Partition}:kinesisanalytics:\${AWS::Region}:\${AWS::AccountId}:application/\${Ref:${a.id}}`,
      ),
    );
    for (const { policy, statement } of grants) {
      expect({ policy: describe_(policy), unknown: asArray(statement.Action).filter((a) => !APPLICATION_ACTIONS.has(a)) }).toEqual({
        policy: describe_(policy),
        unknown: [],
      });
      for (const resource of asArray(statement.Resource as unknown[])) {
        expect({ policy: describe_(policy), arn: appArns.has(`${policy.stack}:${text(resource)}`) }).toEqual({
          policy: describe_(policy),
          arn: true,
        });
      }
    }
  });
});

test("the construct's template meets the rules with a runner (so they are exercised whatever the stages turn on)", () => {
  const resources = Object.values(fixture().Resources);
  expect(resources.filter((r) => r.Type === RUNNER_RESOURCE_TYPE)).toHaveLength(1);
  expect(resources.filter((r) => r.Type === APPLICATION)).toHaveLength(1);
});
