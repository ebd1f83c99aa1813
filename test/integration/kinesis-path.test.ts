/**
 * The Kinesis path on real software: moto's Kinesis and S3, the transform bundled exactly as `cdk deploy`
 * ships it, and the Firehose simulator in between. Every line sent must come out exactly once, in the
 * record schema, under the lake-layout prefixes; overflow re-ingest and PutRecords partial failures must
 * not lose or duplicate anything.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { STAGE_CONFIGS } from '../../lib/config';
import { bundleLambda, loadBundledHandler, LOCAL_BUILD_DIR } from '../../local/bundle';
import { buildCorpus, type Corpus } from '../../local/corpus';
import { deliverStream, type DeliveryReport, type TransformHandler } from '../../local/kinesis/firehose-simulator';
import { putRecords } from '../../local/kinesis/producer';
import { splitAtBadLines } from '../../lambda/firehose-transform/transform';
import { eventContentKey, readLake, summarizeLake, type LakeInventory, type LakeSummary } from '../../local/lake-inventory';
import { showNodeVersionWarningOnce } from '../../lib/cli/node-warnings';
import { localKinesisClient, localS3Client, type MotoServer, startMoto } from '../../local/moto';
import { checkLayout, checkSchema, TRANSFORM_FUNCTION } from '../../local/steps/kinesis-path';
import { startThrottlingProxy } from './helpers/kinesis-throttling-proxy';
import { ensurePythonEnv } from './helpers/python-env';

const MiB = 1024 * 1024;
const delivery = STAGE_CONFIGS.dev.delivery;
const FUNCTION_LOG = path.join(LOCAL_BUILD_DIR, '..', `integration-${TRANSFORM_FUNCTION}.log`);

let moto: MotoServer;
let kinesis: KinesisClient;
let s3: S3Client;
let bundlePath: string;
const savedEnv = { ...process.env };

/** Loads a fresh copy of the bundled handler whose Kinesis client talks to `kinesisEndpoint`. */
function handlerAgainst(kinesisEndpoint: string): TransformHandler {
  Object.assign(process.env, moto.sdkEnvironment, { AWS_ENDPOINT_URL_KINESIS: kinesisEndpoint });
  let handler: TransformHandler | undefined;
  jest.isolateModules(() => {
    handler = loadBundledHandler<FirehoseTransformationEvent, FirehoseTransformationResult>(bundlePath, { logFile: FUNCTION_LOG });
  });
  return handler!;
}

beforeAll(async () => {
  showNodeVersionWarningOnce();
  ensurePythonEnv();
  moto = await startMoto({ logFile: path.join(LOCAL_BUILD_DIR, '..', 'integration-moto.log') });
  kinesis = localKinesisClient(moto.endpoint);
  s3 = localS3Client(moto.endpoint);
  bundlePath = await bundleLambda(TRANSFORM_FUNCTION);
});

afterAll(async () => {
  await moto?.stop();
  process.env = savedEnv;
});

interface PathRun {
  readonly corpus: Corpus;
  readonly report: DeliveryReport;
  readonly inventory: LakeInventory;
  readonly summary: LakeSummary;
}

/** Stream and bucket of their own, the corpus put, the stream delivered, the lake read back. */
async function runPath(
  corpus: Corpus,
  options: { handler?: TransformHandler; oversizedFirstBatch?: boolean; shards?: number } = {},
): Promise<PathRun> {
  const id = randomBytes(4).toString('hex');
  const streamName = `it-${id}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: options.shards ?? 3 }));
  const { StreamDescriptionSummary: stream } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  const bucket = `it-lake-${id}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));

  const put = await putRecords(kinesis, stream!.StreamARN!, corpus.payloads);
  expect(put.records).toBe(corpus.payloads.length);

  const report = await deliverStream({
    kinesis,
    s3,
    streamArn: stream!.StreamARN!,
    bucket,
    handler: options.handler ?? handlerAgainst(moto.endpoint),
    processorBufferBytes: delivery.processorBufferSizeMiB * MiB,
    deliveryBufferBytes: delivery.bufferSizeMiB * MiB,
    oversizedFirstBatch: options.oversizedFirstBatch,
  });
  const inventory = await readLake(s3, bucket);
  return { corpus, report, inventory, summary: summarizeLake(inventory) };
}

/** Nothing lost, nothing duplicated, everything readable, in the schema and under lake-layout prefixes. */
function expectEverythingAccountedFor(run: PathRun): void {
  expect(run.inventory.problems).toEqual([]);
  expect(checkLayout(run.inventory)).toEqual([]);
  expect(checkSchema(run.inventory)).toEqual([]);
  expect(run.summary.duplicateEventIds).toBe(0);
  expect(run.summary.rawRecords + run.summary.failedLines).toBe(run.corpus.lines.length);
  expect(run.report.recordsRead).toBe(run.report.ok + run.report.dropped + run.report.processingFailed);
}

function multiset(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

describe('Kinesis → Firehose (simulated) → transform → S3 on moto', () => {
  test('every line comes out exactly once, as schema-valid GZIP JSON lines under lake-layout prefixes', async () => {
    // Packed as the agent packs them: a malformed line that is not UTF-8 text is split off its record, alone.
    const corpus = buildCorpus({ lines: 3_000, seed: 7 });
    expect(corpus.payloads.length).toBeLessThan(corpus.lines.length / 10);
    const run = await runPath(corpus);

    expectEverythingAccountedFor(run);
    // A 1 MiB processor buffer never overflows the 6 MB response; only records split off a bad line are Dropped.
    expect(run.report.dropped).toBe(run.inventory.errorLines.length);
    expect(Object.keys(run.summary.objectsByPrefix).some((p) => p.startsWith('raw/source=kinesis/dt='))).toBe(true);

    // Each generated format is recognised as what the generator wrote.
    const sent = multiset(corpus.expected.filter((k) => k !== 'malformed'));
    for (const [format, count] of sent) expect({ format, count: run.summary.recordsByFormat[format] ?? 0 }).toEqual({ format, count });

    // Malformed lines are kept: as 'unparsed' records with the line in `raw`, or as ProcessingFailed source data.
    const malformed = corpus.lines.filter((_, i) => corpus.expected[i] === 'malformed');
    const unparsedRaw = run.inventory.rawLines.filter((l) => l.record.format === 'unparsed').map((l) => String(l.record.raw));
    const failedData = run.inventory.errorLines.map((e) => Buffer.from(e.record.rawData, 'base64'));
    expect(unparsedRaw.length + failedData.length).toBe(malformed.length);
    for (const line of malformed) {
      const keptAsFailed = failedData.some((data) => data.equals(Buffer.concat([line, Buffer.from('\n')])) || data.equals(line));
      const keptAsUnparsed = unparsedRaw.includes(line.toString('utf8'));
      expect({ line: line.toString('utf8').slice(0, 60), kept: keptAsFailed || keptAsUnparsed }).toEqual({
        line: line.toString('utf8').slice(0, 60),
        kept: true,
      });
    }

    // Error records follow Firehose's processing-failed format.
    for (const { record } of run.inventory.errorLines) {
      expect(record).toEqual({
        attemptsMade: expect.any(Number),
        arrivalTimestamp: expect.any(Number),
        errorCode: expect.any(String),
        errorMessage: expect.any(String),
        attemptEndingTimestamp: expect.any(Number),
        rawData: expect.any(String),
        lambdaArn: expect.stringMatching(/^arn:aws:lambda:/),
      });
    }
  });

  test('a batch that overflows the 6 MB response is re-ingested into the stream and delivered exactly once', async () => {
    // Several lines per record: the 6 MB request then carries enough log bytes to overflow whatever the transform's expansion.
    const corpus = buildCorpus({ lines: 16_000, seed: 11, linesPerRecord: 4 });
    const baseline = await runPath(corpus);
    const overflow = await runPath(corpus, { oversizedFirstBatch: true });

    expectEverythingAccountedFor(baseline);
    expectEverythingAccountedFor(overflow);
    // The first call overflowed: some records were Dropped and came back through the stream.
    expect(overflow.report.dropped).toBeGreaterThan(0);
    // Each Dropped record came back once, a record split off a bad line as its pieces (one more each but the first).
    const extraPieces = corpus.payloads.reduce((n, p) => n + Math.max(0, (splitAtBadLines(p)?.length ?? 1) - 1), 0);
    expect(overflow.report.recordsRead).toBe(corpus.payloads.length + overflow.report.dropped + extraPieces);
    expect(overflow.report.largestResponseBytes).toBeLessThanOrEqual(6_000_000);
    // Same events as a run without overflow, each exactly once (event ids differ: re-ingested records get new sequence numbers).
    const contentOf = (run: PathRun) => multiset(run.inventory.rawLines.map((l) => eventContentKey(l.record)));
    expect(contentOf(overflow)).toEqual(contentOf(baseline));
  });

  test('PutRecords partial failures (throttling) are retried: by the producer and by the re-ingest, nothing lost', async () => {
    // moto never fails single PutRecords entries, so a proxy in front of it withholds some and reports them throttled.
    const proxy = await startThrottlingProxy({ target: moto.endpoint, failEvery: 7, maxFailures: 400 });
    try {
      const corpus = buildCorpus({ lines: 16_000, seed: 13, linesPerRecord: 4 });
      const throttledKinesis = localKinesisClient(proxy.endpoint);

      // Producer side: every record lands once although ~1 in 7 entries is throttled at first.
      const id = randomBytes(4).toString('hex');
      await kinesis.send(new CreateStreamCommand({ StreamName: `it-throttled-${id}`, ShardCount: 2 }));
      const { StreamDescriptionSummary: stream } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: `it-throttled-${id}` }),
      );
      const put = await putRecords(throttledKinesis, stream!.StreamARN!, corpus.payloads.slice(0, 2_000), { baseDelayMs: 5 });
      expect(put.records).toBe(2_000);
      expect(put.retriedEntries).toBeGreaterThan(0);
      const producerFailures = proxy.injectedFailures;
      expect(producerFailures).toBeGreaterThan(0);

      // Transform side: its re-ingest PutRecords calls go through the proxy too.
      const baseline = await runPath(corpus);
      const overflow = await runPath(corpus, { oversizedFirstBatch: true, handler: handlerAgainst(proxy.endpoint) });
      expect(overflow.report.dropped).toBeGreaterThan(0);
      expect(proxy.injectedFailures).toBeGreaterThan(producerFailures); // the re-ingest met throttling
      expectEverythingAccountedFor(overflow);
      const contentOf = (run: PathRun) => multiset(run.inventory.rawLines.map((l) => eventContentKey(l.record)));
      expect(contentOf(overflow)).toEqual(contentOf(baseline));
    } finally {
      await proxy.close();
    }
  });
});
