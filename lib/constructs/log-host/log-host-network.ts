import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HostSubnetChoice } from './host-config';

export interface LogHostNetworkProps {
  /**
   * 'public': public subnets only, egress through the internet gateway; no NAT gateway (the cheap choice for
   * dev: a NAT gateway costs more per month than the t4g host). 'private-with-nat': the host has no public
   * IP and leaves through one NAT gateway.
   */
  readonly subnet: HostSubnetChoice;
  /** Retention of the flow log group, in days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /**
   * Key that encrypts the flow log group (its policy must admit CloudWatch Logs).
   * @default - CloudWatch Logs' own encryption
   */
  readonly logsKey?: kms.IKey;
  /**
   * What happens to the flow log group on `cdk destroy`.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
  /**
   * Address range of the VPC.
   * @default '10.40.0.0/16'
   */
  readonly cidr?: string;
}

/**
 * The log host's own VPC (created here, so synth needs no account lookup): two AZs, and every flow to
 * CloudWatch Logs, so rejected and accepted traffic of the host can be inspected.
 */
export class LogHostNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly flowLogGroup: logs.LogGroup;
  /** Where the host goes. */
  public readonly hostSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: LogHostNetworkProps) {
    super(scope, id);
    const isPrivate = props.subnet === 'private-with-nat';

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.logsKey,
      removalPolicy: props.removalPolicy ?? cdk.RemovalPolicy.RETAIN,
    });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr ?? '10.40.0.0/16'),
      maxAzs: 2,
      natGateways: isPrivate ? 1 : 0,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        ...(isPrivate ? [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 }] : []),
      ],
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    this.hostSubnets = { subnetType: isPrivate ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC };
  }
}
