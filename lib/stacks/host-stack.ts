import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LogHost, pinnedHostImage, type HostConfig, type HostImagePins, type KafkaProducerTarget } from '../constructs/log-host';

export interface HostStackProps extends cdk.StackProps {
  /** The stream the agent writes to (from the data stack). */
  readonly stream: kinesis.IStream;
  /** The stage's host settings. */
  readonly config: HostConfig;
  /** The shared network's VPC (NetworkStack.vpc). */
  readonly vpc: ec2.IVpc;
  /** Where in it the host goes: public subnets in dev, private ones (behind the NAT gateway) in prod. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Retention of the agent's log group. */
  readonly logRetention: logs.RetentionDays;
  /** What `cdk destroy` does with the agent's log group (RETAIN in prod). */
  readonly removalPolicy: cdk.RemovalPolicy;
  /** Key that encrypts the agent's log group (the data key admits CloudWatch Logs of this account). */
  readonly encryptionKey: kms.IKey;
  /** AMI ids by region, for `config.image: 'pinned'` (cdk.json context logPipeline:hostImages). */
  readonly hostImages: HostImagePins;
  /** The MSK cluster (KafkaStack.cluster) and the log topic that files destined for Kafka go to. */
  readonly kafka: { readonly target: KafkaProducerTarget; readonly topicName: string };
}

/** Stateless: the log host. Destroying it loses no data beyond lines not yet shipped. */
export class HostStack extends cdk.Stack {
  public readonly host: LogHost;

  constructor(scope: Construct, id: string, props: HostStackProps) {
    super(scope, id, props);
    const cpuType =
      new ec2.InstanceType(props.config.instanceType).architecture === ec2.InstanceArchitecture.ARM_64
        ? ec2.AmazonLinuxCpuType.ARM_64
        : ec2.AmazonLinuxCpuType.X86_64;
    this.host = new LogHost(this, 'LogHost', {
      machineImage: props.config.image === 'pinned' ? pinnedHostImage(this, props.hostImages, cpuType) : undefined,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      stream: props.stream,
      config: props.config,
      logRetention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
      kafka: props.kafka,
      metricNamespace: `LogPipeline/${this.stackName}`,
    });
    this.acknowledgeFindings(props.config);

    new cdk.CfnOutput(this, 'LogHostInstanceId', {
      value: this.host.instance.instanceId,
      description: 'Reach the host with: aws ssm start-session --target <this id>',
    });
    new cdk.CfnOutput(this, 'AgentLogGroupName', {
      value: this.host.agentLogGroup.logGroupName,
      description: "The log agent's own log, one stream per instance",
    });
  }

  /** cdk-nag AwsSolutions findings that are the design, each with its reason, on the exact construct. */
  private acknowledgeFindings(config: HostConfig): void {
    cdk.Validations.of(this.host.sessionManagerPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Session Manager needs ssm:UpdateInstanceInformation and the four ssmmessages channel actions, which AWS documents with Resource "*" (ssmmessages has no resource-level permissions). This replaces AmazonSSMManagedInstanceCore, which would also grant reading every SSM parameter and document.',
    });
    const rolePolicy = this.host.role.node.tryFindChild('DefaultPolicy');
    if (rolePolicy) {
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        cdk.Validations.of(rolePolicy).acknowledge({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason:
            "stream.grantWrite grants encryption with the stream's KMS key, and only that key (the statement's resource is its ARN); Kinesis calls GenerateDataKey with varying parameters on the producer's behalf.",
        });
      }
    }
    if (config.image === 'pinned') {
      cdk.Validations.of(this.host.instance).acknowledge({
        id: 'CloudFormation-Validate::W9010',
        reason:
          "The image is pinned on purpose, per region, in a mapping from cdk.json's logPipeline:hostImages: a new image replaces the host, and a protected host must change only by a deliberate edit (README, upgrade the log host's image).",
      });
    }
    if (!config.terminationProtection) {
      cdk.Validations.of(this.host.instance).acknowledge({
        id: 'AwsSolutions-EC29',
        reason:
          'Termination protection is off in this stage on purpose, so `cdk destroy` removes the host; the host keeps no data (lines are in the stream within seconds). It is on in prod.',
      });
    }
  }
}
