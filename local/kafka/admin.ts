/** Topic administration for local runs and tests, each call bounded by a timeout that names the broker. */
import { withTimeout } from './broker';
import { localKafka } from './producer';

export async function createTopic(bootstrap: string, topic: string, partitions: number, brokerName = bootstrap): Promise<void> {
  const admin = localKafka(bootstrap, 'log-pipeline-local-admin').admin();
  try {
    await withTimeout(admin.connect(), 30_000, `connecting to ${brokerName}`);
    await withTimeout(
      admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true }),
      30_000,
      `creating topic ${topic} on ${brokerName}`,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** partition → end offset (high watermark). */
export async function endOffsets(bootstrap: string, topic: string, brokerName = bootstrap): Promise<Map<number, number>> {
  const admin = localKafka(bootstrap, 'log-pipeline-local-admin').admin();
  try {
    await withTimeout(admin.connect(), 30_000, `connecting to ${brokerName}`);
    const offsets = await withTimeout(admin.fetchTopicOffsets(topic), 30_000, `end offsets of ${topic} on ${brokerName}`);
    return new Map(offsets.map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
