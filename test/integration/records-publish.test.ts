/**
 * The consumer publishing its records on real software: a real Apache Kafka broker (KRaft), moto's S3, the
 * real bundled consumer Lambda (RECORDS_TOPIC set, plaintext) behind the event source mapping simulator, and a
 * kafkajs consumer reading the records topic. What it reads must be exactly the lake's records, partition for
 * partition, in order. A records topic that does not exist yet gives batch item failures after the lake
 * writes; once it exists the retries publish everything, and the lake has each record once.
 *
 * It also measures the line → record hop: from a line produced to the log topic (its Kafka timestamp, which
 * the consumer writes as the record's `ingested_at`) to its record read from the records topic.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { MSKEvent } from 'aws-lambda';
import type { Consumer } from 'kafkajs';
import { REALTIME_TOPICS } from '../../contracts/realtime';
import { functionEnvironment } from '../../lib/lambda-bundling';
import { bundleLambda, loadBundledHandler, LOCAL_BUILD_DIR } from '../../local/bundle';
import { buildCorpus } from '../../local/corpus';
import { createTopic, endOffsets } from '../../local/kafka/admin';
import { startKafkaBroker, withTimeout, type KafkaBroker } from '../../local/kafka/broker';
import { startEventSourceMapping, type BatchItemFailureResponse, type EventSourceMapping } from '../../local/kafka/event-source-mapping';
import { accountKafkaLake } from '../../local/kafka/lake-account';
import { s3OnFailureDestination } from '../../local/kafka/on-failure';
import { localKafka, produceLines } from '../../local/kafka/producer';
import { getBytes, listKeys } from '../../local/lake-inventory';
import { localS3Client, startMoto, type MotoServer } from '../../local/moto';
import { showNodeVersionWarningOnce } from '../../lib/cli/node-warnings';
import { recordValidator } from '../../lib/record-schema';
import { CONSUMER_FUNCTION } from '../../local/steps/kafka-path';
import { ensurePythonEnv } from './helpers/python-env';

const WORK_DIR = path.join(LOCAL_BUILD_DIR, '..', 'integration-records-publish');
/** The simulator's batching window here; on AWS the mapping's maximumBatchingWindowSeconds takes its place. */
const BATCHING_WINDOW_MS = 500;
let moto: MotoServer;
let s3: S3Client;
let broker: KafkaBroker;
let bundle: string;
const savedEnv = { ...process.env };
const mappings: EventSourceMapping[] = [];
const readers: Consumer[] = [];

beforeAll(async () => {
  showNodeVersionWarningOnce();
  ensurePythonEnv();
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  moto = await startMoto({ logFile: path.join(WORK_DIR, 'moto.log') });
  s3 = localS3Client(moto.endpoint);
  Object.assign(process.env, moto.sdkEnvironment, functionEnvironment(CONSUMER_FUNCTION));
  broker = await startKafkaBroker({ dir: path.join(WORK_DIR, 'broker'), name: 'integration-test Kafka broker' });
  bundle = await bundleLambda(CONSUMER_FUNCTION);
});

afterEach(async () => {
  for (const mapping of mappings.splice(0)) await mapping.stop().catch(() => undefined);
  for (const reader of readers.splice(0)) await reader.disconnect().catch(() => undefined);
});

afterAll(async () => {
  await broker?.stop();
  await moto?.stop();
  process.env = savedEnv;
});

interface Setup {
  readonly topic: string;
  readonly recordsTopic: string;
  readonly bucket: string;
  readonly failedBatchesBucket: string;
  readonly groupId: string;
}

async function freshSetup(partitions: number, createRecordsTopic: boolean): Promise<Setup> {
  const id = randomBytes(4).toString('hex');
  const setup = {
    topic: `logs-${id}`,
    recordsTopic: `${REALTIME_TOPICS.records}-${id}`,
    bucket: `records-lake-${id}`,
    failedBatchesBucket: `records-failed-${id}`,
    groupId: `consumer-${id}`,
  };
  await s3.send(new CreateBucketCommand({ Bucket: setup.bucket }));
  await s3.send(new CreateBucketCommand({ Bucket: setup.failedBatchesBucket }));
  await createTopic(broker.bootstrap, setup.topic, partitions, broker.describe());
  if (createRecordsTopic) await createTopic(broker.bootstrap, setup.recordsTopic, partitions, broker.describe());
  return setup;
}

/** The bundled consumer with publishing on, plaintext, as `npm run local` runs it. */
function publishingConsumer(setup: Setup): (event: MSKEvent) => Promise<BatchItemFailureResponse> {
  Object.assign(process.env, {
    LAKE_BUCKET: setup.bucket,
    AWS_ENDPOINT_URL_S3: moto.endpoint,
    S3_MAX_ATTEMPTS: '3',
    RECORDS_TOPIC: setup.recordsTopic,
    KAFKA_BOOTSTRAP_BROKERS: broker.bootstrap,
    KAFKA_SECURITY: 'plaintext',
  });
  let handler!: (event: MSKEvent) => Promise<BatchItemFailureResponse>;
  jest.isolateModules(() => {
    handler = loadBundledHandler<MSKEvent, BatchItemFailureResponse>(bundle, { logFile: path.join(WORK_DIR, `${setup.topic}.log`) });
  });
  return handler;
}

async function mapping(setup: Setup, handler: (event: MSKEvent) => Promise<BatchItemFailureResponse>, maxRetryAttempts = 3) {
  const started = await startEventSourceMapping({
    bootstrap: broker.bootstrap,
    brokerName: broker.describe(),
    topic: setup.topic,
    groupId: setup.groupId,
    handler,
    onFailure: s3OnFailureDestination(s3, setup.failedBatchesBucket),
    batchSize: 100,
    batchingWindowMs: BATCHING_WINDOW_MS,
    maxRetryAttempts,
    retryBackoffMs: 200,
  });
  mappings.push(started);
  return started;
}

interface ReadMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string;
  readonly readAtMs: number;
}

/** A kafkajs consumer on the records topic from its beginning, collecting every message as it arrives. */
async function readRecordsTopic(topic: string): Promise<ReadMessage[]> {
  const messages: ReadMessage[] = [];
  const reader = localKafka(broker.bootstrap, 'records-publish-test-reader').consumer({
    groupId: `reader-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 50,
  });
  readers.push(reader);
  await withTimeout(reader.connect(), 30_000, 'connecting the records reader');
  await reader.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((resolve) => reader.on(reader.events.GROUP_JOIN, () => resolve()));
  await reader.run({
    eachMessage: async ({ partition, message }) => {
      messages.push({
        partition,
        offset: Number(message.offset),
        key: message.key?.toString('utf8') ?? null,
        value: message.value?.toString('utf8') ?? '',
        readAtMs: Date.now(),
      });
    },
  });
  await withTimeout(joined, 30_000, 'the records reader joining its group');
  return messages;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The lake's raw record lines per log-topic partition, in offset order (objects are `<topic>-<partition>-<first offset>.gz`). */
async function lakeLinesByPartition(bucket: string): Promise<Map<number, string[]>> {
  const keys = (await listKeys(s3, bucket)).filter((k) => k.startsWith('raw/source=kafka/'));
  const at = (key: string) => {
    const m = /-(\d+)-(\d+)\.gz$/.exec(key);
    if (!m) throw new Error(`lake object ${key} is not named <topic>-<partition>-<first offset>.gz`);
    return [Number(m[1]), Number(m[2])] as const;
  };
  keys.sort((a, b) => at(a)[0] - at(b)[0] || at(a)[1] - at(b)[1]);
  const byPartition = new Map<number, string[]>();
  for (const key of keys) {
    const lines = zlib
      .gunzipSync(await getBytes(s3, bucket, key))
      .toString('utf8')
      .split('\n')
      .filter(Boolean);
    byPartition.set(at(key)[0], [...(byPartition.get(at(key)[0]) ?? []), ...lines]);
  }
  return byPartition;
}

function topicByPartition(messages: readonly ReadMessage[]): Map<number, string[]> {
  const byPartition = new Map<number, string[]>();
  for (const m of [...messages].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
    byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), m.value]);
  }
  return byPartition;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

test("the records topic holds exactly the lake's records, per partition in offset order, each keyed by its event id; the line → record hop", async () => {
  const setup = await freshSetup(3, true);
  const messages = await readRecordsTopic(setup.recordsTopic);
  const esm = await mapping(setup, publishingConsumer(setup));
  const lines = buildCorpus({ lines: 3_000, seed: 11, malformed: false }).lines;
  // Paced, as a log agent flushes: 30 sends of 100 lines, 200 ms apart, so the hop is measured under a flow.
  for (let i = 0; i < lines.length; i += 100) {
    await produceLines(broker.bootstrap, setup.topic, lines.slice(i, i + 100), { brokerName: broker.describe() });
    await new Promise((r) => setTimeout(r, 200));
  }
  await esm.waitUntilCaughtUp(120_000);
  const lake = await lakeLinesByPartition(setup.bucket);
  const lakeRecords = [...lake.values()].reduce((sum, l) => sum + l.length, 0);
  expect(lakeRecords).toBe(lines.length);
  await until(() => messages.length >= lakeRecords, 60_000, `${lakeRecords} records on ${setup.recordsTopic}`);
  // A moment more: anything published twice would show up now.
  await new Promise((r) => setTimeout(r, 1_000));

  expect(esm.stats).toMatchObject({ partialFailures: 0, functionErrors: 0, recordsToOnFailure: 0 });
  expect(messages).toHaveLength(lakeRecords);
  expect([...topicByPartition(messages).entries()].sort()).toEqual([...lake.entries()].sort());
  expect([...lake.keys()].sort()).toEqual([0, 1, 2]);
  for (const m of messages) expect(m.key).toBe((JSON.parse(m.value) as { event_id: string }).event_id);

  // What GZIP made of the records on the broker's disk (record batches as this flow sends them), against the log bytes.
  const dataDir = path.join(broker.dir, 'data');
  const partitionDir = new RegExp(`^${setup.recordsTopic.replace(/[.]/g, '\\.')}-\\d+$`);
  const topicBytes = fs
    .readdirSync(dataDir)
    .filter((d) => partitionDir.test(d))
    .flatMap((d) =>
      fs
        .readdirSync(path.join(dataDir, d))
        .filter((f) => f.endsWith('.log'))
        .map((f) => fs.statSync(path.join(dataDir, d, f)).size),
    )
    .reduce((a, b) => a + b, 0);
  const logBytes = lines.reduce((sum, l) => sum + l.length + 1, 0);
  const jsonBytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.value), 0);
  const size = {
    logBytes,
    recordJsonBytes: jsonBytes,
    recordsTopicBytes: topicBytes,
    ofLogBytes: Number((topicBytes / logBytes).toFixed(3)),
  };
  fs.writeFileSync(path.join(WORK_DIR, 'records-topic-bytes.json'), `${JSON.stringify(size, null, 2)}\n`);
  console.log(`records topic on disk (GZIP batches): ${JSON.stringify(size)}`);
  expect(topicBytes).toBeGreaterThan(0);
  expect(topicBytes).toBeLessThan(jsonBytes);

  const hops = messages
    .map((m) => m.readAtMs - Date.parse((JSON.parse(m.value) as { ingested_at: string }).ingested_at))
    .sort((a, b) => a - b);
  const hop = {
    records: hops.length,
    batchingWindowMs: BATCHING_WINDOW_MS,
    p50: percentile(hops, 50),
    p95: percentile(hops, 95),
    max: hops[hops.length - 1],
  };
  fs.writeFileSync(path.join(WORK_DIR, 'line-to-record-hop.json'), `${JSON.stringify(hop, null, 2)}\n`);
  console.log(`line → record hop (ms), batching window ${BATCHING_WINDOW_MS} ms: ${JSON.stringify(hop)}`);
  expect(hop.p50).toBeGreaterThanOrEqual(0);
  // The window plus one invocation and a send, on a loaded 2-core machine: far below the analytics' 10 s bound.
  expect(hop.p95).toBeLessThan(10_000);
});

test('a records topic that does not exist yet: batch item failures after the lake writes; once it exists, everything is published, nothing lost or doubled', async () => {
  const setup = await freshSetup(2, false);
  const esm = await mapping(setup, publishingConsumer(setup), 50);
  const lines = buildCorpus({ lines: 600, seed: 12, malformed: false }).lines;
  await produceLines(broker.bootstrap, setup.topic, lines, { brokerName: broker.describe() });

  await until(() => esm.stats.partialFailures >= 2, 120_000, 'publish failures reported as batch item failures');
  // The lake was written before each failed publish: the lake stays the source of truth.
  const written = (await listKeys(s3, setup.bucket)).filter((k) => k.startsWith('raw/source=kafka/'));
  expect(written.length).toBeGreaterThan(0);
  const log = fs.readFileSync(path.join(WORK_DIR, `${setup.topic}.log`), 'utf8');
  expect(log).toContain('Publishing to the records topic failed after the lake writes');
  expect(log).toMatch(/"RecordsPublishFailures":\s*[1-9]/);

  await createTopic(broker.bootstrap, setup.recordsTopic, 2, broker.describe());
  await esm.waitUntilCaughtUp(180_000);
  const messages = await readRecordsTopic(setup.recordsTopic);
  const lake = await lakeLinesByPartition(setup.bucket);
  const lakeRecords = [...lake.values()].reduce((sum, l) => sum + l.length, 0);
  await until(() => messages.length >= lakeRecords, 60_000, `${lakeRecords} records on ${setup.recordsTopic}`);
  await new Promise((r) => setTimeout(r, 1_000));

  // The retries overwrote the same lake keys: each line once in the lake.
  const ends = await endOffsets(broker.bootstrap, setup.topic, broker.describe());
  const account = await accountKafkaLake(s3, setup.bucket, setup.failedBatchesBucket, setup.topic, ends, recordValidator());
  expect(account.missing).toEqual([]);
  expect(account.duplicateEventIds).toBe(0);
  expect(account.rawRecords).toBe(lines.length);
  expect(esm.stats.recordsToOnFailure).toBe(0);
  expect(esm.stats.retries).toBeGreaterThanOrEqual(2);
  // A send to a missing topic writes nothing, so the records topic holds each record once, in order.
  expect(messages).toHaveLength(lines.length);
  expect([...topicByPartition(messages).entries()].sort()).toEqual([...lake.entries()].sort());
});
