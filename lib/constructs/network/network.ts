import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NetworkConfig } from './network-config';

export interface NetworkProps {
  /** Zones, subnets, egress and address range of the stage. */
  readonly config: NetworkConfig;
  /** Key that encrypts the flow log group (its policy must admit CloudWatch Logs). */
  readonly encryptionKey: kms.IKey;
  /**
   * Retention of the flow log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the flow log group on `cdk destroy`.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
}

/**
 * Interface endpoints the private subnets get with privateEgress 'interface-endpoints': what an MSK event source
 * mapping in on-demand mode calls from the cluster's subnets. In provisioned mode (this app's mapping: it sets
 * pollers) "you don't need a NAT gateway or AWS PrivateLink endpoints" ("Configuring your Amazon MSK cluster
 * and Amazon VPC network for Lambda", https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html).
 */
export const PRIVATE_INTERFACE_ENDPOINTS = {
  Lambda: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
  Sts: ec2.InterfaceVpcEndpointAwsService.STS,
} as const;

/**
 * The one VPC every part of the pipeline shares: the log host now, the MSK brokers and the consumer's
 * event source mapping next. Private subnets in every AZ (MSK brokers need one per broker AZ and have no
 * internet route of their own), public subnets where the stage wants them, every flow logged, and the
 * default security group stripped of its rules so nothing can use it by accident.
 */
export class Network extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly flowLogGroup: logs.LogGroup;
  /** The private subnets, one per AZ: MSK brokers, the consumer's mapping, prod's log host. */
  public readonly privateSubnets: ec2.SubnetSelection;
  /** The public subnets, when the stage has them (dev's log host). */
  public readonly publicSubnets?: ec2.SubnetSelection;
  /**
   * The free S3 gateway endpoint on the private subnets' route tables, in every stage: the Kafka mapping's S3
   * on-failure destination is reached from the cluster's subnets through it, and NAT traffic to S3 is spared.
   */
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  /** The interface endpoints of privateEgress 'interface-endpoints', by service. */
  public readonly interfaceEndpoints: Readonly<Record<string, ec2.InterfaceVpcEndpoint>> = {};
  /** Security group of the interface endpoints: HTTPS from inside the VPC. */
  public readonly endpointSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config } = props;
    const privateType = config.privateEgress === 'nat-gateway' ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? cdk.RemovalPolicy.RETAIN,
    });

    // Zones named by ID: each zone's name is read back from the subnet CloudFormation placed there by ID, so
    // whatever takes a zone name from the VPC (an instance's AvailabilityZone) gets the subnet's own.
    const zoneIds = config.availabilityZoneIds;
    const zoneSubnets: ec2.CfnSubnet[] = [];
    const zoneNames = zoneIds?.map((_, i) => cdk.Lazy.string({ produce: () => zoneSubnets[i].attrAvailabilityZone }));

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(config.cidr),
      // The first N zones of the region, resolved by CloudFormation at deploy. `maxAzs` would cap them at
      // what the stack offers, and an environment-agnostic stack offers only two (CDK cannot count
      // `Fn::GetAZs` at synth) while prod's brokers need three; every region has at least three.
      availabilityZones: zoneNames ?? Array.from({ length: config.availabilityZones }, (_, i) => cdk.Fn.select(i, cdk.Fn.getAzs())),
      natGateways: config.privateEgress === 'nat-gateway' ? 1 : 0,
      subnetConfiguration: [
        ...(config.publicSubnets ? [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }] : []),
        { name: 'private', subnetType: privateType, cidrMask: 24 },
      ],
      // The default security group admits all traffic from itself and allows all egress: strip both.
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    if (zoneIds !== undefined) {
      const isolated = this.vpc.isolatedSubnets.length > 0 ? this.vpc.isolatedSubnets : this.vpc.privateSubnets;
      zoneSubnets.push(...isolated.map((subnet) => subnet.node.defaultChild as ec2.CfnSubnet));
      for (const group of [isolated, this.vpc.publicSubnets]) {
        group.forEach((subnet, i) => {
          const cfn = subnet.node.defaultChild as ec2.CfnSubnet;
          cfn.addPropertyDeletionOverride('AvailabilityZone');
          cfn.addPropertyOverride('AvailabilityZoneId', zoneIds[i]);
        });
      }
    }
    this.privateSubnets = { subnetType: privateType };
    if (config.publicSubnets) this.publicSubnets = { subnetType: ec2.SubnetType.PUBLIC };

    // "You must deploy a VPC endpoint for your on-failure destination service inside your Amazon MSK cluster
    // VPC" ("Capturing discarded batches for Amazon MSK and self-managed Apache Kafka event sources",
    // https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html); for S3 that is the gateway endpoint.
    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.privateSubnets],
    });

    if (config.privateEgress === 'interface-endpoints') {
      this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'VPC interface endpoints: HTTPS from inside the VPC',
        allowAllOutbound: false,
      });
      this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(config.cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
      const endpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};
      for (const [name, service] of Object.entries(PRIVATE_INTERFACE_ENDPOINTS)) {
        endpoints[name] = this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
          service,
          subnets: this.privateSubnets,
          securityGroups: [this.endpointSecurityGroup],
          // The group above already admits HTTPS from the VPC's range (a literal, so cdk-nag can read it).
          open: false,
          privateDnsEnabled: true,
        });
      }
      this.interfaceEndpoints = endpoints;
    }
  }
}
