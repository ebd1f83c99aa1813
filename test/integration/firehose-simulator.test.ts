/**
 * The Firehose simulator must fail loudly when a transform breaks Firehose's contract, or the Kinesis
 * path test could pass on a transform that real Firehose would reject. Each case wraps the real bundled
 * transform and breaks its response in one way; the stream is real (moto).
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { bundleLambda, loadBundledHandler, LOCAL_BUILD_DIR } from '../../local/bundle';
import { buildCorpus } from '../../local/corpus';
import {
  deliverStream,
  FirehoseContractError,
  StreamNotDrainingError,
  type TransformHandler,
} from '../../local/kinesis/firehose-simulator';
import { putRecords } from '../../local/kinesis/producer';
import { localKinesisClient, localS3Client, type MotoServer, startMoto } from '../../local/moto';
import { showNodeVersionWarningOnce } from '../../lib/cli/node-warnings';
import { TRANSFORM_FUNCTION } from '../../local/steps/kinesis-path';
import { ensurePythonEnv } from './helpers/python-env';

const MiB = 1024 * 1024;
let moto: MotoServer;
let kinesis: KinesisClient;
let s3: S3Client;
let transform: TransformHandler;
const savedEnv = { ...process.env };

beforeAll(async () => {
  showNodeVersionWarningOnce();
  ensurePythonEnv();
  moto = await startMoto({ logFile: path.join(LOCAL_BUILD_DIR, '..', 'integration-moto-simulator.log') });
  kinesis = localKinesisClient(moto.endpoint);
  s3 = localS3Client(moto.endpoint);
  Object.assign(process.env, moto.sdkEnvironment);
  const bundle = await bundleLambda(TRANSFORM_FUNCTION);
  jest.isolateModules(() => {
    transform = loadBundledHandler<FirehoseTransformationEvent, FirehoseTransformationResult>(bundle, {
      logFile: path.join(LOCAL_BUILD_DIR, '..', `integration-${TRANSFORM_FUNCTION}.log`),
    });
  });
});

afterAll(async () => {
  await moto?.stop();
  process.env = savedEnv;
});

/** A stream holding `lines` generated lines and an empty bucket. */
async function streamWithLines(lines: number): Promise<{ streamArn: string; bucket: string }> {
  const id = randomBytes(4).toString('hex');
  await kinesis.send(new CreateStreamCommand({ StreamName: `sim-${id}`, ShardCount: 1 }));
  const { StreamDescriptionSummary: stream } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: `sim-${id}` }));
  await putRecords(kinesis, stream!.StreamARN!, buildCorpus({ lines, malformed: false, linesPerRecord: 1 }).payloads);
  await s3.send(new CreateBucketCommand({ Bucket: `sim-lake-${id}` }));
  return { streamArn: stream!.StreamARN!, bucket: `sim-lake-${id}` };
}

async function deliverWith(handler: TransformHandler): Promise<unknown> {
  const { streamArn, bucket } = await streamWithLines(50);
  return deliverStream({
    kinesis,
    s3,
    streamArn,
    bucket,
    handler,
    processorBufferBytes: MiB,
    deliveryBufferBytes: 5 * MiB,
    maxInvocations: 20,
  });
}

/** The real transform with its response changed by `breakIt`. */
function broken(breakIt: (result: FirehoseTransformationResult) => FirehoseTransformationResult): TransformHandler {
  return async (event) => breakIt(await transform(event));
}

describe('Firehose simulator contract checks', () => {
  test('the real transform passes them', async () => {
    await expect(deliverWith(transform)).resolves.toEqual(expect.objectContaining({ recordsRead: 50, ok: 50 }));
  });

  test.each([
    ['a recordId is missing', (r: FirehoseTransformationResult) => ({ records: r.records.slice(1) }), /recordId\(s\) missing/],
    [
      'a recordId comes back twice',
      (r: FirehoseTransformationResult) => ({ records: [...r.records, r.records[0]] }),
      /returned more than once/,
    ],
    [
      'a recordId was never sent',
      (r: FirehoseTransformationResult) => ({ records: [...r.records.slice(1), { ...r.records[0], recordId: 'nope' }] }),
      /was not in the request/,
    ],
    [
      'a result is not a Firehose status',
      (r: FirehoseTransformationResult) => ({ records: r.records.map((x, i) => (i === 0 ? { ...x, result: 'Fine' as 'Ok' } : x)) }),
      /expected Ok, Dropped or ProcessingFailed/,
    ],
    [
      'an Ok record has no data',
      (r: FirehoseTransformationResult) => ({
        records: r.records.map((x, i) => (i === 0 ? { recordId: x.recordId, result: 'Ok' as const } : x)),
      }),
      /is Ok but has no data/,
    ],
    [
      'data is not base64',
      (r: FirehoseTransformationResult) => ({ records: r.records.map((x, i) => (i === 0 ? { ...x, data: 'not base64!' } : x)) }),
      /not base64/,
    ],
    [
      'the response exceeds 6 MB',
      (r: FirehoseTransformationResult) => ({
        records: r.records.map((x, i) => (i === 0 ? { ...x, data: Buffer.alloc(6 * MiB).toString('base64') } : x)),
      }),
      /Firehose accepts at most/,
    ],
  ])('fails loudly when %s', async (_, breakIt, message) => {
    const delivery = deliverWith(broken(breakIt));
    await expect(delivery).rejects.toThrow(FirehoseContractError);
    await expect(delivery).rejects.toThrow(message);
  });

  test('stops a transform that re-ingests forever instead of spinning', async () => {
    const forever: TransformHandler = async (event) => {
      await kinesis.send(
        new PutRecordsCommand({
          StreamARN: event.sourceKinesisStreamArn,
          Records: event.records.map((r) => ({ Data: Buffer.from(r.data, 'base64'), PartitionKey: r.kinesisRecordMetadata!.partitionKey })),
        }),
      );
      return { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Dropped' as const })) };
    };
    await expect(deliverWith(forever)).rejects.toThrow(StreamNotDrainingError);
  });
});
