/**
 * The stream analytics job's rows into the lake on real software: the job's jar and main() on a local MiniCluster
 * with its exactly-once sink to a real Apache Kafka broker, the bundled realtime-rows Lambda behind the event
 * source mapping simulator (kafkajs, read_committed), and moto's S3. Every row the job committed is in the lake
 * once, under its kind and its window's hour; a message on the output topic that is not a row is under the
 * error prefix with its bytes.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { MSKEvent } from 'aws-lambda';
import type { RowErrorRecord } from '../../lambda/realtime-rows/rows';
import { functionEnvironment } from '../../lib/lambda-bundling';
import { bundleLambda, loadBundledHandler, LOCAL_BUILD_DIR } from '../../local/bundle';
import { createTopic } from '../../local/kafka/admin';
import { startKafkaBroker, withTimeout, type KafkaBroker } from '../../local/kafka/broker';
import { startEventSourceMapping, type BatchItemFailureResponse } from '../../local/kafka/event-source-mapping';
import { s3OnFailureDestination } from '../../local/kafka/on-failure';
import { localKafka } from '../../local/kafka/producer';
import { getBytes, listKeys } from '../../local/lake-inventory';
import { localS3Client, startMoto, type MotoServer } from '../../local/moto';
import { buildFlinkJar, publishRecords, readTopic, runBoundedJob, type JobRow, type LakeRecord } from '../../local/realtime/job';
import { ensurePythonEnv } from './helpers/python-env';

const FUNCTION = 'realtime-rows';
const WORK_DIR = path.join(LOCAL_BUILD_DIR, '..', 'integration-realtime-rows');
let moto: MotoServer;
let s3: S3Client;
let broker: KafkaBroker;
let bundle: string;
let classpathFile: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  ensurePythonEnv();
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  classpathFile = await buildFlinkJar(() => undefined);
  moto = await startMoto({ logFile: path.join(WORK_DIR, 'moto.log') });
  s3 = localS3Client(moto.endpoint);
  Object.assign(process.env, moto.sdkEnvironment, functionEnvironment(FUNCTION));
  broker = await startKafkaBroker({ dir: path.join(WORK_DIR, 'broker'), name: 'integration-test Kafka broker' });
  bundle = await bundleLambda(FUNCTION);
});

afterAll(async () => {
  await broker?.stop();
  await moto?.stop();
  process.env = savedEnv;
});

let n = 0;
function access(time: string, urlPath: string, status: number, host = 'web-1'): LakeRecord {
  n++;
  return {
    partition: 0,
    record: {
      event_id: n.toString(16).padStart(32, '0'),
      source: 'kafka',
      format: 'json',
      timestamp: `${time}Z`,
      ingested_at: `${time}Z`,
      host,
      app: 'shop',
      path: urlPath,
      status,
      bytes: 100 * n,
    },
  };
}

async function publishRaw(topic: string, values: string[]): Promise<void> {
  const producer = localKafka(broker.bootstrap, 'realtime-rows-test').producer({ allowAutoTopicCreation: false });
  await withTimeout(producer.connect(), 30_000, `connecting a producer to ${broker.describe()}`);
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ partition: 0, value })) });
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

test(
  "every row the job committed is in the lake once, under its kind and its window's hour; a non-row is an error with its bytes",
  async () => {
    const id = randomBytes(4).toString('hex');
    const topics = { records: `records-${id}`, output: `analytics-${id}` };
    const bucket = `lake-${id}`;
    const failedBatchesBucket = `failed-batches-${id}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: failedBatchesBucket }));
    await createTopic(broker.bootstrap, topics.records, 1, broker.describe());
    await createTopic(broker.bootstrap, topics.output, 1, broker.describe());

    // Two windows across an hour boundary, a late record, and a 5xx burst on web-2 (30 of 40: thresholds 20 and 20%).
    const records: LakeRecord[] = [
      access('2026-03-01T10:59:10.000', '/api/a', 200),
      access('2026-03-01T11:00:05.000', '/api/a', 200),
      access('2026-03-01T11:00:20.000', '/api/a', 200), // watermark 11:00:09.999: 10:59 fires
      access('2026-03-01T10:59:50.000', '/api/a', 500), // late
    ];
    for (let i = 0; i < 40; i++) {
      records.push(
        access(`2026-03-01T11:01:${String(10 + Math.floor(i / 4)).padStart(2, '0')}.000`, '/checkout/pay', i < 30 ? 503 : 200, 'web-2'),
      );
    }
    await publishRecords(broker.bootstrap, topics.records, records, broker.describe());
    // Not a lake record: the job writes an `invalid` row for it.
    await publishRaw(topics.records, ['not a record']);
    await runBoundedJob({
      classpathFile,
      bootstrap: broker.bootstrap,
      recordsTopic: topics.records,
      outputTopic: topics.output,
      groupId: `job-${id}`,
      logFile: path.join(WORK_DIR, 'flink.log'),
      timeoutMs: 4 * 60_000,
    });
    // Something else on the output topic that is not a row.
    await publishRaw(topics.output, ['{"kind":"minute"}']);
    const committed = await readTopic(broker.bootstrap, topics.output, broker.describe());
    const jobRows = committed.filter((v) => !v.includes('"minute"')).map((v) => JSON.parse(v) as JobRow);
    expect(new Set(jobRows.map((r) => r.kind))).toEqual(new Set(['window', 'late', 'burst', 'invalid']));

    Object.assign(process.env, { LAKE_BUCKET: bucket, AWS_ENDPOINT_URL_S3: moto.endpoint, S3_MAX_ATTEMPTS: '3' });
    let handler!: (event: MSKEvent) => Promise<BatchItemFailureResponse>;
    jest.isolateModules(() => {
      handler = loadBundledHandler<MSKEvent, BatchItemFailureResponse>(bundle, { logFile: path.join(WORK_DIR, `${FUNCTION}.log`) });
    });
    const esm = await startEventSourceMapping({
      bootstrap: broker.bootstrap,
      brokerName: broker.describe(),
      topic: topics.output,
      groupId: `rows-${id}`,
      handler,
      onFailure: s3OnFailureDestination(s3, failedBatchesBucket),
      batchSize: 20,
      batchingWindowMs: 200,
    });
    try {
      await esm.waitUntilCaughtUp(60_000);
    } finally {
      await esm.stop();
    }
    expect(esm.stats.recordsToOnFailure).toBe(0);

    const keys = await listKeys(s3, bucket);
    const lines = async (key: string) =>
      zlib
        .gunzipSync(await getBytes(s3, bucket, key))
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '');
    const lakeRows: { key: string; row: JobRow }[] = [];
    const errors: RowErrorRecord[] = [];
    for (const key of keys) {
      for (const line of await lines(key)) {
        if (key.startsWith('realtime/')) lakeRows.push({ key, row: JSON.parse(line) as JobRow });
        else if (key.startsWith('errors/realtime-rows-failed/')) errors.push(JSON.parse(line) as RowErrorRecord);
        else throw new Error(`unexpected object ${key}`);
      }
    }
    // Each committed row once, as the job wrote it.
    const canonical = (row: unknown) => JSON.stringify(row);
    expect(lakeRows.map((r) => canonical(r.row)).sort()).toEqual(jobRows.map(canonical).sort());
    for (const { key, row } of lakeRows) {
      const at = row.kind === 'invalid' ? undefined : String((row as { window_start?: string }).window_start);
      const partition =
        at === undefined
          ? /^realtime\/kind=invalid\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\//
          : `realtime/kind=${row.kind}/dt=${at.slice(0, 10)}/hour=${at.slice(11, 13)}/`;
      expect(key).toMatch(partition);
    }
    expect(lakeRows.filter((r) => r.key.includes('/hour=10/')).map((r) => r.row.kind)).toEqual(expect.arrayContaining(['window', 'late']));
    expect(lakeRows.filter((r) => r.row.kind === 'burst').map((r) => r.key)).toEqual([
      expect.stringMatching(/^realtime\/kind=burst\/dt=2026-03-01\/hour=11\/analytics-[0-9a-f]{8}-0-\d+\.gz$/),
    ]);
    expect(errors).toEqual([
      expect.objectContaining({ errorCode: 'invalid-row', rawData: Buffer.from('{"kind":"minute"}').toString('base64'), partition: 0 }),
    ]);
  },
  8 * 60_000,
);
