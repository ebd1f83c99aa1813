import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Network, type NetworkConfig } from '../../../lib/constructs/network';
import { networkConfigProblems } from '../../../lib/constructs/network/network-config';
import { Problems } from '../../../lib/problems';
import { freshStack } from '../../helpers/constructs';

const CONFIG: NetworkConfig = {
  availabilityZones: 3,
  publicSubnets: true,
  privateEgress: 'nat-gateway',
  cidr: '10.7.0.0/16',
  availabilityZoneIds: ['use1-az1', 'use1-az2', 'use1-az4'],
};

describe('Network with availabilityZoneIds', () => {
  const stack = freshStack();
  const network = new Network(stack, 'Network', { config: CONFIG, encryptionKey: new kms.Key(stack, 'Key') });
  // A consumer that takes a zone name from the VPC, as the log host's instance does.
  const instance = new ec2.Instance(stack, 'Host', {
    vpc: network.vpc,
    vpcSubnets: network.publicSubnets,
    instanceType: new ec2.InstanceType('t4g.small'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
  });
  const template = Template.fromStack(stack);
  const subnets = template.findResources('AWS::EC2::Subnet');

  test('every subnet is placed by zone ID, in order, and names no zone', () => {
    const byZone = new Map<string, number>();
    for (const subnet of Object.values(subnets)) {
      expect(subnet.Properties.AvailabilityZone).toBeUndefined();
      byZone.set(subnet.Properties.AvailabilityZoneId, (byZone.get(subnet.Properties.AvailabilityZoneId) ?? 0) + 1);
    }
    expect(Object.fromEntries(byZone)).toEqual({ 'use1-az1': 2, 'use1-az2': 2, 'use1-az4': 2 });
  });

  test("a consumer of a zone name gets the zone its subnet is in (the private subnet of that zone's Fn::GetAtt AvailabilityZone)", () => {
    const host = Object.values(template.findResources('AWS::EC2::Instance'))[0].Properties;
    const [logicalId, attribute] = host.AvailabilityZone['Fn::GetAtt'];
    expect(attribute).toBe('AvailabilityZone');
    expect(subnets[logicalId].Properties.AvailabilityZoneId).toBe('use1-az1');
    expect(stack.resolve((instance.node.defaultChild as ec2.CfnInstance).subnetId)).toEqual({
      Ref: expect.stringMatching(/publicSubnet1/),
    });
  });
});

test('isolated private subnets (interface endpoints) are placed by zone ID too', () => {
  const stack = freshStack();
  new Network(stack, 'Network', {
    config: { ...CONFIG, availabilityZones: 2, privateEgress: 'interface-endpoints', availabilityZoneIds: ['euw1-az3', 'euw1-az1'] },
    encryptionKey: new kms.Key(stack, 'Key'),
  });
  const subnets = Object.values(Template.fromStack(stack).findResources('AWS::EC2::Subnet')).map((s) => s.Properties);
  expect(subnets.map((s) => s.AvailabilityZoneId).sort()).toEqual(['euw1-az1', 'euw1-az1', 'euw1-az3', 'euw1-az3']);
  expect(subnets.every((s) => s.AvailabilityZone === undefined)).toBe(true);
});

describe('network.availabilityZoneIds validation', () => {
  const problemsOf = (config: NetworkConfig) => {
    const problems = new Problems();
    networkConfigProblems(config, problems);
    return problems.list;
  };

  test('one distinct zone ID per zone passes; a wrong count, a zone name or a repeat is refused with what to run', () => {
    expect(problemsOf(CONFIG)).toEqual([]);
    for (const ids of [
      ['use1-az1', 'use1-az2'],
      ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      ['use1-az1', 'use1-az1', 'use1-az2'],
    ]) {
      expect(problemsOf({ ...CONFIG, availabilityZoneIds: ids })).toEqual([
        `network.availabilityZoneIds must list 3 distinct zone IDs such as use1-az1, one per network.availabilityZones (got ${JSON.stringify(ids)}); list yours with aws ec2 describe-availability-zones --query 'AvailabilityZones[].ZoneId'`,
      ]);
    }
  });
});
