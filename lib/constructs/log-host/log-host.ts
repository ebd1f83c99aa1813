import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { renderAgentConfig } from './agent-config';
import { demoFiles, renderBootScript, renderCloudConfig } from './boot-script';
import { bundleGenerator, GENERATOR_BUNDLE_FILE, GENERATOR_ENTRY } from './generator-bundle';
import { ConfigError } from '../../problems';
import { destinationsOf, type HostConfig, type LogFileConfig } from './host-config';

/** An MSK cluster's side of the producer: what LogHost needs of lib/constructs/kafka's KafkaCluster. */
export interface KafkaProducerTarget {
  /** Comma-separated SASL/IAM bootstrap brokers. */
  readonly bootstrapBrokers: string;
  readonly clusterArn: string;
  /** The brokers' security group: it gets an ingress rule from the host on `port`. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The brokers' SASL/IAM port (9098). */
  readonly port: number;
  /** Lets the host connect and write the given topics. */
  grantProduce(grantee: iam.IGrantable, topicNames: readonly string[]): iam.Grant;
}

/** EC2's limit on user data (before base64). */
const USER_DATA_LIMIT_BYTES = 16 * 1024;
/** Room for CDK tokens in the user data to resolve to longer strings (stream name, log group, S3 URL). */
const USER_DATA_TOKEN_MARGIN_BYTES = 1024;

/** The metrics the host's agent log is turned into (metric filters on its log group), named once. */
export const AGENT_METRICS = {
  namespace: 'LogPipeline/LogHost',
  errors: 'AgentErrors',
  warnings: 'AgentWarnings',
} as const;

export interface LogHostProps {
  /** VPC the host runs in (the shared Network's). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets the host may be placed in; they need a route to the internet (the agent's package repository).
   * @default - the VPC's public subnets (egress through the internet gateway, no NAT gateway)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The Kinesis stream the agent writes to; its KMS key (if any) is granted for encryption. */
  readonly stream: kinesis.IStream;
  /** Instance, files, agent tuning, demo generator and protection settings of the stage (validated by validateHostConfig). */
  readonly config: HostConfig;
  /**
   * Retention of the agent's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Key that encrypts the agent's log group (its policy must admit CloudWatch Logs).
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the agent's log group on `cdk destroy`.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
  /**
   * The MSK cluster and topic that files with 'kafka' among their destinations ship to.
   * @default - none; a file destined for Kafka then fails synth
   */
  readonly kafka?: { readonly target: KafkaProducerTarget; readonly topicName: string };
  /**
   * CloudWatch namespace of the agent's error and warning counts.
   * @default 'LogPipeline/LogHost'
   */
  readonly metricNamespace?: string;
  /**
   * The host's image (lib/constructs/log-host/machine-image.ts pins one per region).
   * @default - the latest Amazon Linux 2023 (recommended kernel) for the instance type's architecture, read
   * from its public SSM parameter at every deploy: a deploy after a new image replaces the host
   */
  readonly machineImage?: ec2.IMachineImage;
  /**
   * Entry file of the demo log generator, bundled when the generator is enabled.
   * @default generator/cli.ts of this project
   */
  readonly generatorEntry?: string;
}

/**
 * An EC2 host running a log agent (Fluent Bit) that tails log files and ships each line to a Kinesis stream.
 *
 * Hardened the way a security review expects: no inbound rule, no SSH key (Session Manager instead), IMDSv2
 * only, encrypted gp3 root volume, egress on 443 only, and a role that may write to this stream, this log
 * group and this one S3 object, and nothing else. The agent's config is rendered from typed props at synth
 * and installed, with a pinned agent version, by a boot script that runs on every boot.
 */
export class LogHost extends Construct {
  public readonly instance: ec2.Instance;
  public readonly role: iam.Role;
  public readonly securityGroup: ec2.SecurityGroup;
  /** The agent's own log (one stream per instance). */
  public readonly agentLogGroup: logs.LogGroup;
  /** Error lines of the agent's own log, per minute (failed flushes, rejected credentials, ...). */
  public readonly agentErrors: cloudwatch.Metric;
  /** Warning lines of the agent's own log, per minute (retries are logged as warnings). */
  public readonly agentWarnings: cloudwatch.Metric;
  /** Every file the agent ships (configured files, then the demo generator's). */
  public readonly shippedFiles: readonly LogFileConfig[];
  /** The rendered agent configuration, as installed on the host (with CDK tokens unresolved). */
  public readonly agentConfig: string;
  /** The demo generator's bundle, when the generator is enabled. */
  public readonly generatorAsset?: s3assets.Asset;
  /** Policy with the Session Manager actions (kept apart so its acknowledged findings stay narrow). */
  public readonly sessionManagerPolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: LogHostProps) {
    super(scope, id);
    const { config } = props;
    const stack = cdk.Stack.of(this);

    this.agentLogGroup = new logs.LogGroup(this, 'AgentLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? cdk.RemovalPolicy.RETAIN,
    });
    const namespace = props.metricNamespace ?? AGENT_METRICS.namespace;
    this.agentErrors = this.levelMetric(AGENT_METRICS.errors, 'error', namespace);
    this.agentWarnings = this.levelMetric(AGENT_METRICS.warnings, 'warn', namespace);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Log host: write to the log stream and the agent log group, Session Manager',
    });
    // Kinesis PutRecord(s)/ListShards on this stream's ARN, and encrypt with its KMS key.
    props.stream.grantWrite(this.role);
    // CreateLogStream/PutLogEvents on this group only (the agent does not create groups).
    this.agentLogGroup.grantWrite(this.role);

    // Session Manager without the AmazonSSMManagedInstanceCore managed policy, which would also let the
    // host read every SSM parameter and document. These are the actions AWS documents as the minimum for
    // Session Manager; none of them can be scoped to a resource (acknowledged in HostStack).
    this.sessionManagerPolicy = new iam.Policy(this, 'SessionManagerPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: [
            'ssm:UpdateInstanceInformation',
            'ssmmessages:CreateControlChannel',
            'ssmmessages:CreateDataChannel',
            'ssmmessages:OpenControlChannel',
            'ssmmessages:OpenDataChannel',
          ],
          resources: ['*'],
        }),
      ],
    });
    this.sessionManagerPolicy.attachToRole(this.role);

    // Egress on 443 only: Kinesis, CloudWatch Logs, SSM (ssm, ssmmessages), S3 (the generator bundle and
    // AL2023's package repositories) and packages.fluentbit.io are all HTTPS. Amazon DNS, instance metadata
    // and the Time Sync service are not filtered by security groups, so they need no rule.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Log host: no inbound; outbound HTTPS to AWS APIs and package repositories',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs and package repositories');

    const instanceType = new ec2.InstanceType(config.instanceType);
    const cpuType =
      instanceType.architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64;

    const userData = new ec2.MultipartUserData();
    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PUBLIC },
      instanceType,
      // Default: latest AL2023 (its recommended kernel) by the public SSM parameter, resolved by CloudFormation
      // at deploy: synth needs no account. (MachineImage.latestAmazonLinux2023 would pin kernel 6.1; 'default'
      // follows AL2023's recommended kernel.)
      machineImage:
        props.machineImage ??
        new ec2.AmazonLinux2023ImageSsmParameter({ cpuType, kernel: ec2.AmazonLinux2023Kernel.DEFAULT, cachedInContext: false }),
      role: this.role,
      securityGroup: this.securityGroup,
      userData,
      // IMDSv2 only. Hop limit 1: the agent runs on the host itself, not in a container behind a bridge
      // (which would need 2), so the token cannot travel beyond the instance.
      httpEndpoint: true,
      httpTokens: ec2.HttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      disableApiTermination: config.terminationProtection,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(config.rootVolumeGiB, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
      propagateTagsToVolumeOnCreation: true,
    });
    // Session Manager works from the first boot (the role's default policy is already a dependency).
    this.instance.node.addDependency(this.sessionManagerPolicy);
    // The stack waits until the first boot reports that the agent runs (boot-script.ts signals).
    this.instance.instance.cfnOptions.creationPolicy = { resourceSignal: { count: 1, timeout: 'PT20M' } };
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:SignalResource'], resources: [stack.stackId] }));

    let demo: { bundleS3Uri: string; linesPerSecond: number } | undefined;
    const files = [...config.logFiles];
    if (config.demoGenerator.enabled) {
      const bundleDir = bundleGenerator(props.generatorEntry ?? GENERATOR_ENTRY);
      this.generatorAsset = new s3assets.Asset(this, 'GeneratorBundle', { path: path.join(bundleDir, GENERATOR_BUNDLE_FILE) });
      // This one object, not the whole assets bucket.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [this.generatorAsset.bucket.arnForObjects(this.generatorAsset.s3ObjectKey)],
        }),
      );
      demo = { bundleS3Uri: this.generatorAsset.s3ObjectUrl, linesPerSecond: config.demoGenerator.linesPerSecond };
      files.push(...demoFiles());
    }
    this.shippedFiles = files;

    if (props.kafka !== undefined && files.some((file) => destinationsOf(file).includes('kafka'))) {
      const { target, topicName } = props.kafka;
      // Connect, and DescribeTopic/WriteData on the one log topic only.
      target.grantProduce(this.role, [topicName]);
      // Both rules live here, in the host's stack: the brokers' stack must not depend on the host's.
      const rule = { ipProtocol: 'tcp', fromPort: target.port, toPort: target.port };
      new ec2.CfnSecurityGroupEgress(this, 'KafkaEgress', {
        ...rule,
        groupId: this.securityGroup.securityGroupId,
        destinationSecurityGroupId: target.securityGroup.securityGroupId,
        description: 'Kafka (SASL/IAM over TLS) to the MSK brokers',
      });
      new ec2.CfnSecurityGroupIngress(this, 'KafkaIngress', {
        ...rule,
        groupId: target.securityGroup.securityGroupId,
        sourceSecurityGroupId: this.securityGroup.securityGroupId,
        description: 'Kafka producer: the log host',
      });
    }

    this.agentConfig = renderAgentConfig({
      files,
      streamName: props.stream.streamName,
      region: stack.region,
      agentLogGroupName: this.agentLogGroup.logGroupName,
      tuning: config.agent,
      kafka:
        props.kafka === undefined
          ? undefined
          : { brokers: props.kafka.target.bootstrapBrokers, clusterArn: props.kafka.target.clusterArn, topic: props.kafka.topicName },
      systemJournal: config.systemJournal ?? true,
    });
    const script = renderBootScript({
      agentConfig: this.agentConfig,
      region: stack.region,
      signal: { stackName: stack.stackName, logicalId: this.instance.instance.logicalId },
      demo,
    });
    // EC2 takes at most 16 KiB of user data; tokens (names, the S3 URL) grow when resolved, hence the margin.
    const estimatedBytes = Buffer.byteLength(renderCloudConfig() + script) + USER_DATA_TOKEN_MARGIN_BYTES;
    if (estimatedBytes > USER_DATA_LIMIT_BYTES) {
      throw new ConfigError([
        `the log host's user data would be about ${estimatedBytes} bytes, over EC2's limit of ${USER_DATA_LIMIT_BYTES}: ship fewer files (globs cover many) or use shorter paths`,
      ]);
    }
    userData.addPart(ec2.MultipartBody.fromRawBody({ contentType: 'text/cloud-config; charset="utf-8"', body: renderCloudConfig() }));
    userData.addPart(ec2.MultipartBody.fromRawBody({ contentType: ec2.MultipartBody.SHELL_SCRIPT, body: script }));
  }

  /** Error lines of the agent's log (failed flushes, rejected credentials), summed per 5 minutes. */
  public metricAgentErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.agentErrors.with({ period: cdk.Duration.minutes(5), ...props });
  }

  /** Warning lines of the agent's log (its retries are logged as warnings), summed per 5 minutes. */
  public metricAgentRetries(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.agentWarnings.with({ period: cdk.Duration.minutes(5), ...props });
  }

  /** EC2 status checks failed (instance or system), maximum per 5 minutes: 1 while the host is unhealthy. */
  public metricStatusCheckFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/EC2',
      metricName: 'StatusCheckFailed',
      dimensionsMap: { InstanceId: this.instance.instanceId },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: cdk.Duration.minutes(5),
      ...props,
    });
  }

  /** Lines of the agent's own log at one level, counted per minute. */
  private levelMetric(metricName: string, level: string, namespace: string): cloudwatch.Metric {
    const filter = new logs.MetricFilter(this, `${metricName}Filter`, {
      logGroup: this.agentLogGroup,
      filterPattern: logs.FilterPattern.stringValue('$.level', '=', level),
      metricNamespace: namespace,
      metricName,
      metricValue: '1',
      defaultValue: 0,
    });
    return filter.metric({ statistic: cloudwatch.Stats.SUM, period: cdk.Duration.minutes(1) });
  }
}
