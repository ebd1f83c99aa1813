/**
 * The Kafka path on real software: a real Apache Kafka broker (KRaft, from the fetched jars), moto's S3,
 * the real bundled consumer Lambda behind the event source mapping simulator. Each test checks the lake
 * against the topic offset by offset (local/kafka/lake-account.ts): nothing missing, nothing twice.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { MSKEvent } from 'aws-lambda';
import type { KafkaErrorRecord } from '../../lambda/kafka-consumer/consume';
import { functionEnvironment } from '../../lib/lambda-bundling';
import { bundleLambda, loadBundledHandler, LOCAL_BUILD_DIR } from '../../local/bundle';
import { buildCorpus } from '../../local/corpus';
import { createTopic, endOffsets } from '../../local/kafka/admin';
import { startKafkaBroker, type KafkaBroker } from '../../local/kafka/broker';
import { consoleTools } from '../../local/kafka/console-tools';
import { startEventSourceMapping, type BatchItemFailureResponse, type EventSourceMapping } from '../../local/kafka/event-source-mapping';
import { accountKafkaLake, type KafkaLakeAccount } from '../../local/kafka/lake-account';
import { onFailureKeyPrefix, s3OnFailureDestination, type OnFailureRecord } from '../../local/kafka/on-failure';
import { produceLines } from '../../local/kafka/producer';
import { getBytes, listKeys } from '../../local/lake-inventory';
import { localS3Client, startMoto, type MotoServer } from '../../local/moto';
import { showNodeVersionWarningOnce } from '../../lib/cli/node-warnings';
import { recordValidator } from '../../lib/record-schema';
import { CONSUMER_FUNCTION } from '../../local/steps/kafka-path';
import { ensurePythonEnv } from './helpers/python-env';
import { startFailingS3Proxy } from './helpers/s3-failing-proxy';

const WORK_DIR = path.join(LOCAL_BUILD_DIR, '..', 'integration-kafka');
let moto: MotoServer;
let s3: S3Client;
let broker: KafkaBroker;
let bundle: string;
const savedEnv = { ...process.env };
const mappings: EventSourceMapping[] = [];

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
});

afterAll(async () => {
  await broker?.stop();
  await moto?.stop();
  process.env = savedEnv;
});

interface PathSetup {
  topic: string;
  bucket: string;
  /** The on-failure destination: a bucket of its own, as deployed (FailedBatchesBucket). */
  failedBatchesBucket: string;
  groupId: string;
}

async function freshPath(partitions = 3): Promise<PathSetup> {
  const id = randomBytes(4).toString('hex');
  const setup = {
    topic: `logs-${id}`,
    bucket: `kafka-lake-${id}`,
    failedBatchesBucket: `kafka-failed-batches-${id}`,
    groupId: `consumer-${id}`,
  };
  await s3.send(new CreateBucketCommand({ Bucket: setup.bucket }));
  await s3.send(new CreateBucketCommand({ Bucket: setup.failedBatchesBucket }));
  await createTopic(broker.bootstrap, setup.topic, partitions, broker.describe());
  return setup;
}

/** The bundled consumer, writing to `bucket` through `s3Endpoint` (moto, or a proxy in front of it). */
function consumer(bucket: string, s3Endpoint: string, s3MaxAttempts = 3) {
  Object.assign(process.env, { LAKE_BUCKET: bucket, AWS_ENDPOINT_URL_S3: s3Endpoint, S3_MAX_ATTEMPTS: String(s3MaxAttempts) });
  let handler!: (event: MSKEvent) => Promise<BatchItemFailureResponse>;
  jest.isolateModules(() => {
    handler = loadBundledHandler<MSKEvent, BatchItemFailureResponse>(bundle, { logFile: path.join(WORK_DIR, `${CONSUMER_FUNCTION}.log`) });
  });
  return handler;
}

async function mapping(
  setup: PathSetup,
  handler: (event: MSKEvent) => Promise<BatchItemFailureResponse>,
  maxRetryAttempts = 3,
): Promise<EventSourceMapping> {
  const started = await startEventSourceMapping({
    bootstrap: broker.bootstrap,
    brokerName: broker.describe(),
    topic: setup.topic,
    groupId: setup.groupId,
    handler,
    onFailure: s3OnFailureDestination(s3, setup.failedBatchesBucket),
    batchSize: 100,
    batchingWindowMs: 200,
    maxRetryAttempts,
    retryBackoffMs: 200,
  });
  mappings.push(started);
  return started;
}

async function account(setup: PathSetup): Promise<{ account: KafkaLakeAccount; inTopic: number }> {
  const ends = await endOffsets(broker.bootstrap, setup.topic, broker.describe());
  return {
    account: await accountKafkaLake(s3, setup.bucket, setup.failedBatchesBucket, setup.topic, ends, recordValidator()),
    inTopic: [...ends.values()].reduce((a, b) => a + b, 0),
  };
}

test('the broker SIGKILLed and restarted mid-run: every line arrives once (producer and consumer recover)', async () => {
  const setup = await freshPath();
  const lines = buildCorpus({ lines: 4_000, seed: 3, malformed: false }).lines;
  const esm = await mapping(setup, consumer(setup.bucket, moto.endpoint));
  let killed = false;
  let recovery: Promise<void> | undefined;
  const production = produceLines(broker.bootstrap, setup.topic, lines, {
    batchSize: 100,
    brokerName: broker.describe(),
    onProgress: (sent) => {
      if (sent >= 1_500 && !killed) {
        killed = true;
        // Mid-run: the producer has sends in flight and the mapping has uncommitted batches.
        recovery = broker.kill().then(() => broker.restart());
      }
    },
  });
  await production;
  expect(killed).toBe(true);
  await recovery;
  await esm.waitUntilCaughtUp(120_000);
  const { account: lake, inTopic } = await account(setup);
  expect(broker.startTimesMs.length).toBeGreaterThanOrEqual(2);
  expect(inTopic).toBe(lines.length); // idempotent producer: no line lost, none stored twice
  expect(lake.missing).toEqual([]);
  expect(lake.problems).toEqual([]);
  expect(lake.rawRecords - lake.duplicateEventIds).toBe(lines.length);
  expect(lake.onFailureRecords).toBe(0);
});

test('S3 writes failing for a while: batch item failures, retried from the failed offset, nothing lost or doubled', async () => {
  const setup = await freshPath();
  // Every raw object's first two writes fail (one SDK attempt each): each batch is retried twice, from
  // its first offset, well within the mapping's 10 retries, whatever the partitions' timing.
  const attempts = new Map<string, number>();
  const proxy = await startFailingS3Proxy({
    target: moto.endpoint,
    failing: (key) => {
      if (!key.startsWith('raw/source=kafka/')) return false;
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      return attempts.get(key)! <= 2;
    },
  });
  try {
    const lines = buildCorpus({ lines: 1_500, seed: 5, malformed: false }).lines;
    const esm = await mapping(setup, consumer(setup.bucket, proxy.endpoint, 1), 10);
    await produceLines(broker.bootstrap, setup.topic, lines, { brokerName: broker.describe() });
    await esm.waitUntilCaughtUp(120_000);
    const { account: lake } = await account(setup);
    expect(proxy.refused).toBe(2 * attempts.size);
    expect(esm.stats.partialFailures).toBe(proxy.refused);
    expect(esm.stats.retries).toBe(proxy.refused);
    expect(lake.missing).toEqual([]);
    // Retries wrote the same keys again: no second copy of any record.
    expect(lake.duplicateEventIds).toBe(0);
    expect(lake.rawRecords).toBe(lines.length);
    expect(lake.onFailureRecords).toBe(0);
  } finally {
    await proxy.close();
  }
});

test('S3 writes failing for longer than the retries: the batch goes to the on-failure destination, kept, and the partition moves on', async () => {
  const setup = await freshPath(1);
  const proxy = await startFailingS3Proxy({
    target: moto.endpoint,
    failing: (key) => key.startsWith('raw/source=kafka/') && key.endsWith('-0.gz'),
  });
  try {
    const lines = buildCorpus({ lines: 300, seed: 6, malformed: false }).lines;
    await produceLines(broker.bootstrap, setup.topic, lines, { brokerName: broker.describe() });
    const esm = await mapping(setup, consumer(setup.bucket, proxy.endpoint, 1), 2);
    await esm.waitUntilCaughtUp(120_000);
    const { account: lake } = await account(setup);
    // The first batch (offsets 0-99) could never be written: 1 attempt + 2 retries, then kept whole.
    expect(esm.stats.recordsToOnFailure).toBe(100);
    expect(lake.onFailureRecords).toBe(100);
    expect(lake.rawRecords).toBe(200);
    expect(lake.missing).toEqual([]);
    // Nothing of it in the lake: the failed batch is in the failed-batches bucket, under Lambda's key layout.
    expect((await listKeys(s3, setup.bucket)).filter((key) => !key.startsWith('raw/source=kafka/'))).toEqual([]);
    const onFailureKeys = await listKeys(s3, setup.failedBatchesBucket);
    expect(onFailureKeys).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${onFailureKeyPrefix(`${setup.topic}-0`)}\\d{4}/\\d{2}/\\d{2}/\\d{4}-\\d{2}-\\d{2}T\\d{2}\\.\\d{2}\\.\\d{2}-[0-9a-f-]{36}$`,
        ),
      ),
    ]);
    const record = JSON.parse((await getBytes(s3, setup.failedBatchesBucket, onFailureKeys[0])).toString('utf8')) as OnFailureRecord;
    expect(record.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 });
    expect(record.KafkaBatchInfo).toMatchObject({
      batchSize: 100,
      recordsInfo: { [`${setup.topic}-0`]: { firstRecordOffset: '0', lastRecordOffset: '99' } },
    });
    expect(record.payload.records[`${setup.topic}-0`].map((r) => r.offset)).toEqual([...Array(100).keys()]);
  } finally {
    await proxy.close();
  }
});

test('a batch item failure naming a record not in the event fails the whole batch, which is retried', async () => {
  const setup = await freshPath(1);
  const lines = buildCorpus({ lines: 150, seed: 8, malformed: false }).lines;
  await produceLines(broker.bootstrap, setup.topic, lines, { brokerName: broker.describe() });
  const real = consumer(setup.bucket, moto.endpoint);
  let calls = 0;
  // As Lambda does, the mapping must treat an identifier outside the event as a failure of the whole batch.
  const esm = await mapping(setup, async (event) => {
    const response = await real(event);
    return ++calls === 1 ? { batchItemFailures: [{ itemIdentifier: { partition: `${setup.topic}-0`, offset: 99_999 } }] } : response;
  });
  await esm.waitUntilCaughtUp(60_000);
  const { account: lake } = await account(setup);
  expect(esm.stats).toMatchObject({ functionErrors: 1, retries: 1, partialFailures: 0, recordsToOnFailure: 0 });
  expect(lake.missing).toEqual([]);
  expect(lake.duplicateEventIds).toBe(0);
  expect(lake.rawRecords).toBe(lines.length);
});

test('a poison record lands under errors/ with its bytes and the reason; its partition keeps moving', async () => {
  const setup = await freshPath(1);
  const good = buildCorpus({ lines: 400, seed: 7, malformed: false }).lines;
  const poison = [
    Buffer.from([0x63, 0x61, 0x66, 0xe9, 0xff, 0xfe]),
    Buffer.from('bin\u0000ary'),
    Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad]),
  ];
  const lines = [...good.slice(0, 150), poison[0], ...good.slice(150, 300), poison[1], poison[2], ...good.slice(300)];
  await produceLines(broker.bootstrap, setup.topic, lines, { brokerName: broker.describe() });
  const esm = await mapping(setup, consumer(setup.bucket, moto.endpoint));
  await esm.waitUntilCaughtUp(60_000);
  const { account: lake } = await account(setup);
  expect(lake.missing).toEqual([]);
  expect(lake.rawRecords).toBe(good.length);
  expect(lake.failedByReason).toEqual({ 'invalid-utf8': 1, 'binary-data': 1, 'corrupt-gzip': 1 });
  // The poison did not block anything: no retries, no function errors, no on-failure records.
  expect(esm.stats).toMatchObject({ retries: 0, functionErrors: 0, partialFailures: 0, recordsToOnFailure: 0 });
  const errorKeys = (await listKeys(s3, setup.bucket)).filter((key) => key.startsWith('errors/kafka-consumer-failed/'));
  const errors = (await Promise.all(errorKeys.map((key) => getBytes(s3, setup.bucket, key))))
    .flatMap((body) => zlib.gunzipSync(body).toString('utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as KafkaErrorRecord)
    .sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0));
  expect(errors.map((e) => [e.offset, e.errorCode])).toEqual([
    [150, 'invalid-utf8'],
    [301, 'binary-data'],
    [302, 'corrupt-gzip'],
  ]);
  expect(errors.map((e) => Buffer.from(e.rawData, 'base64'))).toEqual(poison);
});

test("the console tools --keep prints work against the broker: topics, the group's offsets, the topic's messages", async () => {
  const setup = await freshPath(1);
  await produceLines(broker.bootstrap, setup.topic, [Buffer.from('hello from the console test')], { brokerName: broker.describe() });
  const esm = await mapping(setup, consumer(setup.bucket, moto.endpoint));
  await esm.waitUntilCaughtUp(60_000);
  const [list, describe, group, read] = consoleTools(broker, setup.topic, setup.groupId).map((command) => {
    const [bin, ...args] = command.argv;
    const result = spawnSync(bin, args, { encoding: 'utf8', timeout: 60_000 });
    expect({ what: command.what, status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
      what: command.what,
      status: 0,
      stderr: '',
    });
    return result.stdout;
  });
  expect(list.split('\n')).toContain(setup.topic);
  expect(describe).toContain(`Topic: ${setup.topic}`);
  expect(group).toMatch(new RegExp(`${setup.groupId}\\s+${setup.topic}\\s+0\\s+1\\s+1\\s+0`));
  expect(read).toContain('hello from the console test');
  expect(read).toMatch(/Partition:0\s+Offset:0/);
});
