/**
 * The log host's image. 'latest' reads AL2023's public SSM parameter at every deploy: a deploy after Amazon
 * publishes a new image replaces the host. 'pinned' takes the AMI id recorded per region in cdk.json
 * (context `logPipeline:hostImages`), so the host changes only when someone changes that id: a replaced
 * instance with termination protection is not deleted by CloudFormation, so it must never happen by surprise.
 */
import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { ConfigError } from '../../problems';

/** cdk.json context key of the pinned images: `{ "<region>": "ami-…" }`. */
export const HOST_IMAGES_CONTEXT = 'logPipeline:hostImages';

/** Pinned AMI ids by region (from HOST_IMAGES_CONTEXT). */
export type HostImagePins = Readonly<Record<string, string>>;

const AMI_ID = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** AL2023's public parameter for an architecture: what the pin is read from, and what 'latest' follows. */
export function al2023Parameter(cpuType: ec2.AmazonLinuxCpuType): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${cpuType === ec2.AmazonLinuxCpuType.ARM_64 ? 'arm64' : 'x86_64'}`;
}

/** The command that prints the current AL2023 image of a region, to pin it. */
export function pinCommand(cpuType: ec2.AmazonLinuxCpuType, region: string): string {
  return `aws ssm get-parameter --region ${region} --name ${al2023Parameter(cpuType)} --query Parameter.Value --output text`;
}

/** Problems of the context value (anything but an object of region → AMI id). */
export function hostImagePinProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [
      `${HOST_IMAGES_CONTEXT} must be an object of region to AMI id, e.g. {"eu-west-1": "ami-0123456789abcdef0"} (got ${JSON.stringify(value)})`,
    ];
  }
  return Object.entries(value).flatMap(([region, ami]) => {
    const problems: string[] = [];
    if (!REGION.test(region)) problems.push(`${HOST_IMAGES_CONTEXT} keys must be region names such as eu-west-1 (got '${region}')`);
    if (typeof ami !== 'string' || !AMI_ID.test(ami))
      problems.push(`${HOST_IMAGES_CONTEXT}.${region} must be an AMI id such as ami-0123456789abcdef0 (got ${JSON.stringify(ami)})`);
    return problems;
  });
}

/**
 * The pinned image for the stack's region. A region known at synth without a pin is a synth error that says
 * how to pin; an environment-agnostic stack maps every pinned region (CloudFormation picks its own at
 * deploy) and carries a rule that refuses the deploy, with the same instruction, in a region without a pin.
 */
export function pinnedHostImage(scope: Construct, pins: HostImagePins, cpuType: ec2.AmazonLinuxCpuType): ec2.IMachineImage {
  const stack = cdk.Stack.of(scope);
  const howTo = (region: string) =>
    `add the region's current Amazon Linux 2023 image to cdk.json under context "${HOST_IMAGES_CONTEXT}" ("${region}": "<ami id>"), the id printed by: ${pinCommand(cpuType, region)}`;
  if (!cdk.Token.isUnresolved(stack.region)) {
    const ami = pins[stack.region];
    if (ami === undefined) {
      throw new ConfigError([`host.image is 'pinned' but no image is pinned for ${stack.region}: ${howTo(stack.region)}`]);
    }
    return ec2.MachineImage.genericLinux({ [stack.region]: ami });
  }
  const regions = Object.keys(pins).sort();
  // CloudFormation evaluates rules before it changes anything ("Template Rules", AWS CloudFormation User Guide,
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html).
  new cdk.CfnRule(stack, 'HostImagePinned', {
    assertions: [
      {
        assert: cdk.Fn.conditionContains(regions.length > 0 ? regions : ['(no region pinned)'], cdk.Aws.REGION),
        assertDescription: `The log host's image is pinned per region and this region has none: ${howTo('<this region>')}`,
      },
    ],
  });
  // With no pin at all the rule refuses every region; the image below is then never deployed.
  return regions.length > 0
    ? ec2.MachineImage.genericLinux(Object.fromEntries(regions.map((region) => [region, pins[region]])))
    : new ec2.AmazonLinux2023ImageSsmParameter({ cpuType, kernel: ec2.AmazonLinux2023Kernel.DEFAULT, cachedInContext: false });
}
