/**
 * AWS's rule: a function attached to a VPC needs, in its execution role, the network-interface actions Lambda
 * manages its Hyperplane ENIs with: ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces (which "only
 * works if it's allowed on all resources"), ec2:DeleteNetworkInterface, ec2:AssignPrivateIpAddresses and
 * ec2:UnassignPrivateIpAddresses ("Required IAM permissions", Giving Lambda functions access to resources in an
 * Amazon VPC, https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html). The project's roles carry
 * no managed policy (PipelineFunction), so each VPC function's role must hold them itself.
 *
 * Checked over both stages' templates (prod's Kafka consumer publishes to a records topic, so it runs in the
 * VPC; dev has no VPC function), and over the consumer fixture with a records topic.
 */
import { buildConsumer } from '../constructs/kafka/kafka-consumer-fixture';
import { REALTIME_TOPICS } from '../../contracts/realtime';
import { STAGE_CONFIGS } from '../../lib/config';
import type { CfnTemplate } from './cfn-template';
import { allResources, STAGES, stageTemplates, type StageTemplates } from './redeploy-templates';

const REQUIRED = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Per function with a VpcConfig: the required actions its role's policies do not allow (DescribeNetworkInterfaces only on "*"). */
function missingVpcPermissions(templates: StageTemplates): { functions: number; problems: string[] } {
  const resources = allResources(templates);
  const vpcFunctions = resources.filter(
    (r) => r.resource.Type === 'AWS::Lambda::Function' && r.resource.Properties?.VpcConfig !== undefined,
  );
  const problems: string[] = [];
  for (const fn of vpcFunctions) {
    const role = JSON.stringify(fn.resource.Properties?.Role);
    const roleId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(role)?.[1];
    const statements = resources
      .filter((r) => r.stack === fn.stack && r.resource.Type === 'AWS::IAM::Policy')
      .filter((r) => JSON.stringify(r.resource.Properties?.Roles).includes(`"Ref":"${roleId}"`))
      .flatMap((r) => (r.resource.Properties?.PolicyDocument as { Statement: PolicyStatement[] }).Statement)
      .filter((s) => s.Effect === 'Allow');
    for (const action of REQUIRED) {
      const allowing = statements.filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(action));
      const ok = action === 'ec2:DescribeNetworkInterfaces' ? allowing.some((s) => s.Resource === '*') : allowing.length > 0;
      if (!ok) problems.push(`${fn.stack}/${fn.id} (role ${roleId}) lacks ${action}`);
    }
  }
  return { functions: vpcFunctions.length, problems };
}

describe.each(STAGES)('%s: Lambda functions in the VPC', (stage) => {
  test("each VPC function's role allows Lambda's network-interface actions (the consumer is one where realtime is on)", () => {
    const { functions, problems } = missingVpcPermissions(stageTemplates(stage));
    expect(functions).toBe(STAGE_CONFIGS[stage].realtime.enabled ? 1 : 0);
    expect(problems).toEqual([]);
  });
});

test("the Kafka consumer with a records topic runs in the VPC and its role allows Lambda's network-interface actions", () => {
  const { app } = buildConsumer({ recordsTopic: REALTIME_TOPICS.records });
  const assembly = app.synth();
  const templates: StageTemplates = new Map(assembly.stacks.map((s) => [s.stackName, s.template as CfnTemplate]));
  const { functions, problems } = missingVpcPermissions(templates);
  expect(functions).toBe(1);
  expect(problems).toEqual([]);
});
