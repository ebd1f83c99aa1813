import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Network, PRIVATE_INTERFACE_ENDPOINTS, type NetworkConfig, type NetworkProps } from '../../../lib/constructs/network';
import { expectLogGroup, freshStack, logicalIdOf } from '../../helpers/constructs';

const CONFIG: NetworkConfig = { availabilityZones: 2, publicSubnets: true, privateEgress: 'nat-gateway', cidr: '10.7.0.0/16' };

/** An environment-agnostic stack, as the app's: CDK knows no zone names, CloudFormation picks them at deploy. */
function networkStack(config: Partial<NetworkConfig> = {}, props: Partial<NetworkProps> = {}, stackProps: cdk.StackProps = {}) {
  const stack = freshStack(undefined, 'TestStack', stackProps);
  const key = new kms.Key(stack, 'Key');
  const network = new Network(stack, 'Network', { config: { ...CONFIG, ...config }, encryptionKey: key, ...props });
  return { stack, key, network, template: Template.fromStack(stack) };
}

const subnets = (template: Template, isPublic: boolean) =>
  Object.values(template.findResources('AWS::EC2::Subnet')).filter((s) => s.Properties.MapPublicIpOnLaunch === isPublic);
/** Route tables with a default route, by where it goes (NatGatewayId, GatewayId). */
const defaultRoutes = (template: Template) =>
  Object.values(template.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '0.0.0.0/0' } })).map((r) => r.Properties);

describe('Network with its defaults (2 AZs, public subnets, NAT gateway)', () => {
  const { stack, key, network, template } = networkStack();

  test('exposes the VPC, its flow log group and subnet selections that select one subnet per AZ', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    expect(Object.keys(template.findResources('AWS::EC2::VPC'))).toEqual([logicalIdOf(network.vpc)]);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toEqual([logicalIdOf(network.flowLogGroup)]);
    expect(network.vpc.selectSubnets(network.privateSubnets).subnets).toHaveLength(2);
    expect(network.publicSubnets).toBeDefined();
    expect(network.vpc.selectSubnets(network.publicSubnets).subnets).toHaveLength(2);
    // The selections pick disjoint subnets: a host placed in one is never in the other.
    const privateIds = stack.resolve(network.vpc.selectSubnets(network.privateSubnets).subnetIds);
    const publicIds = stack.resolve(network.vpc.selectSubnets(network.publicSubnets).subnetIds);
    expect(privateIds.filter((id: unknown) => JSON.stringify(publicIds).includes(JSON.stringify(id)))).toEqual([]);
  });

  test('the VPC spans the configured address range', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.7.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true });
  });

  test('one private and one public /24 subnet in each AZ', () => {
    for (const isPublic of [true, false]) {
      const found = subnets(template, isPublic);
      expect(found).toHaveLength(2);
      expect(new Set(found.map((s) => JSON.stringify(s.Properties.AvailabilityZone))).size).toBe(2);
      for (const subnet of found) expect(subnet.Properties.CidrBlock).toMatch(/^10\.7\.\d+\.0\/24$/);
    }
  });

  test('privateEgress nat-gateway: one NAT gateway, every private subnet routes to it; only the S3 gateway endpoint', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    const routes = defaultRoutes(template);
    expect(routes.filter((r) => r.NatGatewayId)).toHaveLength(2);
    expect(routes.filter((r) => r.GatewayId)).toHaveLength(2);
    expectOnlyS3GatewayEndpoint(template);
    expect(network.interfaceEndpoints).toEqual({});
    expect(network.endpointSecurityGroup).toBeUndefined();
  });

  test('every flow of the VPC is logged to the flow log group', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceId: { Ref: logicalIdOf(network.vpc) },
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: logicalIdOf(network.flowLogGroup) },
    });
  });

  test('the flow log group is encrypted with the given encryptionKey, keeps a month and is retained by default', () => {
    expectLogGroup(template, network.flowLogGroup, { encryptionKey: key, retentionDays: 30, removalPolicy: cdk.RemovalPolicy.RETAIN });
  });

  test('the default security group is stripped of its rules', () => {
    template.hasResourceProperties('Custom::VpcRestrictDefaultSG', {
      DefaultSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(network.vpc), 'DefaultSecurityGroup'] },
    });
  });
});

describe('Network privateEgress interface-endpoints, without public subnets', () => {
  const { stack, network, template } = networkStack({ publicSubnets: false, privateEgress: 'interface-endpoints' });

  test('private subnets only, isolated: no internet gateway, no NAT, no default route', () => {
    expect(subnets(template, true)).toHaveLength(0);
    expect(subnets(template, false)).toHaveLength(2);
    expect(network.publicSubnets).toBeUndefined();
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    expect(defaultRoutes(template)).toEqual([]);
  });

  test('Lambda and STS interface endpoints (what an MSK event source mapping calls) in every private subnet, with private DNS', () => {
    expect(Object.keys(network.interfaceEndpoints).sort()).toEqual(Object.keys(PRIVATE_INTERFACE_ENDPOINTS).sort());
    const privateSubnetIds = stack.resolve(network.vpc.selectSubnets(network.privateSubnets).subnetIds);
    for (const service of ['lambda', 'sts']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] },
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SubnetIds: privateSubnetIds,
        SecurityGroupIds: [{ 'Fn::GetAtt': [logicalIdOf(network.endpointSecurityGroup!), 'GroupId'] }],
      });
    }
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
  });

  test('the endpoints admit HTTPS from the VPC range only and send nothing out', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'VPC interface endpoints: HTTPS from inside the VPC',
      SecurityGroupIngress: [{ CidrIp: '10.7.0.0/16', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS from the VPC' }],
      // CDK's "no egress" marker: a rule that matches no traffic.
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })],
    });
  });

  test('S3 through the free gateway endpoint, routed from every private subnet', () => {
    const gateway = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }));
    expect(gateway).toHaveLength(1);
    expect(JSON.stringify(gateway[0].Properties.ServiceName)).toContain('.s3');
    expect(gateway[0].Properties.RouteTableIds).toHaveLength(2);
  });
});

/** The free S3 gateway endpoint every network has (the Kafka mapping's on-failure destination), and no other. */
function expectOnlyS3GatewayEndpoint(template: Template): void {
  const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint'));
  expect(endpoints).toHaveLength(1);
  expect(endpoints[0].Properties.VpcEndpointType).toBe('Gateway');
  expect(JSON.stringify(endpoints[0].Properties.ServiceName)).toContain('.s3');
  expect(endpoints[0].Properties.RouteTableIds).toHaveLength(2);
}

describe('Network privateEgress none', () => {
  const { network, template } = networkStack({ publicSubnets: false, privateEgress: 'none' });

  test('private subnets reach only S3 (gateway endpoint): no internet gateway, NAT, interface endpoint or default route', () => {
    expect(subnets(template, false)).toHaveLength(2);
    for (const type of ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway', 'AWS::EC2::SecurityGroup']) {
      template.resourceCountIs(type, 0);
    }
    expectOnlyS3GatewayEndpoint(template);
    expect(defaultRoutes(template)).toEqual([]);
    expect(network.endpointSecurityGroup).toBeUndefined();
  });

  test('public subnets with no NAT: the public subnets route to the internet gateway, the private ones do not', () => {
    const { template: withPublic } = networkStack({ publicSubnets: true, privateEgress: 'none' });
    expect(subnets(withPublic, true)).toHaveLength(2);
    withPublic.resourceCountIs('AWS::EC2::NatGateway', 0);
    const routes = defaultRoutes(withPublic);
    expect(routes).toHaveLength(2);
    for (const route of routes) expect(route.GatewayId).toBeDefined();
  });
});

describe('Network props', () => {
  // An environment-agnostic stack offers CDK only two zones; the construct must still build what the config asks.
  test.each([{}, { env: { account: '123456789012', region: 'eu-west-1' } }])(
    'availabilityZones 3: a private and a public subnet in each of the first three zones of the region (stack props %j)',
    (stackProps) => {
      const { network, template } = networkStack({ availabilityZones: 3 }, {}, stackProps);
      for (const isPublic of [true, false]) {
        const zones = subnets(template, isPublic).map((s) => s.Properties.AvailabilityZone);
        expect(zones).toHaveLength(3);
        expect(zones.sort((a, b) => a['Fn::Select'][0] - b['Fn::Select'][0])).toEqual(
          [0, 1, 2].map((i) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] })),
        );
      }
      expect(network.vpc.availabilityZones).toHaveLength(3);
      expect(network.vpc.selectSubnets(network.privateSubnets).subnets).toHaveLength(3);
    },
  );

  test('logRetention and removalPolicy DESTROY reach the flow log group', () => {
    const { key, network, template } = networkStack(
      {},
      { logRetention: logs.RetentionDays.ONE_WEEK, removalPolicy: cdk.RemovalPolicy.DESTROY },
    );
    expectLogGroup(template, network.flowLogGroup, { encryptionKey: key, retentionDays: 7, removalPolicy: cdk.RemovalPolicy.DESTROY });
  });
});
