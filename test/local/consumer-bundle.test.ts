/**
 * The Kafka consumer's files as bundleFunction writes them: index.js without kafkajs, and the records topic's
 * producer in records-producer.js of its own, which the bundled handler loads only when RECORDS_TOPIC is set.
 * With it set and no broker listening, the real kafkajs producer fails after its retries: the lake object is
 * written, the partition is a batch item failure, and the failure is logged and counted.
 */
import type { MSKEvent } from 'aws-lambda';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { bundleFiles, bundleFunction, functionEnvironment, SEPARATE_MODULES } from '../../lib/lambda-bundling';
import { mskEvent } from '../lambda/helpers/msk-events';
import { startS3CaptureServer, type S3CaptureServer } from '../lambda/helpers/s3-capture-server';

const FUNCTION_DIR = 'kafka-consumer';
const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-bundle-test-')), FUNCTION_DIR);
const index = path.join(outdir, 'index.js');
const producerFile = path.join(outdir, 'records-producer.js');
const execFileAsync = promisify(execFile);
const APACHE = '203.0.113.9 - - [25/Nov/2026:11:52:39 +0000] "GET /index.html HTTP/1.1" 200 5120';
const saved = { ...process.env };
let s3: S3CaptureServer;

beforeAll(async () => {
  bundleFunction(FUNCTION_DIR, outdir);
  s3 = await startS3CaptureServer();
  Object.assign(process.env, {
    LAKE_BUCKET: 'log-pipeline-lake-test',
    S3_MAX_ATTEMPTS: '1',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
  });
});

afterAll(async () => {
  await s3?.close();
  process.env = { ...saved };
  fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The bundled handler in a fresh `node` process, as a Lambda container runs it: one invocation, then its
 * answer, its output, and whether records-producer.js was loaded.
 */
async function invokeInFreshProcess(
  env: Record<string, string>,
  event: MSKEvent,
): Promise<{ result: { batchItemFailures: unknown[] }; loaded: boolean; output: string }> {
  const script = `
    const { handler } = require(${JSON.stringify(index)});
    handler(JSON.parse(process.env.TEST_EVENT)).then((result) => {
      const loaded = Object.keys(require.cache).includes(${JSON.stringify(producerFile)});
      process.stdout.write('\\nRESULT ' + JSON.stringify({ result, loaded }) + '\\n');
    });`;
  const { stdout, stderr } = await execFileAsync(process.execPath, ['-e', script], {
    env: { ...process.env, ...functionEnvironment(FUNCTION_DIR), ...env, TEST_EVENT: JSON.stringify(event), NODE_OPTIONS: '' },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const marker = stdout.lastIndexOf('\nRESULT ');
  if (marker === -1) throw new Error(`the handler gave no result:\n${stdout}`);
  return {
    ...(JSON.parse(stdout.slice(marker + 8)) as { result: { batchItemFailures: unknown[] }; loaded: boolean }),
    output: `${stdout.slice(0, marker)}\n${stderr}`,
  };
}

test('the consumer is index.js plus records-producer.js; index.js holds none of kafkajs', () => {
  expect(SEPARATE_MODULES[FUNCTION_DIR]).toEqual(['records-producer']);
  expect(fs.readdirSync(outdir).sort()).toEqual(bundleFiles(FUNCTION_DIR));
  const main = fs.readFileSync(index, 'utf8');
  const producer = fs.readFileSync(producerFile, 'utf8');
  expect(main).toContain('require("./records-producer")');
  // A kafkajs error class and the MSK signer's token action, in the producer's file only.
  for (const marker of ['KafkaJSNumberOfRetriesExceeded', 'kafka-cluster:Connect']) {
    expect(producer).toContain(marker);
    expect(main).not.toContain(marker);
  }
});

test('without RECORDS_TOPIC the bundled handler writes the lake and never loads records-producer.js', async () => {
  s3.puts.length = 0;
  const { result, loaded, output } = await invokeInFreshProcess({}, mskEvent({ 'logs-0': [{ value: APACHE }] }));
  expect(result).toEqual({ batchItemFailures: [] });
  expect(s3.puts.map((p) => p.key)).toEqual(['raw/source=kafka/dt=2026-11-25/logs-0-100.gz']);
  expect(loaded).toBe(false);
  expect(output).not.toContain('RecordsPublished');
});

test('with RECORDS_TOPIC and no broker: the lake object is written, the partition is a batch item failure, logged and counted', async () => {
  s3.puts.length = 0;
  const event = mskEvent({ 'logs-0': [{ value: APACHE }], 'logs-1': [{ value: APACHE }, { value: APACHE }] }, 40);
  const started = Date.now();
  const { result, loaded, output } = await invokeInFreshProcess(
    { RECORDS_TOPIC: 'log-records', KAFKA_BOOTSTRAP_BROKERS: `127.0.0.1:${await closedPort()}`, KAFKA_SECURITY: 'plaintext' },
    event,
  );
  const ms = Date.now() - started;
  expect(loaded).toBe(true);
  expect(result.batchItemFailures).toEqual(
    expect.arrayContaining([
      { itemIdentifier: { partition: 'logs-0', offset: 40 } },
      { itemIdentifier: { partition: 'logs-1', offset: 40 } },
    ]),
  );
  expect(result.batchItemFailures).toHaveLength(2);
  // The lake has both objects: the retry overwrites the same keys.
  expect(s3.puts.map((p) => p.key).sort()).toEqual([
    'raw/source=kafka/dt=2026-11-25/logs-0-40.gz',
    'raw/source=kafka/dt=2026-11-25/logs-1-40.gz',
  ]);
  expect(output).toContain(
    'Publishing to the records topic failed after the lake writes; reported as batch item failures for the mapping to retry',
  );
  expect(output).toContain('ECONNREFUSED');
  expect(output).toMatch(/"RecordsPublishFailures":2/);
  expect(output).toMatch(/"RecordsPublished":0/);
  // Bounded: kafkajs's retries (records-producer.ts RETRY), well inside the function's 2-minute timeout.
  expect(ms).toBeLessThan(40_000);
}, 60_000);
