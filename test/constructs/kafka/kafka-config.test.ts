import { STAGE_CONFIGS, validateStageConfig, type StageConfig } from '../../../lib/config';
import { defaultKafkaVersion, kafkaConfigProblems, topicReplacementProblems, type KafkaConfig } from '../../../lib/constructs/kafka';
import topicsLock from '../../../lib/constructs/kafka/topics.lock.json';
import { ConfigError, Problems } from '../../../lib/problems';

function problemsOf(config: KafkaConfig, availabilityZones = 2): string[] {
  const problems = new Problems();
  kafkaConfigProblems(config, { availabilityZones }, problems);
  return problems.list;
}

const DEV = STAGE_CONFIGS.dev.kafka;

describe('kafka config', () => {
  test.each(['dev', 'prod'] as const)('the proposed %s values are valid', (stage) => {
    expect(problemsOf(STAGE_CONFIGS[stage].kafka, STAGE_CONFIGS[stage].network.availabilityZones)).toEqual([]);
  });

  test('names every bad setting with its range and value', () => {
    expect(
      problemsOf({
        kafkaVersion: '3.6.0' as never,
        brokerInstanceType: 'm5.large',
        brokerCount: 3,
        ebsVolumeGiB: 0,
        replicationFactor: 4,
        minInsyncReplicas: 4,
        topics: [
          { name: 'bad name', partitions: 0, retentionHours: 0 },
          { name: 'ok', partitions: 1, retentionHours: 1 },
          { name: 'ok', partitions: 1, retentionHours: 1 },
        ],
        consumer: { batchSize: 0, maximumBatchingWindowSeconds: 301, minimumPollers: 0, maximumPollers: 0, retryAttempts: -2 },
      }),
    ).toEqual([
      "kafka.brokerInstanceType must be an MSK standard broker type such as kafka.t3.small or kafka.m7g.large (got 'm5.large')",
      "kafka.kafkaVersion must be one of 3.7.x.kraft, 3.8.x.kraft, 3.9.x.kraft, 4.0.x.kraft, 4.1.x.kraft (got '3.6.0')",
      'kafka.brokerCount must be a multiple of network.availabilityZones, 2 (got 3): MSK places the same number of brokers in every zone',
      'kafka.ebsVolumeGiB must be an integer between 1 and 16384 (got 0)',
      'kafka.replicationFactor must be an integer between 2 and 3 (got 4): at least 2 so a broker can fail, at most the broker count',
      'kafka.minInsyncReplicas must be an integer between 1 and 3 (got 4): below the replication factor, or one broker down stops every acks=all write',
      "kafka.topics[0].name must be 1-249 letters, digits, '.', '_' or '-' (got 'bad name')",
      'kafka.topics[0].partitions must be an integer between 1 and 1000 (got 0)',
      'kafka.topics[0].retentionHours must be an integer between 1 and 8760 (got 0)',
      "kafka.topics[2].name is already used by kafka.topics[1] (got 'ok')",
      'kafka.consumer.batchSize must be an integer between 1 and 10000 (got 0)',
      'kafka.consumer.maximumBatchingWindowSeconds must be an integer between 0 and 300 (got 301)',
      'kafka.consumer.minimumPollers must be an integer between 1 and 200 (got 0)',
      'kafka.consumer.maximumPollers must be an integer between 1 and 2000 (got 0)',
      'kafka.consumer.retryAttempts must be an integer between 0 and 10000 (got -2)',
    ]);
  });

  test('an empty topic list is reported', () => {
    expect(problemsOf({ ...DEV, topics: [] })).toEqual(['kafka.topics must list at least one topic (got none)']);
  });

  test('defaults to the newest KRaft version the broker type takes', () => {
    expect(defaultKafkaVersion('kafka.t3.small')).toBe('3.9.x.kraft');
    expect(defaultKafkaVersion('kafka.m7g.large')).toBe('4.1.x.kraft');
  });
});

describe('topic replacement guard', () => {
  test('the lock file records what each stage config deploys', () => {
    for (const stage of ['dev', 'prod'] as const) {
      const kafka = STAGE_CONFIGS[stage].kafka;
      expect(topicsLock[stage]).toEqual(
        kafka.topics.map((t) => ({ name: t.name, replicationFactor: kafka.replicationFactor, partitions: t.partitions })),
      );
    }
  });

  test('renaming a deployed topic or changing its replication factor stops synth with what to do', () => {
    const renamed: StageConfig = {
      ...STAGE_CONFIGS.prod,
      kafka: { ...STAGE_CONFIGS.prod.kafka, topics: [{ name: 'app-logs', partitions: 6, retentionHours: 168 }] },
    };
    expect(() => validateStageConfig(renamed)).toThrow(ConfigError);
    expect(() => validateStageConfig(renamed)).toThrow(
      "kafka.topics[0] would replace the deployed topic 'logs' (replication 3) with 'app-logs' (replication 3), deleting its data: set kafka.topics[0].replaceExisting: true to accept that, then record the new topic in lib/constructs/kafka/topics.lock.json under 'prod'",
    );
    const rf = topicReplacementProblems({ ...STAGE_CONFIGS.dev.kafka, replicationFactor: 3, brokerCount: 4 }, topicsLock.dev, 'dev');
    expect(rf).toHaveLength(1);
    expect(rf[0]).toContain("(replication 2) with 'logs' (replication 3)");
  });

  test('fewer partitions than the deployed topic has stop synth with what to do; a replaced topic may have fewer', () => {
    const kafka = STAGE_CONFIGS.prod.kafka;
    const deployed = topicsLock.prod[0].partitions;
    const fewer: StageConfig = { ...STAGE_CONFIGS.prod, kafka: { ...kafka, topics: [{ ...kafka.topics[0], partitions: 3 }] } };
    expect(() => validateStageConfig(fewer)).toThrow(
      `kafka.topics[0].partitions must be at least ${deployed}, the partitions the deployed topic 'logs' has (got 3): Kafka cannot remove partitions from a topic. ` +
        `Keep ${deployed} or more; to have fewer, give the topic a new name with kafka.topics[0].replaceExisting: true (which deletes the old topic and its data), then record it in lib/constructs/kafka/topics.lock.json under 'prod'`,
    );
    // replaceExisting alone does not replace a topic whose name and replication are unchanged: still refused.
    expect(
      topicReplacementProblems(
        { ...kafka, topics: [{ ...kafka.topics[0], partitions: 3, replaceExisting: true }] },
        topicsLock.prod,
        'prod',
      ),
    ).toHaveLength(1);
    expect(
      topicReplacementProblems(
        { ...kafka, topics: [{ name: 'logs-v2', partitions: 3, retentionHours: 168, replaceExisting: true }] },
        topicsLock.prod,
        'prod',
      ),
    ).toEqual([]);
  });

  test('an explicit replaceExisting, a partition change and a new topic pass', () => {
    const kafka = STAGE_CONFIGS.prod.kafka;
    expect(
      topicReplacementProblems(
        { ...kafka, topics: [{ name: 'app-logs', partitions: 6, retentionHours: 168, replaceExisting: true }] },
        topicsLock.prod,
        'prod',
      ),
    ).toEqual([]);
    expect(topicReplacementProblems({ ...kafka, topics: [{ ...kafka.topics[0], partitions: 36 }] }, topicsLock.prod, 'prod')).toEqual([]);
    expect(
      topicReplacementProblems(
        { ...kafka, topics: [...kafka.topics, { name: 'audit', partitions: 3, retentionHours: 24 }] },
        topicsLock.prod,
        'prod',
      ),
    ).toEqual([]);
  });

  test('a new replication factor under the same name is refused even with replaceExisting: a custom-named resource cannot be replaced under its name', () => {
    const kafka = STAGE_CONFIGS.prod.kafka;
    const sameName = { ...kafka, replicationFactor: 2, minInsyncReplicas: 1, topics: [{ ...kafka.topics[0], replaceExisting: true }] };
    expect(topicReplacementProblems(sameName, topicsLock.prod, 'prod')).toEqual([
      "kafka.topics[0] changes the replication factor of 'logs' (3 -> 2) under the same name: CloudFormation cannot replace a resource with a custom name under that name, so the deploy would fail. " +
        "Give the topic a new name as well (replaceExisting stays true), then record it in lib/constructs/kafka/topics.lock.json under 'prod'",
    ]);
    const renamed = { ...sameName, topics: [{ ...sameName.topics[0], name: 'logs-r2' }] };
    expect(topicReplacementProblems(renamed, topicsLock.prod, 'prod')).toEqual([]);
  });
});
