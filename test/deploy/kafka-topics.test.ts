/**
 * The deploy rehearsal, MSK topics: what AWS::MSK::Topic accepts and what Kafka can apply to a deployed topic.
 */
import topicsLock from '../../lib/constructs/kafka/topics.lock.json';
import { STAGE_CONFIGS, validateStageConfig, type StageName } from '../../lib/config';
import { stageWiring } from './wiring';

describe.each(['dev', 'prod'] as StageName[])('%s: MSK topics', (stage) => {
  const topics = stageWiring(stage).resources.filter((r) => r.resource.Type === 'AWS::MSK::Topic');

  // AWS::MSK::Topic Configs: "Topic configurations encoded as a Base64 string"
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-msk-topic.html); the encoded text is
  // the JSON object DescribeTopic returns (see topicConfigs in lib/constructs/kafka/kafka-cluster.ts).
  test('Configs is Base64 of a JSON object whose values are strings, not Java-properties lines', () => {
    expect(topics.length).toBe(STAGE_CONFIGS[stage].kafka.topics.length);
    for (const topic of topics) {
      const decoded = Buffer.from(String(topic.resource.Properties?.Configs), 'base64').toString('utf8');
      expect(Buffer.from(decoded, 'utf8').toString('base64')).toBe(topic.resource.Properties?.Configs);
      const configs = JSON.parse(decoded) as unknown;
      expect(configs).toEqual(expect.any(Object));
      expect(Object.values(configs as object).every((v) => typeof v === 'string')).toBe(true);
      expect(Object.keys(configs as object)).toEqual(expect.arrayContaining(['retention.ms']));
    }
  });

  // Apache Kafka documentation, "Modifying topics": "Kafka does not currently support reducing the number of
  // partitions for a topic" (https://kafka.apache.org/documentation/#basic_ops_modify_topic); AWS::MSK::Topic
  // updates PartitionCount in place ("Update a topic in an Amazon MSK cluster",
  // https://docs.aws.amazon.com/msk/latest/developerguide/msk-update-topic.html).
  test('no topic has fewer partitions than the deployed topic the lock file records, and synth refuses a config that would', () => {
    const locked = topicsLock[stage];
    topics.forEach((topic, i) => {
      expect(topic.resource.Properties?.TopicName).toBe(locked[i].name);
      expect(Number(topic.resource.Properties?.PartitionCount)).toBeGreaterThanOrEqual(locked[i].partitions);
    });
    const config = STAGE_CONFIGS[stage];
    const fewer = {
      ...config,
      kafka: { ...config.kafka, topics: config.kafka.topics.map((t, i) => ({ ...t, partitions: locked[i].partitions - 1 })) },
    };
    expect(() => validateStageConfig(fewer)).toThrow(/partitions must be at least \d+, the partitions the deployed topic 'logs' has/);
  });
});
