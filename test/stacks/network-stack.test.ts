import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_CONFIGS } from '../../lib/config';
import { synthStage } from '../helpers/app';

describe.each(['dev', 'prod'] as const)('%s: network stack', (stage) => {
  const { templates } = synthStage(stage);
  const network = templates.network;
  const config = STAGE_CONFIGS[stage].network;
  const ids = (type: string) => Object.keys(network.findResources(type)).sort();

  test('the VPC and its flow log group keep their logical IDs (renaming one replaces the VPC under the host and the brokers)', () => {
    expect(ids('AWS::EC2::VPC')).toEqual(['NetworkVpc7FB7348F']);
    expect(ids('AWS::Logs::LogGroup')).toEqual(['NetworkFlowLogs2BEC3212']);
  });

  test('a private subnet in every AZ (MSK brokers need one per AZ), public subnets where the stage has them', () => {
    const subnets = Object.values(network.findResources('AWS::EC2::Subnet'));
    expect(subnets.filter((s) => s.Properties.MapPublicIpOnLaunch === false)).toHaveLength(config.availabilityZones);
    expect(subnets.filter((s) => s.Properties.MapPublicIpOnLaunch === true)).toHaveLength(
      config.publicSubnets ? config.availabilityZones : 0,
    );
    expect(config.availabilityZones).toBeGreaterThanOrEqual(2);
  });

  test('every flow is logged to the encrypted flow log group', () => {
    network.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    network.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: Match.anyValue(),
      RetentionInDays: STAGE_CONFIGS[stage].logRetentionDays,
    });
  });

  test('the default security group is stripped of its rules', () => {
    network.hasResourceProperties('Custom::VpcRestrictDefaultSG', { DefaultSecurityGroupId: Match.anyValue() });
  });

  test(`private subnets reach AWS APIs through ${config.privateEgress}`, () => {
    network.resourceCountIs('AWS::EC2::NatGateway', config.privateEgress === 'nat-gateway' ? 1 : 0);
    const endpoints = Object.values(network.findResources('AWS::EC2::VPCEndpoint'));
    if (config.privateEgress === 'interface-endpoints') {
      const services = endpoints.map((e) => JSON.stringify(e.Properties.ServiceName));
      for (const service of ['lambda', 'sts', 's3']) expect(services.some((s) => s.includes(`.${service}`))).toBe(true);
      const interfaces = endpoints.filter((e) => e.Properties.VpcEndpointType === 'Interface');
      expect(interfaces).toHaveLength(2);
      for (const endpoint of interfaces) expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
    } else {
      // The S3 gateway endpoint alone (every stage has it: the Kafka mapping's on-failure destination).
      expect(endpoints.map((e) => e.Properties.VpcEndpointType)).toEqual(['Gateway']);
    }
  });

  test('the host stack uses this VPC and has none of its own', () => {
    templates.host.resourceCountIs('AWS::EC2::VPC', 0);
    const sg = Object.values(templates.host.findResources('AWS::EC2::SecurityGroup'))[0];
    expect(JSON.stringify(sg.Properties.VpcId)).toContain('NetworkVpc7FB7348F');
  });
});
