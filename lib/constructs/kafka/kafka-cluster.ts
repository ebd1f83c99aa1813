import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';
import { nameThatChangesWith } from '../../physical-names';
import { acknowledgeIamWildcards } from '../../nag';
import { PipelineFunction } from '../pipeline-function/pipeline-function';
import { defaultKafkaVersion, type KafkaConfig } from './kafka-config';

/** Port of SASL/IAM over TLS on MSK brokers (inside the VPC). */
export const MSK_IAM_PORT = 9098;

export interface KafkaClusterProps {
  /** Brokers, storage, replication and topics of the stage. */
  readonly config: KafkaConfig;
  /** The shared network's VPC. */
  readonly vpc: ec2.IVpc;
  /** Subnets of the brokers: one per AZ, private (Network.privateSubnets). */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Encrypts the brokers' volumes and their log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * Retention of the broker log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What `cdk destroy` does with the broker logs and the bootstrap-brokers function's logs. The cluster, its
   * configuration and topics are always deleted: a retained cluster would keep using the security group and
   * the subnets destroy deletes (DELETE_FAILED), and would bill on; the lake holds every record it carried.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
}

/**
 * An MSK provisioned cluster in KRaft mode that only IAM-authenticated clients reach, over TLS, from inside
 * the VPC: no unauthenticated access, no SCRAM, no plaintext. Volumes encrypted with the customer key,
 * broker logs to an encrypted log group, topics declared here (auto-creation off), and the SASL/IAM
 * bootstrap brokers read once at deploy by the project's own function.
 */
export class KafkaCluster extends Construct {
  public readonly cluster: msk.CfnCluster;
  public readonly configuration: msk.CfnConfiguration;
  public readonly topics: readonly msk.CfnTopic[];
  /** The brokers' group: admits 9098 from itself (the event source mapping); producers add their own rule (LogHost). */
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly brokerLogGroup: logs.LogGroup;
  /** Comma-separated, sorted `host:9098` list of the SASL/IAM brokers (resolved at deploy). */
  public readonly bootstrapBrokers: string;
  /** The function behind the bootstrap-brokers custom resource. */
  public readonly bootstrapBrokersReader: PipelineFunction;
  public readonly clusterArn: string;
  /**
   * The cluster's name, generated at synth (unique per stack path): a literal, so other stacks (IAM,
   * dashboards) use it without splitting an imported ARN.
   */
  public readonly clusterName: string;
  /** The brokers' SASL/IAM port. */
  public readonly port = MSK_IAM_PORT;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = props.removalPolicy ?? cdk.RemovalPolicy.RETAIN;

    this.brokerLogGroup = new logs.LogGroup(this, 'BrokerLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'MSK brokers: SASL/IAM over TLS (9098) from the producers, the event source mapping and the brokers themselves',
      allowAllOutbound: false,
    });
    // The event source mapping's ENIs sit in the brokers' subnets with this group, and brokers replicate
    // among themselves: the group admits itself on the IAM port and may reach itself.
    this.securityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'Brokers and the event source mapping');
    this.securityGroup.addEgressRule(this.securityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'Brokers and the event source mapping');
    // The mapping's on-failure destination (S3, through the VPC's gateway endpoint) over HTTPS.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Event source mapping to its on-failure destination (S3)');

    const serverProperties = [
      'auto.create.topics.enable=false',
      `default.replication.factor=${config.replicationFactor}`,
      `min.insync.replicas=${config.minInsyncReplicas}`,
      'unclean.leader.election.enable=false',
      `num.partitions=${config.topics[0]?.partitions ?? 1}`,
    ].join('\n');
    const kafkaVersion = config.kafkaVersion ?? defaultKafkaVersion(config.brokerInstanceType);
    // KafkaVersionsList forces replacement, and "to successfully update KafkaVersionsList, you must also update
    // the Name property in the same operation" (AWS CloudFormation Template Reference, AWS::MSK::Configuration,
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-msk-configuration.html):
    // the name carries the version list, so a Kafka upgrade makes a new configuration.
    const kafkaVersionsList = [kafkaVersion];
    this.configuration = new msk.CfnConfiguration(this, 'Configuration', {
      name: nameThatChangesWith(this, { kafkaVersionsList }, 64),
      description: 'Log pipeline brokers: no auto-created topics, replication and min.insync.replicas of the stage',
      kafkaVersionsList,
      serverProperties,
    });
    // Deleted on destroy in every stage (see removalPolicy): nothing retained may use what destroy deletes.
    this.configuration.applyRemovalPolicy(cdk.RemovalPolicy.DESTROY);

    const subnetIds = props.vpc.selectSubnets(props.vpcSubnets).subnetIds;
    const securityGroups = [this.securityGroup.securityGroupId];
    const encryptionAtRest = { dataVolumeKmsKeyId: props.encryptionKey.keyArn };
    // ClientSubnets and SecurityGroups (AWS::MSK::Cluster BrokerNodeGroupInfo,
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-msk-cluster-brokernodegroupinfo.html)
    // and the at-rest key and in-cluster encryption (AWS::MSK::Cluster EncryptionInfo) force replacement; the
    // subnets follow network.availabilityZones. The name changes with them, so such a change replaces the
    // cluster (a new, empty one: the lake holds what the old one carried) instead of failing on the name.
    this.clusterName = nameThatChangesWith(this, { subnetIds, securityGroups, encryptionAtRest, inCluster: true }, 64);
    this.cluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: this.clusterName,
      kafkaVersion,
      numberOfBrokerNodes: config.brokerCount,
      brokerNodeGroupInfo: {
        instanceType: config.brokerInstanceType,
        clientSubnets: subnetIds,
        securityGroups,
        storageInfo: { ebsStorageInfo: { volumeSize: config.ebsVolumeGiB } },
        connectivityInfo: { publicAccess: { type: 'DISABLED' } },
      },
      clientAuthentication: {
        sasl: { iam: { enabled: true }, scram: { enabled: false } },
        unauthenticated: { enabled: false },
      },
      encryptionInfo: {
        encryptionAtRest,
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      configurationInfo: { arn: this.configuration.attrArn, revision: this.configuration.attrLatestRevisionRevision },
      loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: this.brokerLogGroup.logGroupName } } },
      // DEFAULT level already has what the dashboard and alarms watch (CPU, disk used, under-replicated
      // partitions); PER_BROKER and finer cost extra per metric.
      enhancedMonitoring: 'DEFAULT',
    });
    this.cluster.applyRemovalPolicy(cdk.RemovalPolicy.DESTROY);
    this.clusterArn = this.cluster.attrArn;

    this.topics = config.topics.map((topic, i) => {
      // Construct IDs by position, pinned by a test: a topic keeps its resource while its name is unchanged.
      const resource = new msk.CfnTopic(this, i === 0 ? 'LogTopic' : `Topic${i}`, {
        clusterArn: this.clusterArn,
        topicName: topic.name,
        partitionCount: topic.partitions,
        replicationFactor: config.replicationFactor,
        configs: topicConfigs({ 'retention.ms': topic.retentionHours * 3_600_000, 'min.insync.replicas': config.minInsyncReplicas }),
      });
      // A topic's records are transient (hours to days); the lake has every one of them.
      resource.applyRemovalPolicy(cdk.RemovalPolicy.DESTROY);
      return resource;
    });

    // GetBootstrapBrokers through the project's own function and a custom resource without the provider
    // framework (whose function would need AWSLambdaBasicExecutionRole): the handler answers CloudFormation itself.
    this.bootstrapBrokersReader = new PipelineFunction(this, 'BootstrapBrokersReader', {
      functionDir: 'kafka-bootstrap-brokers',
      description: 'Custom resource: the SASL/IAM bootstrap brokers of the MSK cluster, sorted',
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      removalPolicy,
      timeout: cdk.Duration.minutes(2),
      memorySize: 256,
    });
    this.bootstrapBrokersReader.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kafka:GetBootstrapBrokers'], resources: [this.clusterArn] }),
    );
    const brokers = new cdk.CustomResource(this, 'BootstrapBrokers', {
      serviceToken: this.bootstrapBrokersReader.function.functionArn,
      resourceType: 'Custom::MskBootstrapBrokers',
      properties: { ClusterArn: this.clusterArn },
    });
    brokers.node.addDependency(...this.topics);
    this.bootstrapBrokers = brokers.getAttString('BootstrapBrokerStringSaslIam');
  }

  /**
   * ARN of a topic of this cluster, for `kafka-cluster:*Topic*` and data actions: topic, cluster name, any UUID,
   * topic name, as groupArn. Built from names rather than read from the topic resource: a replaced topic
   * (replaceExisting) keeps its ARN while its name stays, and a renamed one changes the consumer's template
   * itself, so no other stack imports a value that a topic replacement would change (which CloudFormation
   * refuses while the export is imported; lib/app-stacks.ts).
   */
  topicArn(topicName: string): string {
    const topic = this.topics.find((t) => t.topicName === topicName);
    if (topic === undefined)
      throw new Error(`topic '${topicName}' is not one of this cluster's kafka.topics (${this.topics.map((t) => t.topicName).join(', ')})`);
    const { partition, region, account } = cdk.Stack.of(this);
    return `arn:${partition}:kafka:${region}:${account}:topic/${this.clusterName}/*/${topicName}`;
  }

  /**
   * ARN of a consumer group of this cluster: group, cluster name, any UUID, group id. The UUID part is the
   * cluster's UUID, known only after creation; the name is unique in the account and region, so the
   * wildcard stands for this cluster alone (and keeps other stacks from splitting an imported ARN).
   */
  groupArn(groupId: string): string {
    const { partition, region, account } = cdk.Stack.of(this);
    return `arn:${partition}:kafka:${region}:${account}:group/${this.clusterName}/*/${groupId}`;
  }

  /** cdk-nag IAM5: the topic ARNs' wildcard stands for this cluster's UUID only (topicArn), on the grantee's policies. */
  private acknowledgeTopicWildcards(grantee: iam.IGrantable, topicNames: readonly string[]): void {
    if (!(grantee.grantPrincipal instanceof Construct)) return;
    acknowledgeIamWildcards(
      grantee.grantPrincipal,
      topicNames.map((name) => ({
        finding: new RegExp(
          `^Resource::arn:<AWS::Partition>:kafka:<AWS::Region>:<AWS::AccountId>:topic/${this.clusterName}/\\*/${name.replace(/[.]/g, '\\.')}$`,
        ),
        reason: `Topic ${name} of this cluster only: the ARN's middle part is the cluster's UUID, known after creation; the cluster's name is unique in the account and region.`,
      })),
    );
  }

  /** Lets a principal connect and write (idempotently) to the given topics: a producer. */
  grantProduce(grantee: iam.IGrantable, topicNames: readonly string[]): iam.Grant {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
      resourceArns: [this.clusterArn],
    });
    this.acknowledgeTopicWildcards(grantee, topicNames);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
      resourceArns: topicNames.map((name) => this.topicArn(name)),
    });
  }

  /** Lets a principal connect, read the given topics and commit offsets as one consumer group. */
  grantConsume(grantee: iam.IGrantable, topicNames: readonly string[], groupId: string): iam.Grant {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
      resourceArns: [this.clusterArn],
    });
    this.acknowledgeTopicWildcards(grantee, topicNames);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      resourceArns: topicNames.map((name) => this.topicArn(name)),
    });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
      resourceArns: [this.groupArn(groupId)],
    });
  }
}

/**
 * A topic's Kafka configuration as AWS::MSK::Topic takes it: Base64 of a JSON object mapping each Kafka topic
 * config name to its value as a string, e.g. {"retention.ms":"86400000"}.
 *
 * AWS's own references give only the outer encoding: the CloudFormation page (AWS::MSK::Topic, Configs, "Topic
 * configurations encoded as a Base64 string", https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-msk-topic.html)
 * and the MSK API reference it wraps ("Topic", DescribeTopic/UpdateTopic, https://docs.aws.amazon.com/goto/WebAPI/kafka-2018-11-14/DescribeTopic),
 * with the same sentence in the SDK models (aws-sdk-js-v3 client-kafka CreateTopicRequest.Configs). The inner
 * form is what DescribeTopic returns, which the acceptance-tested Terraform provider (hashicorp/terraform-provider-aws
 * internal/service/kafka/topic.go, aws_msk_topic) decodes from Base64 and parses as a JSON object, and into which
 * it sends its own `configs` JSON. Java-properties lines (`key=value`), the form of an MSK *configuration's*
 * server.properties, are not it.
 */
export function topicConfigs(configs: Readonly<Record<string, string | number>>): string {
  const json = JSON.stringify(Object.fromEntries(Object.entries(configs).map(([key, value]) => [key, String(value)])));
  return Buffer.from(json, 'utf8').toString('base64');
}
