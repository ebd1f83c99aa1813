/**
 * `npm run verify`'s marker logic against the local emulated stack: moto's Kinesis and S3, the transform
 * bundled as deployed, the Firehose simulator. The agent's part (shipping the file's lines into the
 * stream) is played by putRecords; what verify reads back (readLakeSince, matchMarkers, judgePath) is the
 * same code that runs against AWS.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { STAGE_CONFIGS } from '../../lib/config';
import { bundleLambda, loadBundledHandler, LOCAL_BUILD_DIR } from '../../local/bundle';
import { buildCorpus } from '../../local/corpus';
import { deliverStream } from '../../local/firehose-simulator';
import { putRecords } from '../../local/kinesis-producer';
import { localKinesisClient, localS3Client, startMoto, type MotoServer } from '../../local/moto';
import { recordValidator } from '../../local/record-schema';
import { TRANSFORM_FUNCTION } from '../../local/steps/kinesis-path';
import { readLakeSince } from '../../ops/verify/lake';
import { judgePath, makeMarkers, matchMarkers, newRunId, waitUntil, type FoundRecord } from '../../ops/verify/markers';
import { ensurePythonEnv } from './helpers/python-env';

const MiB = 1024 * 1024;
const delivery = STAGE_CONFIGS.dev.delivery;
let moto: MotoServer;
let kinesis: KinesisClient;
let s3: S3Client;
let bundlePath: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  ensurePythonEnv();
  moto = await startMoto({ logFile: path.join(LOCAL_BUILD_DIR, '..', 'integration-verify-moto.log') });
  kinesis = localKinesisClient(moto.endpoint);
  s3 = localS3Client(moto.endpoint);
  bundlePath = await bundleLambda(TRANSFORM_FUNCTION);
  Object.assign(process.env, moto.sdkEnvironment);
});

afterAll(async () => {
  await moto?.stop();
  process.env = savedEnv;
});

/** A stream and bucket of their own; `lines` go through the emulated chain when `deliver` is true. */
async function emulatedStack(lines: readonly Buffer[], deliver: boolean): Promise<{ bucket: string }> {
  const id = randomBytes(4).toString('hex');
  await kinesis.send(new CreateStreamCommand({ StreamName: `verify-${id}`, ShardCount: 2 }));
  const { StreamDescriptionSummary: stream } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: `verify-${id}` }));
  const bucket = `verify-lake-${id}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await putRecords(kinesis, stream!.StreamARN!, lines);
  if (deliver) {
    let handler: ((event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>) | undefined;
    jest.isolateModules(() => {
      handler = loadBundledHandler<FirehoseTransformationEvent, FirehoseTransformationResult>(bundlePath, {
        logFile: path.join(LOCAL_BUILD_DIR, '..', 'integration-verify-transform.log'),
      });
    });
    await deliverStream({
      kinesis,
      s3,
      streamArn: stream!.StreamARN!,
      bucket,
      handler: handler!,
      processorBufferBytes: delivery.processorBufferSizeMiB * MiB,
      deliveryBufferBytes: delivery.bufferSizeMiB * MiB,
    });
  }
  return { bucket };
}

async function lookForMarkers(bucket: string, runId: string, markers: ReturnType<typeof makeMarkers>, started: number) {
  const seen = new Map<string, FoundRecord[] | number>();
  const validate = recordValidator();
  const progress: string[] = [];
  const wait = await waitUntil(
    'kinesis path',
    async () => {
      const read = await readLakeSince(s3, bucket, { raw: ['raw/source=kinesis/dt='], errors: ['errors/'] }, started, Date.now(), `run=${runId}`, seen);
      const matches = matchMarkers(markers, read.records, validate);
      const landed = matches.filter((m) => m.found.length > 0).length;
      return { done: landed === markers.length, state: { matches, read }, progress: `${landed}/${markers.length}` };
    },
    { timeoutMs: 3_000, intervalMs: 1_000, onProgress: (m) => progress.push(m) },
  );
  return { wait, progress };
}

test('markers among ordinary traffic land under raw/, parse into the schema, and verify says so', async () => {
  const runId = newRunId();
  const markers = makeMarkers(runId, 'kinesis', 5);
  const other = makeMarkers(newRunId(new Date(Date.now() - 3_600_000)), 'kinesis', 2); // an earlier run's
  const corpus = buildCorpus({ lines: 500, seed: 3 });
  const started = Date.now();
  const { bucket } = await emulatedStack([...corpus.payloads, ...other.map((m) => Buffer.from(m.line)), ...markers.map((m) => Buffer.from(m.line))], true);

  const { wait, progress } = await lookForMarkers(bucket, runId, markers, started);
  expect(wait.done).toBe(true);
  expect(progress.at(-1)).toMatch(/^kinesis path: 5\/5 \(\d+ s\)$/);
  expect(wait.state.read.problems).toEqual([]);
  const verdict = judgePath({ path: 'kinesis', expected: 5, written: true, matches: wait.state.matches, inErrors: wait.state.read.errorRecords, elapsedMs: wait.elapsedMs });
  expect(verdict.problems).toEqual([]);
  expect(verdict.ok).toBe(true);
  expect(verdict.summary).toMatch(/^kinesis: all 5 markers landed under raw\/source=kinesis\/ and parsed into the record schema in \d+\.\d s$/);
  // Each found exactly once, and only this run's.
  expect(wait.state.matches.map((m) => m.found.length)).toEqual([1, 1, 1, 1, 1]);
});

test('markers that never left the stream: the wait times out and names where they stopped', async () => {
  const runId = newRunId();
  const markers = makeMarkers(runId, 'kinesis', 3);
  const started = Date.now();
  const { bucket } = await emulatedStack(markers.map((m) => Buffer.from(m.line)), false); // Firehose never reads

  const { wait, progress } = await lookForMarkers(bucket, runId, markers, started);
  expect(wait.done).toBe(false);
  expect(progress.length).toBeGreaterThanOrEqual(2);
  const verdict = judgePath({ path: 'kinesis', expected: 3, written: true, firstHopSeen: true, matches: wait.state.matches, inErrors: 0 });
  expect(verdict).toMatchObject({
    ok: false,
    stoppedAt: 'Firehose + transform → lake raw/source=kinesis/',
    summary: 'kinesis: 0 of 3 markers landed before the timeout; they stopped at Firehose + transform → lake raw/source=kinesis/',
  });
});
