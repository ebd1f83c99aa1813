/**
 * Stage settings of the Kafka path (MSK cluster, topics, consumer mapping), and their validation. No CDK
 * here: lib/config.ts imports it to validate stage configs at synth.
 */
import type { Problems } from '../../problems';

/**
 * Kafka versions MSK offers in KRaft mode (new clusters only; the `.kraft` suffix selects KRaft). From the
 * MSK developer guide, "Supported Apache Kafka versions" and "KRaft mode" (kraft-intro), and the
 * versions @aws-cdk/aws-msk-alpha 2.271 lists as KRaft. Kafka 4 removed ZooKeeper altogether.
 */
export const KRAFT_KAFKA_VERSIONS = ['3.7.x.kraft', '3.8.x.kraft', '3.9.x.kraft', '4.0.x.kraft', '4.1.x.kraft'] as const;
export type KraftKafkaVersion = (typeof KRAFT_KAFKA_VERSIONS)[number];

/** Standard MSK broker types (EBS storage, which this construct sizes), by family. */
export const BROKER_INSTANCE_TYPE = /^kafka\.(t3\.small|m5\.(large|x?\d*xlarge)|m7g\.(large|x?\d*xlarge))$/;

/**
 * The newest KRaft version to default to for a broker type. t3.small is MSK's smallest type and the one
 * with the most restrictions (no tiered storage, fewer partitions); 4.x on it is not something this
 * project has been able to verify, so t3 defaults to 3.9.x.kraft and M5/M7g to 4.1.x.kraft.
 */
export function defaultKafkaVersion(brokerInstanceType: string): KraftKafkaVersion {
  return brokerInstanceType.startsWith('kafka.t3.') ? '3.9.x.kraft' : '4.1.x.kraft';
}

export interface TopicConfig {
  /** Topic name: letters, digits, '.', '_' and '-', 1–249 characters. Changing it replaces the topic (and deletes its data). */
  readonly name: string;
  /** Partitions, 1–1000; may only grow (Kafka cannot remove partitions); updates in place. */
  readonly partitions: number;
  /** How long records stay in the topic, 1–8760 hours. */
  readonly retentionHours: number;
  /**
   * Accept that this deploy replaces the topic, deleting its data, when its name or replication factor
   * differs from lib/constructs/kafka/topics.lock.json. Set it for one deploy, then update the lock file.
   * @default false
   */
  readonly replaceExisting?: boolean;
}

export interface KafkaConsumerConfig {
  /** Records per invocation, 1–10000; the mapping also stops at its 6 MB payload. */
  readonly batchSize: number;
  /** How long the mapping gathers records before invoking, 0–300 seconds. */
  readonly maximumBatchingWindowSeconds: number;
  /** Provisioned pollers (each ~5 MB/s): at least one per 5 MB/s of the topic, 1–200. */
  readonly minimumPollers: number;
  /** Ceiling of the pollers' auto scaling, minimumPollers–2000. */
  readonly maximumPollers: number;
  /** Retries of a failed batch (after bisection) before it goes to the on-failure destination, 0–10000. */
  readonly retryAttempts: number;
}

/** Stage settings of the Kafka path (StageConfig.kafka). */
export interface KafkaConfig {
  /** A KRaft version from KRAFT_KAFKA_VERSIONS. @default defaultKafkaVersion(brokerInstanceType) */
  readonly kafkaVersion?: KraftKafkaVersion;
  /** MSK standard broker type, e.g. 'kafka.t3.small', 'kafka.m7g.large'. */
  readonly brokerInstanceType: string;
  /** Brokers in total: a multiple of network.availabilityZones (MSK spreads them evenly), 2–30. */
  readonly brokerCount: number;
  /** EBS storage per broker, 1–16384 GiB. */
  readonly ebsVolumeGiB: number;
  /** Replicas of every topic partition, 2 (dev) or 3 (prod); at most brokerCount. */
  readonly replicationFactor: number;
  /** Writes with acks=all need this many in-sync replicas; less than replicationFactor, so one broker may be down. */
  readonly minInsyncReplicas: number;
  /** The topics, created in CDK (auto.create.topics.enable is off). The first one is the log topic. */
  readonly topics: readonly TopicConfig[];
  readonly consumer: KafkaConsumerConfig;
}

/** The consumer group of the mapping: fixed, so offsets survive a replaced mapping. */
export const CONSUMER_GROUP_ID = 'log-pipeline-lake';

/** The Kafka consumer function's memory, MB: about 0.58 of a vCPU (lib/capacity/limits.ts, LAMBDA_MB_PER_VCPU). */
export const CONSUMER_MEMORY_MB = 1024;

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * What the Kafka path needs of the shared network (NetworkConfig's fields). No egress: the mapping runs in
 * provisioned mode (pollers are set), which needs no NAT gateway or Lambda/STS endpoint ("Configuring your
 * Amazon MSK cluster and Amazon VPC network for Lambda",
 * https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html), and its S3 on-failure
 * destination goes through the S3 gateway endpoint every stage's network has.
 */
export interface KafkaNetwork {
  readonly availabilityZones: number;
}

/** Adds every problem of a Kafka config to `problems`, given the stage's network. */
export function kafkaConfigProblems(config: KafkaConfig, network: KafkaNetwork, problems: Problems): void {
  const { availabilityZones } = network;
  if (typeof config.brokerInstanceType !== 'string' || !BROKER_INSTANCE_TYPE.test(config.brokerInstanceType)) {
    problems.add(
      `kafka.brokerInstanceType must be an MSK standard broker type such as kafka.t3.small or kafka.m7g.large (got '${String(config.brokerInstanceType)}')`,
    );
  }
  if (config.kafkaVersion !== undefined) problems.oneOf('kafka.kafkaVersion', config.kafkaVersion, KRAFT_KAFKA_VERSIONS);
  problems.integer('kafka.brokerCount', config.brokerCount, 2, 30);
  if (Number.isInteger(config.brokerCount) && Number.isInteger(availabilityZones) && config.brokerCount % availabilityZones !== 0) {
    problems.add(
      `kafka.brokerCount must be a multiple of network.availabilityZones, ${availabilityZones} (got ${config.brokerCount}): MSK places the same number of brokers in every zone`,
    );
  }
  problems.integer('kafka.ebsVolumeGiB', config.ebsVolumeGiB, 1, 16384);
  problems.integer(
    'kafka.replicationFactor',
    config.replicationFactor,
    2,
    Math.max(2, Math.min(3, config.brokerCount)),
    'at least 2 so a broker can fail, at most the broker count',
  );
  problems.integer(
    'kafka.minInsyncReplicas',
    config.minInsyncReplicas,
    1,
    Math.max(1, config.replicationFactor - 1),
    'below the replication factor, or one broker down stops every acks=all write',
  );
  if (!Array.isArray(config.topics) || config.topics.length === 0) {
    problems.add('kafka.topics must list at least one topic (got none)');
  } else {
    const seen = new Map<string, number>();
    config.topics.forEach((topic, i) => {
      const setting = `kafka.topics[${i}]`;
      if (typeof topic.name !== 'string' || !TOPIC_NAME.test(topic.name) || topic.name === '.' || topic.name === '..') {
        problems.add(`${setting}.name must be 1-249 letters, digits, '.', '_' or '-' (got '${String(topic.name)}')`);
      } else if (seen.has(topic.name)) {
        problems.add(`${setting}.name is already used by kafka.topics[${seen.get(topic.name)}] (got '${topic.name}')`);
      } else {
        seen.set(topic.name, i);
      }
      problems.integer(`${setting}.partitions`, topic.partitions, 1, 1000);
      problems.integer(`${setting}.retentionHours`, topic.retentionHours, 1, 8760);
    });
  }
  const consumer = config.consumer;
  problems.integer('kafka.consumer.batchSize', consumer.batchSize, 1, 10000);
  problems.integer('kafka.consumer.maximumBatchingWindowSeconds', consumer.maximumBatchingWindowSeconds, 0, 300);
  problems.integer('kafka.consumer.minimumPollers', consumer.minimumPollers, 1, 200);
  problems.integer('kafka.consumer.maximumPollers', consumer.maximumPollers, Math.max(1, consumer.minimumPollers), 2000);
  problems.integer('kafka.consumer.retryAttempts', consumer.retryAttempts, 0, 10000);
}

/**
 * Zone IDs MSK cannot put client subnets (the brokers' network interfaces) in: "Client subnets can't occupy the
 * Availability Zone with ID use1-az3" (AWS CloudFormation, AWS::MSK::Cluster BrokerNodeGroupInfo, ClientSubnets,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-msk-cluster-brokernodegroupinfo.html).
 */
export const MSK_UNSUPPORTED_ZONE_IDS: Readonly<Record<string, string>> = { 'us-east-1': 'use1-az3' };

/** What the Kafka path needs to know of the network's zones (NetworkConfig's fields). */
export interface KafkaZones {
  readonly availabilityZones: number;
  readonly availabilityZoneIds?: readonly string[];
}

/**
 * Problems of the zones the brokers' subnets would take. What synth can know: the zone IDs the config names, and
 * the region when the CLI resolved an environment. Without zone IDs the subnets take the region's first zone
 * *names*, whose IDs differ per account and no CDK context lookup returns (the availability-zones lookup gives
 * names only): in a region with an excluded zone, synth asks for zone IDs rather than hope. In an
 * environment-agnostic synth (no region) nothing about zones is known, and nothing is refused.
 */
export function mskZoneProblems(zones: KafkaZones, region: string | undefined, problems: Problems): void {
  const excluded = Object.values(MSK_UNSUPPORTED_ZONE_IDS);
  const ids = zones.availabilityZoneIds;
  if (ids !== undefined) {
    for (const id of ids.filter((zone) => excluded.includes(zone))) {
      problems.add(
        `network.availabilityZoneIds must not include ${id} (got ${JSON.stringify(ids)}): MSK cannot put brokers' client subnets in zone ${id}; pick another zone ID of the region`,
      );
    }
    return;
  }
  const regionExcluded = region === undefined ? undefined : MSK_UNSUPPORTED_ZONE_IDS[region];
  if (regionExcluded !== undefined) {
    problems.add(
      `network.availabilityZoneIds must be set in ${region} (got none): MSK cannot use zone ${regionExcluded}, and which zone IDs the region's first ${zones.availabilityZones} zone names have differs per account. ` +
        `List yours with aws ec2 describe-availability-zones --region ${region} --query 'AvailabilityZones[].ZoneId' and name ${zones.availabilityZones} of them other than ${regionExcluded}`,
    );
  }
}

/** What the lock file records of a deployed topic: what replaces it when changed, and what cannot shrink. */
export interface LockedTopic {
  readonly name: string;
  readonly replicationFactor: number;
  /** Partitions the deployed topic has: the least the config may ask for while the topic is kept. */
  readonly partitions: number;
}

/**
 * Problems of topics that the deploy cannot apply to the deployed one, by position in the list against the lock:
 * - a changed name or replication factor replaces the topic (AWS::MSK::Topic: "Update requires: Replacement"),
 *   deleting its data, unless the topic says replaceExisting;
 * - fewer partitions than deployed while the topic is kept: Kafka cannot remove partitions from a topic (Apache
 *   Kafka documentation, "Modifying topics": "Kafka does not currently support reducing the number of partitions
 *   for a topic", https://kafka.apache.org/documentation/#basic_ops_modify_topic), and AWS::MSK::Topic updates
 *   PartitionCount in place through MSK's UpdateTopic ("Update a topic in an Amazon MSK cluster",
 *   https://docs.aws.amazon.com/msk/latest/developerguide/msk-update-topic.html), so the update would fail mid-deploy.
 */
export function topicReplacementProblems(config: KafkaConfig, locked: readonly LockedTopic[] | undefined, stage: string): string[] {
  if (locked === undefined) return [];
  const problems: string[] = [];
  const lockFile = 'lib/constructs/kafka/topics.lock.json';
  config.topics.forEach((topic, i) => {
    const before = locked[i];
    if (before === undefined) return;
    const replaced = before.name !== topic.name || before.replicationFactor !== config.replicationFactor;
    if (replaced && topic.replaceExisting !== true) {
      problems.push(
        `kafka.topics[${i}] would replace the deployed topic '${before.name}' (replication ${before.replicationFactor}) with '${topic.name}' (replication ${config.replicationFactor}), deleting its data: ` +
          `set kafka.topics[${i}].replaceExisting: true to accept that, then record the new topic in ${lockFile} under '${stage}'`,
      );
    }
    // TopicName is the topic's physical name: CloudFormation cannot replace a custom-named resource under the same
    // name ("Name type", https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html),
    // so a replacement the config accepts must come with a new name.
    if (replaced && topic.replaceExisting === true && before.name === topic.name) {
      problems.push(
        `kafka.topics[${i}] changes the replication factor of '${topic.name}' (${before.replicationFactor} -> ${config.replicationFactor}) under the same name: ` +
          `CloudFormation cannot replace a resource with a custom name under that name, so the deploy would fail. Give the topic a new name as well (replaceExisting stays true), then record it in ${lockFile} under '${stage}'`,
      );
    }
    if (!replaced && Number.isInteger(topic.partitions) && topic.partitions < before.partitions) {
      problems.push(
        `kafka.topics[${i}].partitions must be at least ${before.partitions}, the partitions the deployed topic '${before.name}' has (got ${topic.partitions}): Kafka cannot remove partitions from a topic. ` +
          `Keep ${before.partitions} or more; to have fewer, give the topic a new name with kafka.topics[${i}].replaceExisting: true (which deletes the old topic and its data), then record it in ${lockFile} under '${stage}'`,
      );
    }
  });
  return problems;
}
