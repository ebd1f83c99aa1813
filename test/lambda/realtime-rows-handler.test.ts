/**
 * The realtime-rows entry point with its real module-scope clients: Powertools Logger/Metrics and an S3Client
 * writing over HTTP to a local endpoint that answers PutObject like S3 (and fails on demand).
 */
import * as zlib from 'node:zlib';
import type { MSKEvent } from 'aws-lambda';
import { mskEvent } from './helpers/msk-events';
import { startS3CaptureServer, type S3CaptureServer } from './helpers/s3-capture-server';
import { withJsonOutput } from './helpers/handler-output';

type HandlerModule = typeof import('../../lambda/realtime-rows/index');

const saved = { ...process.env };
let s3: S3CaptureServer;
let mod: HandlerModule;

beforeAll(async () => {
  s3 = await startS3CaptureServer();
  // Set before the module loads: it reads its environment and builds its clients once, at cold start.
  Object.assign(process.env, {
    LAKE_BUCKET: 'log-pipeline-lake-test',
    POWERTOOLS_SERVICE_NAME: 'realtime-rows',
    POWERTOOLS_METRICS_NAMESPACE: 'LogPipelineTest',
    S3_MAX_ATTEMPTS: '2',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
  });
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../../lambda/realtime-rows/index') as HandlerModule;
  });
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
): Promise<{ result: Awaited<ReturnType<HandlerModule['handler']>>; output: Record<string, unknown>[] }> {
  return withJsonOutput(() => mod.handler(event));
}

const WINDOW =
  '{"kind":"window","window_start":"2026-11-25T11:51:00.000Z","window_end":"2026-11-25T11:52:00.000Z","dimension":"overall","key":"*","records":3,"requests":2,"status_2xx":1,"status_3xx":0,"status_4xx":0,"status_5xx":1,"share_5xx":0.5,"severity_records":1,"error_severity":1,"error_share":1.0,"bytes_p50":10,"bytes_p90":20,"bytes_p99":20,"top_paths_by_requests":[{"path":"/a","requests":2}],"top_paths_by_5xx":[{"path":"/a","status_5xx":1}]}';

test('writes GZIP JSON lines under realtime/ and errors/, publishes counts, answers with no failures', async () => {
  const event = mskEvent({ 'log-analytics-0': [{ value: WINDOW }, { value: 'oops' }, { value: null }] });
  const { result, output } = await invoke(event);
  expect(result).toEqual({ batchItemFailures: [] });
  expect(s3.puts.map((p) => [p.bucket, p.key])).toEqual([
    ['log-pipeline-lake-test', 'realtime/kind=window/dt=2026-11-25/hour=11/log-analytics-0-100.gz'],
    ['log-pipeline-lake-test', 'errors/realtime-rows-failed/dt=2026-11-25/log-analytics-0-101.gz'],
  ]);
  expect(zlib.gunzipSync(s3.puts[0].body).toString()).toBe(`${WINDOW}\n`);
  expect(s3.puts[1].metadata).toEqual({ 'first-offset': '101', 'last-offset': '102', records: '2' });
  const emf = output.find((entry) => '_aws' in entry);
  expect(emf).toMatchObject({
    KafkaRecords: 3,
    Rows: 1,
    FailedRecords: 1,
    DroppedRecords: 1,
    LakeWriteFailures: 0,
    service: 'realtime-rows',
  });
  expect(output.some((entry) => entry.message === 'Messages kept under the error prefix (not rows)')).toBe(true);
});

test('a write S3 keeps refusing becomes a batch item failure for that partition only, after the SDK retries', async () => {
  s3.failWhen = (key) => key.includes('log-analytics-1-');
  const event = mskEvent({ 'log-analytics-0': [{ value: WINDOW }], 'log-analytics-1': [{ value: WINDOW }, { value: WINDOW }] }, 7);
  const { result, output } = await invoke(event);
  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: 'log-analytics-1', offset: 7 } }] });
  expect(s3.puts.map((p) => p.key)).toEqual(['realtime/kind=window/dt=2026-11-25/hour=11/log-analytics-0-7.gz']);
  // S3_MAX_ATTEMPTS=2: the real client retried the 503 once before giving up.
  expect(s3.rejected).toHaveLength(2);
  expect(output.some((entry) => entry.message === 'Lake writes failed; reported as batch item failures for the mapping to retry')).toBe(
    true,
  );
});

test('the environment is checked at cold start, naming each problem', () => {
  const base = { LAKE_BUCKET: 'my-lake', POWERTOOLS_SERVICE_NAME: 's', POWERTOOLS_METRICS_NAMESPACE: 'n' };
  expect(mod.readConfig(base)).toEqual({ lakeBucket: 'my-lake', serviceName: 's', metricsNamespace: 'n', s3MaxAttempts: 3 });
  expect(() => mod.readConfig({})).toThrow(
    'Invalid environment: LAKE_BUCKET must be set; POWERTOOLS_SERVICE_NAME must be set; POWERTOOLS_METRICS_NAMESPACE must be set',
  );
  expect(() => mod.readConfig({ ...base, LAKE_BUCKET: 'arn:aws:s3:::my-lake' })).toThrow(
    "LAKE_BUCKET must be an S3 bucket name (got 'arn:aws:s3:::my-lake')",
  );
});
