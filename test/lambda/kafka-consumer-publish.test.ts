/**
 * The consumer's publishing logic (lambda/kafka-consumer/publish.ts, consume.ts's deliverPlan with a
 * publisher, records-producer.ts's client settings). The real producer against a real broker:
 * test/integration/records-publish.test.ts.
 */
import * as zlib from 'node:zlib';
import { deliverPlan, planBatch, type PlannedObject } from '../../lambda/kafka-consumer/consume';
import {
  chunkMessages,
  MAX_SEND_BYTES,
  PublishTimeoutError,
  readPublishConfig,
  recordMessages,
  recordPublisher,
  type RecordMessage,
} from '../../lambda/kafka-consumer/publish';
import { CompressionTypes } from 'kafkajs';
import { kafkaClientConfig, PRODUCER_CONFIG, SEND_OPTIONS } from '../../lambda/kafka-consumer/records-producer';
import { ConfigurationError, EnvironmentReader } from '../../lambda/shared/environment';
import { mskEvent } from './helpers/msk-events';

const APACHE = '203.0.113.9 - - [25/Nov/2026:11:52:39 +0000] "GET /index.html HTTP/1.1" 200 5120';
const SYSLOG = '<34>Nov 25 11:52:39 web-1 sshd[4242]: Accepted publickey for deploy';

function publishConfig(env: NodeJS.ProcessEnv) {
  const read = new EnvironmentReader(env);
  const config = readPublishConfig(env, read);
  read.done();
  return config;
}

describe('readPublishConfig', () => {
  test('publishing is off when RECORDS_TOPIC is unset or blank, whatever else is set', () => {
    expect(publishConfig({})).toBeUndefined();
    expect(publishConfig({ RECORDS_TOPIC: '  ', KAFKA_SECURITY: 'nonsense' })).toBeUndefined();
  });

  test('the topic, the brokers, the security mode and the region', () => {
    expect(
      publishConfig({
        RECORDS_TOPIC: 'log-records',
        KAFKA_BOOTSTRAP_BROKERS: 'b-1.x.kafka.eu-west-1.amazonaws.com:9098, b-2.x.kafka.eu-west-1.amazonaws.com:9098',
        KAFKA_SECURITY: 'msk-iam',
        AWS_REGION: 'eu-west-1',
      }),
    ).toEqual({
      topic: 'log-records',
      brokers: ['b-1.x.kafka.eu-west-1.amazonaws.com:9098', 'b-2.x.kafka.eu-west-1.amazonaws.com:9098'],
      security: 'msk-iam',
      region: 'eu-west-1',
    });
    expect(publishConfig({ RECORDS_TOPIC: 'log-records', KAFKA_BOOTSTRAP_BROKERS: '127.0.0.1:9092', KAFKA_SECURITY: 'plaintext' })).toEqual(
      {
        topic: 'log-records',
        brokers: ['127.0.0.1:9092'],
        security: 'plaintext',
        region: '',
      },
    );
  });

  test('every problem named at once, with what to change', () => {
    expect(() => publishConfig({ RECORDS_TOPIC: 'log records' })).toThrow(
      new ConfigurationError(
        "Invalid environment: RECORDS_TOPIC must be a Kafka topic name of letters, digits, '.', '_' and '-' (got 'log records'); KAFKA_BOOTSTRAP_BROKERS must be set; KAFKA_SECURITY must be set",
      ),
    );
    expect(() =>
      publishConfig({ RECORDS_TOPIC: 'log-records', KAFKA_BOOTSTRAP_BROKERS: 'b-1:9098,https://b-2', KAFKA_SECURITY: 'sasl_ssl' }),
    ).toThrow(
      "KAFKA_BOOTSTRAP_BROKERS must be comma-separated host:port pairs (got 'https://b-2'); KAFKA_SECURITY must be one of msk-iam, plaintext (got 'sasl_ssl')",
    );
    expect(() => publishConfig({ RECORDS_TOPIC: 'log-records', KAFKA_BOOTSTRAP_BROKERS: 'b-1:9098', KAFKA_SECURITY: 'msk-iam' })).toThrow(
      'AWS_REGION must be set with KAFKA_SECURITY=msk-iam (the token is signed for it)',
    );
  });
});

describe('recordMessages', () => {
  const plan = planBatch(mskEvent({ 'logs-2': [{ value: `${APACHE}\n${SYSLOG}` }, { value: APACHE }] }), { keepJsonLines: true });
  const raw = plan.partitions[0].groups[0].objects[0];

  test("each message is one of the lake object's lines, byte for byte, keyed by its event id", () => {
    const lakeLines = zlib.gunzipSync(raw.body).toString('utf8').split('\n').filter(Boolean);
    const messages = recordMessages(raw.jsonLines!);
    expect(messages.map((m) => m.value)).toEqual(lakeLines);
    expect(messages.map((m) => m.key)).toEqual(lakeLines.map((l) => (JSON.parse(l) as { event_id: string }).event_id));
    expect(messages.every((m) => /^[0-9a-f]{32}$/.test(m.key!))).toBe(true);
  });

  test('only with keepJsonLines, and only raw objects carry lines', () => {
    expect(planBatch(mskEvent({ 'logs-2': [{ value: APACHE }] })).partitions[0].groups[0].objects[0].jsonLines).toBeUndefined();
    const withError = planBatch(mskEvent({ 'logs-0': [{ value: APACHE }, { value: Buffer.from([0xff]) }] }), { keepJsonLines: true });
    expect(withError.partitions[0].groups[0].objects.map((o) => [o.kind, o.jsonLines !== undefined])).toEqual([
      ['raw', true],
      ['error', false],
    ]);
  });

  test('a line not starting with an event id gets no key; empty lines give no message', () => {
    expect(recordMessages('{"a":1}\n\n{"event_id":"0123456789abcdef0123456789abcdef","x":2}\n')).toEqual([
      { key: null, value: '{"a":1}' },
      { key: '0123456789abcdef0123456789abcdef', value: '{"event_id":"0123456789abcdef0123456789abcdef","x":2}' },
    ]);
  });

  test('the plan names the partition number of its key', () => {
    expect(plan.partitions.map((p) => [p.partitionKey, p.partition])).toEqual([['logs-2', 2]]);
  });
});

describe('chunkMessages', () => {
  const message = (bytes: number, key: string | null = null): RecordMessage => ({ key, value: 'x'.repeat(bytes) });

  test('in order, each send at most the bound; a message larger than the bound goes alone', () => {
    const messages = [message(400), message(400), message(300), message(1_500), message(100, 'k'.repeat(32))];
    const chunks = chunkMessages(messages, 1_000);
    expect(chunks.map((c) => c.map((m) => m.value.length))).toEqual([[400, 400], [300], [1_500], [100]]);
    expect(chunks.flat()).toEqual(messages);
  });

  test("the default bound keeps a send under the broker's 1 MB record batch even uncompressed", () => {
    expect(MAX_SEND_BYTES).toBeLessThan(1_000_000);
    const chunks = chunkMessages(Array.from({ length: 3_000 }, () => message(1_000)));
    expect(chunks.length).toBe(4);
    expect(chunks.every((c) => c.reduce((s, m) => s + m.value.length, 0) <= MAX_SEND_BYTES)).toBe(true);
  });

  test('multi-byte characters count as their UTF-8 bytes', () => {
    expect(
      chunkMessages(
        [
          { key: null, value: 'é'.repeat(300) },
          { key: null, value: 'é'.repeat(300) },
        ],
        1_000,
      ),
    ).toHaveLength(2);
  });
});

describe('recordPublisher', () => {
  const lines = Array.from({ length: 5 }, (_, i) => `{"event_id":"${String(i).padStart(32, '0')}","n":${i}}\n`).join('');

  test('sends one after the other to the given partition, in order, and counts the messages', async () => {
    const sends: [number, string[]][] = [];
    let inFlight = 0;
    const publish = recordPublisher(
      async (partition, messages) => {
        expect(++inFlight).toBe(1);
        await new Promise((r) => setTimeout(r, 2));
        sends.push([partition, messages.map((m) => m.value)]);
        inFlight--;
      },
      { maxSendBytes: 200 },
    );
    expect(await publish(3, lines)).toEqual({ published: 5, tooLarge: 0 });
    expect(sends.map(([p]) => p)).toEqual([3, 3, 3]);
    expect(sends.flatMap(([, v]) => v)).toEqual(lines.trim().split('\n'));
  });

  test('a send still pending at the deadline fails the publish with PublishTimeoutError', async () => {
    const publish = recordPublisher(() => new Promise<void>(() => undefined), { deadline: () => Date.now() + 20 });
    await expect(publish(0, lines)).rejects.toThrow(PublishTimeoutError);
  });

  test('no send starts once the deadline has passed', async () => {
    let calls = 0;
    const publish = recordPublisher(
      async () => {
        calls++;
      },
      { deadline: () => Date.now() - 1 },
    );
    await expect(publish(0, lines)).rejects.toThrow(PublishTimeoutError);
    expect(calls).toBe(0);
  });

  test('a message over the send bound alone is left out and counted; the rest are sent in order', async () => {
    const big = `{"event_id":"${'f'.repeat(32)}","pad":"${'x'.repeat(300)}"}\n`;
    const sent: string[] = [];
    const publish = recordPublisher(
      async (_, messages) => {
        sent.push(...messages.map((m) => m.value));
      },
      { maxSendBytes: 200 },
    );
    const text = lines.split('\n').slice(0, 2).join('\n') + '\n' + big + lines.split('\n').slice(2).join('\n');
    expect(await publish(0, text)).toEqual({ published: 5, tooLarge: 1 });
    expect(sent).toEqual(lines.trim().split('\n'));
  });

  test('a failed send fails the publish, and nothing after it is sent', async () => {
    let calls = 0;
    const publish = recordPublisher(
      async () => {
        if (++calls === 2) throw new Error('NOT_LEADER_OR_FOLLOWER');
      },
      { maxSendBytes: 90 },
    );
    await expect(publish(0, lines)).rejects.toThrow('NOT_LEADER_OR_FOLLOWER');
    expect(calls).toBe(2);
  });
});

describe('deliverPlan with a publisher', () => {
  const beforeMidnight = Date.UTC(2026, 10, 30, 23, 59, 59);
  const event = mskEvent({
    'logs-0': [{ value: APACHE }, { value: SYSLOG }],
    'logs-1': [
      { value: APACHE, timestamp: beforeMidnight },
      { value: Buffer.from([0xff]), timestamp: beforeMidnight },
      { value: APACHE, timestamp: beforeMidnight + 2000 },
    ],
  });

  function recorder(
    options: { failWrite?: (o: PlannedObject) => boolean; failPublish?: (partition: number, lines: string) => boolean } = {},
  ) {
    const steps: string[] = [];
    const published: [number, string][] = [];
    const write = async (object: PlannedObject) => {
      if (options.failWrite?.(object)) throw new Error('SlowDown');
      steps.push(`write ${object.key}`);
    };
    const publish = async (partition: number, jsonLines: string) => {
      if (options.failPublish?.(partition, jsonLines)) throw new Error('KafkaJSNumberOfRetriesExceeded: broker down');
      steps.push(`publish ${partition} ${recordMessages(jsonLines).length}`);
      published.push([partition, jsonLines]);
      return { published: recordMessages(jsonLines).length, tooLarge: 0 };
    };
    return { steps, published, write, publish };
  }

  test("each group's raw records are published after its objects are written, to its partition number; error records are not", async () => {
    const r = recorder();
    const plan = planBatch(event, { keepJsonLines: true });
    const outcome = await deliverPlan(plan, r.write, r.publish);
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(outcome.recordsPublished).toBe(4);
    expect(outcome.recordsTooLargeToPublish).toBe(0);
    expect(outcome.publishFailures).toEqual([]);
    const ofPartition = (p: string) => r.steps.filter((s) => s.includes(`logs-${p}-`) || s.startsWith(`publish ${p} `));
    expect(ofPartition('0')).toEqual(['write raw/source=kafka/dt=2026-11-25/logs-0-100.gz', 'publish 0 2']);
    expect(ofPartition('1')).toEqual([
      'write raw/source=kafka/dt=2026-11-30/logs-1-100.gz',
      'write errors/kafka-consumer-failed/dt=2026-11-30/logs-1-100.gz',
      'publish 1 1',
      'write raw/source=kafka/dt=2026-12-01/logs-1-102.gz',
      'publish 1 1',
    ]);
    // What was published is what the lake holds, object for object.
    const rawObjects = plan.partitions.flatMap((p) => p.groups.flatMap((g) => g.objects.filter((o) => o.kind === 'raw')));
    expect(r.published.map(([, text]) => text).sort()).toEqual(rawObjects.map((o) => zlib.gunzipSync(o.body).toString('utf8')).sort());
  });

  test('a failed publish is a batch item failure at its group, after the lake write; other partitions go on', async () => {
    const r = recorder({ failPublish: (partition, lines) => partition === 1 && lines.includes('"ingested_at":"2026-12-01') });
    const outcome = await deliverPlan(planBatch(event, { keepJsonLines: true }), r.write, r.publish);
    // logs-1's second group (offset 102, the next day) failed to publish: its object is in the lake, and the
    // retry from 102 writes the same key again.
    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: 'logs-1', offset: 102 } }] });
    expect(r.steps).toContain('write raw/source=kafka/dt=2026-12-01/logs-1-102.gz');
    expect(outcome.publishFailures).toEqual([
      {
        partitionKey: 'logs-1',
        offset: 102,
        key: 'raw/source=kafka/dt=2026-12-01/logs-1-102.gz',
        error: 'Error: KafkaJSNumberOfRetriesExceeded: broker down',
      },
    ]);
    expect(outcome.recordsToRetry).toBe(1);
    expect(outcome.recordsPublished).toBe(3);
    expect(outcome.writeFailures).toEqual([]);
  });

  test('a failed write publishes nothing of its group and nothing after it', async () => {
    const r = recorder({ failWrite: (o) => o.key.startsWith('errors/') });
    const outcome = await deliverPlan(planBatch(event, { keepJsonLines: true }), r.write, r.publish);
    expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: 'logs-1', offset: 100 } }] });
    expect(r.steps.filter((s) => s.startsWith('publish'))).toEqual(['publish 0 2']);
  });

  test('a plan without JSON lines cannot publish: each partition is a batch item failure, not a silent skip', async () => {
    const r = recorder();
    const outcome = await deliverPlan(planBatch(event), r.write, r.publish);
    expect(outcome.response.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'logs-0', offset: 100 } },
      { itemIdentifier: { partition: 'logs-1', offset: 100 } },
    ]);
    expect(outcome.publishFailures.map((f) => f.error)).toEqual([
      'Error: the plan kept no JSON lines to publish (PlanOptions.keepJsonLines)',
      'Error: the plan kept no JSON lines to publish (PlanOptions.keepJsonLines)',
    ]);
  });

  test('records too large to publish are counted, and do not fail their partition', async () => {
    const r = recorder();
    const publish = async (partition: number, jsonLines: string) => ({ ...(await r.publish(partition, jsonLines)), tooLarge: 1 });
    const outcome = await deliverPlan(planBatch(event, { keepJsonLines: true }), r.write, publish);
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(outcome.recordsTooLargeToPublish).toBe(3);
  });

  test('without a publisher nothing is published and the outcome says 0', async () => {
    const r = recorder();
    const outcome = await deliverPlan(planBatch(event), r.write);
    expect(outcome.recordsPublished).toBe(0);
    expect(r.steps.some((s) => s.startsWith('publish'))).toBe(false);
  });
});

describe('the Kafka client settings', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('the producer is idempotent with one request in flight, creates no topic, and sends acks=all GZIP batches', () => {
    expect(PRODUCER_CONFIG).toMatchObject({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    expect(SEND_OPTIONS).toEqual({ acks: -1, compression: CompressionTypes.GZIP });
  });

  test('plaintext: no TLS, no SASL (the local broker)', () => {
    const config = kafkaClientConfig({ topic: 'log-records', brokers: ['127.0.0.1:9092'], security: 'plaintext', region: '' });
    expect(config).toMatchObject({ brokers: ['127.0.0.1:9092'], retry: { retries: 5 } });
    expect(config.ssl).toBeUndefined();
    expect(config.sasl).toBeUndefined();
  });

  test("msk-iam: TLS and SASL OAUTHBEARER with a token the signer makes from the role's credentials, for the region", async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session' });
    delete process.env.AWS_PROFILE;
    const config = kafkaClientConfig({ topic: 'log-records', brokers: ['b-1:9098'], security: 'msk-iam', region: 'eu-west-1' });
    expect(config.ssl).toBe(true);
    expect(config.sasl?.mechanism).toBe('oauthbearer');
    const provider = (config.sasl as { oauthBearerProvider: () => Promise<{ value: string }> }).oauthBearerProvider;
    const { value } = await provider();
    // The token is the base64url of a SigV4-presigned kafka-cluster:Connect URL for the region's MSK host.
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session');
  });
});
