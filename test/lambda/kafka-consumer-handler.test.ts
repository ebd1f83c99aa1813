/**
 * The consumer's entry point with its real module-scope clients: Powertools Logger/Metrics and an
 * S3Client writing over HTTP to a local endpoint that answers PutObject like S3 (and fails on demand).
 */
import * as zlib from 'node:zlib';
import type { Context, MSKEvent } from 'aws-lambda';
import { mskEvent } from './helpers/msk-events';
import { startS3CaptureServer, type S3CaptureServer } from './helpers/s3-capture-server';
import { withJsonOutput } from './helpers/handler-output';

type HandlerModule = typeof import('../../lambda/kafka-consumer/index');

const saved = { ...process.env };
let s3: S3CaptureServer;
let mod: HandlerModule;
/** The same entry point loaded with publishing on, to a broker that is never reached. */
let publishing: HandlerModule;

beforeAll(async () => {
  s3 = await startS3CaptureServer();
  // Set before the module loads: it reads its environment and builds its clients once, at cold start.
  Object.assign(process.env, {
    LAKE_BUCKET: 'log-pipeline-lake-test',
    POWERTOOLS_SERVICE_NAME: 'kafka-consumer',
    POWERTOOLS_METRICS_NAMESPACE: 'LogPipelineTest',
    S3_MAX_ATTEMPTS: '2',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
  });
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../../lambda/kafka-consumer/index') as HandlerModule;
  });
  Object.assign(process.env, { RECORDS_TOPIC: 'log-records', KAFKA_BOOTSTRAP_BROKERS: '127.0.0.1:9', KAFKA_SECURITY: 'plaintext' });
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    publishing = require('../../lambda/kafka-consumer/index') as HandlerModule;
  });
  for (const name of ['RECORDS_TOPIC', 'KAFKA_BOOTSTRAP_BROKERS', 'KAFKA_SECURITY']) delete process.env[name];
});

afterAll(async () => {
  await s3?.close();
  process.env = saved;
});

beforeEach(() => {
  s3.puts.length = 0;
  s3.rejected.length = 0;
  s3.failWhen = () => false;
});

async function invoke(
  event: MSKEvent,
  handlerModule: HandlerModule = mod,
  context?: Context,
): Promise<{ result: Awaited<ReturnType<HandlerModule['handler']>>; output: Record<string, unknown>[] }> {
  return withJsonOutput(() => handlerModule.handler(event, context));
}

const APACHE = '203.0.113.9 - - [25/Nov/2026:11:52:39 +0000] "GET /index.html HTTP/1.1" 200 5120';

test('writes GZIP JSON lines to the lake bucket, publishes counts, answers with no failures', async () => {
  const event = mskEvent({ 'logs-0': [{ value: APACHE }, { value: null }], 'logs-1': [{ value: Buffer.from([0xc3, 0x28]) }] });
  const { result, output } = await invoke(event);
  expect(result).toEqual({ batchItemFailures: [] });
  expect(s3.puts.map((p) => [p.bucket, p.key]).sort()).toEqual([
    ['log-pipeline-lake-test', 'errors/kafka-consumer-failed/dt=2026-11-25/logs-1-100.gz'],
    ['log-pipeline-lake-test', 'raw/source=kafka/dt=2026-11-25/logs-0-100.gz'],
  ]);
  const raw = s3.puts.find((p) => p.key.startsWith('raw/'))!;
  expect(JSON.parse(zlib.gunzipSync(raw.body).toString())).toMatchObject({ source: 'kafka', format: 'common', status: 200 });
  expect(raw.metadata).toEqual({ 'first-offset': '100', 'last-offset': '101', records: '2' });
  const emf = output.find((entry) => '_aws' in entry);
  expect(emf).toMatchObject({
    KafkaRecords: 3,
    ParsedLines: 1,
    FailedRecords: 1,
    DroppedRecords: 1,
    LakeWriteFailures: 0,
    service: 'kafka-consumer',
  });
  expect(output.some((entry) => entry.message === 'Records kept under the error prefix (not decodable)')).toBe(true);
});

test('a write S3 keeps refusing becomes a batch item failure for that partition only, after the SDK retries', async () => {
  s3.failWhen = (key) => key.includes('logs-1-');
  const event = mskEvent({ 'logs-0': [{ value: APACHE }], 'logs-1': [{ value: APACHE }, { value: APACHE }] }, 7);
  const { result, output } = await invoke(event);
  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: 'logs-1', offset: 7 } }] });
  expect(s3.puts.map((p) => p.key)).toEqual(['raw/source=kafka/dt=2026-11-25/logs-0-7.gz']);
  // S3_MAX_ATTEMPTS=2: the real client retried the 503 once before giving up.
  expect(s3.rejected).toEqual(['raw/source=kafka/dt=2026-11-25/logs-1-7.gz', 'raw/source=kafka/dt=2026-11-25/logs-1-7.gz']);
  const error = output.find(
    (entry) => entry.message === 'Lake writes failed; reported as batch item failures for the mapping to retry',
  ) as {
    writeFailures: { error: string }[];
  };
  expect(error.writeFailures[0].error).toMatch(/SlowDown|reduce your request rate/);
});

test('the retried batch overwrites the same object', async () => {
  const event = mskEvent({ 'logs-0': [{ value: APACHE }, { value: APACHE }] }, 50);
  await invoke(event);
  await invoke(mskEvent({ 'logs-0': [{ value: APACHE }, { value: APACHE }, { value: APACHE }] }, 50));
  expect(s3.puts.map((p) => p.key)).toEqual(['raw/source=kafka/dt=2026-11-25/logs-0-50.gz', 'raw/source=kafka/dt=2026-11-25/logs-0-50.gz']);
});

describe('readConfig', () => {
  const base = { LAKE_BUCKET: 'my-lake', POWERTOOLS_SERVICE_NAME: 's', POWERTOOLS_METRICS_NAMESPACE: 'n' };

  test('the bucket and both Powertools variables are required', () => {
    expect(() => mod.readConfig({})).toThrow(mod.ConfigurationError);
    expect(() => mod.readConfig({})).toThrow(
      'Invalid environment: LAKE_BUCKET must be set; POWERTOOLS_SERVICE_NAME must be set; POWERTOOLS_METRICS_NAMESPACE must be set',
    );
  });

  test('LAKE_BUCKET must be a bucket name, S3_MAX_ATTEMPTS an integer from 1 to 10', () => {
    expect(mod.readConfig(base)).toEqual({ lakeBucket: 'my-lake', serviceName: 's', metricsNamespace: 'n', s3MaxAttempts: 3 });
    expect(mod.readConfig({ ...base, S3_MAX_ATTEMPTS: '10' }).s3MaxAttempts).toBe(10);
    expect(() => mod.readConfig({ ...base, LAKE_BUCKET: 'arn:aws:s3:::my-lake' })).toThrow(
      "LAKE_BUCKET must be an S3 bucket name (got 'arn:aws:s3:::my-lake')",
    );
    expect(() => mod.readConfig({ ...base, S3_MAX_ATTEMPTS: '0' })).toThrow(
      "S3_MAX_ATTEMPTS must be an integer between 1 and 10 (got '0')",
    );
  });
});

test("publishing: no send starts within 5 s of the invocation's timeout; the lake has the records and the partitions retry", async () => {
  const event = mskEvent({ 'logs-0': [{ value: APACHE }], 'logs-1': [{ value: APACHE }] });
  const context = { getRemainingTimeInMillis: () => 4_000 } as unknown as Context;
  const { result, output } = await invoke(event, publishing, context);
  expect(s3.puts.map((p) => p.key).sort()).toEqual([
    'raw/source=kafka/dt=2026-11-25/logs-0-100.gz',
    'raw/source=kafka/dt=2026-11-25/logs-1-100.gz',
  ]);
  expect(result.batchItemFailures).toEqual(
    expect.arrayContaining([
      { itemIdentifier: { partition: 'logs-0', offset: 100 } },
      { itemIdentifier: { partition: 'logs-1', offset: 100 } },
    ]),
  );
  const failed = output.find(
    (o) =>
      o.message ===
      'Publishing to the records topic failed after the lake writes; reported as batch item failures for the mapping to retry',
  );
  expect(JSON.stringify(failed?.publishFailures)).toContain("did not finish before the invocation's deadline");
  expect(output.find((o) => o.RecordsPublishFailures !== undefined)).toMatchObject({ RecordsPublishFailures: 2, RecordsPublished: 0 });
  // No producer was made: a send would have met the closed port and logged kafkajs's connection errors.
  expect(JSON.stringify(output)).not.toMatch(/ECONNREFUSED|KafkaJS/);
});
