import { ConfigError } from '../../../lib/problems';
import { HOST_IMAGES_CONTEXT, hostImagePinProblems } from '../../../lib/constructs/log-host';
import { PROD_HOST, hostStack } from './fixtures';

const PIN_COMMAND =
  'aws ssm get-parameter --region eu-central-1 --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 --query Parameter.Value --output text';

describe("the prod host's pinned image", () => {
  test('a region known at synth without a pin is a synth error that says how to pin it', () => {
    expect(() => hostStack(PROD_HOST, { env: { account: '123456789012', region: 'eu-central-1' } })).toThrow(ConfigError);
    expect(() => hostStack(PROD_HOST, { env: { account: '123456789012', region: 'eu-central-1' } })).toThrow(PIN_COMMAND);
  });

  test('a region known at synth with a pin runs exactly that image, with no deploy-time parameter', () => {
    const { template } = hostStack(PROD_HOST, {
      env: { account: '123456789012', region: 'eu-central-1' },
      hostImages: { 'eu-central-1': 'ami-0123456789abcdef0' },
    });
    template.hasResourceProperties('AWS::EC2::Instance', { ImageId: 'ami-0123456789abcdef0' });
    expect(Object.keys(template.toJSON().Parameters ?? {}).filter((name) => name.startsWith('SsmParameterValue'))).toEqual([]);
  });

  test('with no pin at all (a fresh clone), the environment-agnostic template synthesizes and refuses every region at deploy', () => {
    const { template } = hostStack(PROD_HOST, { hostImages: {} });
    const rule = template.toJSON().Rules.HostImagePinned.Assertions[0];
    expect(rule.Assert).toEqual({ 'Fn::Contains': [['(no region pinned)'], { Ref: 'AWS::Region' }] });
    expect(rule.AssertDescription).toContain(`under context "${HOST_IMAGES_CONTEXT}"`);
  });

  test('the context value must map region names to AMI ids', () => {
    expect(hostImagePinProblems(undefined)).toEqual([]);
    expect(hostImagePinProblems({ 'eu-west-1': 'ami-0123456789abcdef0', 'us-east-1': 'ami-12345678' })).toEqual([]);
    expect(hostImagePinProblems(['ami-0123456789abcdef0'])).toEqual([
      `${HOST_IMAGES_CONTEXT} must be an object of region to AMI id, e.g. {"eu-west-1": "ami-0123456789abcdef0"} (got ["ami-0123456789abcdef0"])`,
    ]);
    expect(hostImagePinProblems({ europe: 'ami-0123456789abcdef0', 'eu-west-1': 'al2023' })).toEqual([
      `${HOST_IMAGES_CONTEXT} keys must be region names such as eu-west-1 (got 'europe')`,
      `${HOST_IMAGES_CONTEXT}.eu-west-1 must be an AMI id such as ami-0123456789abcdef0 (got "al2023")`,
    ]);
  });
});
