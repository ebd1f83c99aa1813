import * as cdk from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Network, type NetworkConfig } from '../constructs/network';

export interface NetworkStackProps extends cdk.StackProps {
  readonly config: NetworkConfig;
  /** The data key (DataStack.dataKey): encrypts the flow log group. */
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: cdk.RemovalPolicy;
}

/**
 * The network every stateful part shares, composed first: the log host, the MSK cluster and the consumer's
 * event source mapping take its VPC and subnet selections as typed fields.
 */
export class NetworkStack extends cdk.Stack {
  public readonly network: Network;
  public readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    // Construct IDs pinned by test/stacks/network-stack.test.ts: renaming one replaces the VPC.
    this.network = new Network(this, 'Network', {
      config: props.config,
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.vpc = this.network.vpc;
    new cdk.CfnOutput(this, 'VpcId', { value: this.vpc.vpcId, description: 'The pipeline VPC' });
  }
}
