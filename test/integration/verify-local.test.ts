/**
 * `npm run verify`'s logic against the local emulated stack, on both paths and through the curated check:
 * - Kinesis: moto's Kinesis and S3, the transform bundled as deployed, the Firehose simulator;
 * - Kafka: a real Kafka broker, the event source mapping simulator and the bundled consumer Lambda;
 * - curated: moto's Glue (StartJobRun/GetJobRun) and Athena APIs, the real Glue batch on local Spark
 *   (glue/local/run_local.py) as the run's work, and the Athena SQL run by local Spark over what it wrote.
 * The agent's part (shipping the file's lines) is played by the producers; what verify reads back and judges
 * (readLakeSince, matchMarkers, judgePath, checkCurated) is the same code that runs against AWS.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CreateJobCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { FirehoseTransformationEvent, FirehoseTransformationResult, MSKEvent } from 'aws-lambda';
import { STAGE_CONFIGS } from '../../lib/config';
import { functionEnvironment } from '../../lib/lambda-bundling';
import { curatedHours } from '../../contracts/lake-layout';
import { bundleLambda, loadBundledHandler, LOCAL_BUILD_DIR } from '../../local/bundle';
import { buildCorpus } from '../../local/corpus';
import { createTopic, endOffsets } from '../../local/kafka/admin';
import { startKafkaBroker, type KafkaBroker } from '../../local/kafka/broker';
import { startEventSourceMapping, type BatchItemFailureResponse } from '../../local/kafka/event-source-mapping';
import { s3OnFailureDestination } from '../../local/kafka/on-failure';
import { produceLines } from '../../local/kafka/producer';
import { deliverStream } from '../../local/kinesis/firehose-simulator';
import { putRecords } from '../../local/kinesis/producer';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localKinesisClient, localS3Client, startMoto, type MotoServer } from '../../local/moto';
import { recordValidator } from '../../lib/record-schema';
import { runGlueLocally } from '../../local/steps/glue';
import { CONSUMER_FUNCTION } from '../../local/steps/kafka-path';
import { TRANSFORM_FUNCTION } from '../../local/steps/kinesis-path';
import { curatedMarkerQuery } from '../../ops/verify/curated';
import { checkCurated, quarantinePrefix, readQuarantined, type CuratedCheck } from '../../ops/verify/glue-athena';
import { readLakeSince } from '../../ops/verify/lake';
import {
  judgePath,
  makeMarkers,
  matchMarkers,
  newRunId,
  waitUntil,
  type FoundRecord,
  type Marker,
  type PathVerdict,
  type VerifyPath,
} from '../../ops/verify/markers';
import { startAthenaProxy, startSparkAthena, type AthenaProxy, type SparkAthena } from './helpers/athena-on-spark';
import { ensurePythonEnv } from './helpers/python-env';

const MiB = 1024 * 1024;
const WORK_DIR = path.join(LOCAL_BUILD_DIR, '..', 'integration-verify');
const delivery = STAGE_CONFIGS.dev.delivery;
/** The catalog as the Analytics stack outputs name it (any valid Glue names do). */
const TABLE = { database: 'logpipeline_verify', table: 'curated', workGroup: 'primary' } as const;
let moto: MotoServer;
let kinesis: KinesisClient;
let s3: S3Client;
let glue: GlueClient;
let athena: AthenaClient;
let broker: KafkaBroker;
let spark: SparkAthena;
let athenaProxy: AthenaProxy;
let transformBundle: string;
let consumerBundle: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  ensurePythonEnv();
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  moto = await startMoto({ logFile: path.join(WORK_DIR, 'moto.log') });
  kinesis = localKinesisClient(moto.endpoint);
  s3 = localS3Client(moto.endpoint);
  Object.assign(process.env, moto.sdkEnvironment, functionEnvironment(CONSUMER_FUNCTION));
  // Spark (for the curated check) and the broker start while the Lambdas bundle.
  const [started, engine] = await Promise.all([
    startKafkaBroker({ dir: path.join(WORK_DIR, 'broker'), name: 'verify-test Kafka broker' }),
    startSparkAthena({ curatedDir: path.join(WORK_DIR, 'lake', 'curated'), ...TABLE, logFile: path.join(WORK_DIR, 'athena-local.log') }),
    (async () => {
      transformBundle = await bundleLambda(TRANSFORM_FUNCTION);
      consumerBundle = await bundleLambda(CONSUMER_FUNCTION);
    })(),
  ]);
  broker = started;
  spark = engine;
  athenaProxy = await startAthenaProxy({ target: moto.endpoint, engine: spark });
  const client = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 };
  glue = new GlueClient({ ...client, endpoint: moto.endpoint });
  athena = new AthenaClient({ ...client, endpoint: athenaProxy.endpoint });
});

afterAll(async () => {
  glue?.destroy();
  athena?.destroy();
  await athenaProxy?.close();
  await spark?.stop();
  await broker?.stop();
  await moto?.stop();
  process.env = savedEnv;
});

async function newBucket(): Promise<string> {
  const bucket = `verify-lake-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** A stream of its own; `lines` go into it and, when `deliver` is true, through Firehose into `bucket`. */
async function kinesisPath(bucket: string, lines: readonly Buffer[], deliver: boolean): Promise<void> {
  const name = `verify-${randomBytes(4).toString('hex')}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
  const { StreamDescriptionSummary: stream } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  await putRecords(kinesis, stream!.StreamARN!, lines);
  if (!deliver) return;
  let handler: ((event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>) | undefined;
  jest.isolateModules(() => {
    handler = loadBundledHandler<FirehoseTransformationEvent, FirehoseTransformationResult>(transformBundle, {
      logFile: path.join(WORK_DIR, 'transform.log'),
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

/**
 * A topic of its own; `lines` are produced into it and, when `consume` is true, the mapping invokes the
 * consumer Lambda (writing into `bucket`) until the group has caught up. Returns how many records the topic holds.
 */
async function kafkaPath(bucket: string, lines: readonly Buffer[], consume: boolean): Promise<number> {
  const id = randomBytes(4).toString('hex');
  const topic = `logs-${id}`;
  await createTopic(broker.bootstrap, topic, 2, broker.describe());
  await produceLines(broker.bootstrap, topic, lines, { brokerName: broker.describe() });
  if (consume) {
    const failedBatches = `${bucket}-failed-batches`;
    await s3.send(new CreateBucketCommand({ Bucket: failedBatches }));
    Object.assign(process.env, { LAKE_BUCKET: bucket });
    let handler!: (event: MSKEvent) => Promise<BatchItemFailureResponse>;
    jest.isolateModules(() => {
      handler = loadBundledHandler<MSKEvent, BatchItemFailureResponse>(consumerBundle, { logFile: path.join(WORK_DIR, 'consumer.log') });
    });
    const mapping = await startEventSourceMapping({
      bootstrap: broker.bootstrap,
      brokerName: broker.describe(),
      topic,
      groupId: `verify-${id}`,
      handler,
      onFailure: s3OnFailureDestination(s3, failedBatches),
      batchSize: 100,
      batchingWindowMs: 200,
      maxRetryAttempts: 3,
      retryBackoffMs: 200,
    });
    try {
      await mapping.waitUntilCaughtUp(120_000);
    } finally {
      await mapping.stop();
    }
  }
  return [...(await endOffsets(broker.bootstrap, topic, broker.describe())).values()].reduce((a, b) => a + b, 0);
}

/** verify's raw wait for one path, as cli.ts runs it (a short timeout: locally everything has landed already). */
async function lookForMarkers(bucket: string, path: VerifyPath, runId: string, markers: readonly Marker[], started: number) {
  const seen = new Map<string, FoundRecord[] | number>();
  const validate = recordValidator();
  const progress: string[] = [];
  const wait = await waitUntil(
    `${path} path`,
    async () => {
      const read = await readLakeSince(
        s3,
        bucket,
        { raw: [`raw/source=${path}/dt=`], errors: ['errors/'] },
        started,
        Date.now(),
        `run=${runId}`,
        seen,
      );
      const matches = matchMarkers(markers, read.records, validate);
      const landed = matches.filter((m) => m.found.length > 0).length;
      return { done: landed === markers.length, state: { matches, read }, progress: `${landed}/${markers.length}` };
    },
    { timeoutMs: 3_000, intervalMs: 1_000, onProgress: (m) => progress.push(m) },
  );
  return { wait, progress };
}

async function rawVerdict(
  bucket: string,
  path: VerifyPath,
  runId: string,
  markers: readonly Marker[],
  started: number,
  firstHopSeen?: boolean,
): Promise<PathVerdict> {
  const { wait } = await lookForMarkers(bucket, path, runId, markers, started);
  return judgePath({
    path,
    expected: markers.length,
    written: true,
    firstHopSeen,
    matches: wait.state.matches,
    inErrors: wait.state.read.errorRecords,
    elapsedMs: wait.done ? wait.elapsedMs : undefined,
  });
}

const lines = (markers: readonly Marker[]) => markers.map((m) => Buffer.from(m.line));

describe('raw: where the markers land', () => {
  test('kinesis: markers among ordinary traffic land under raw/, parse into the schema, and verify says so', async () => {
    const runId = newRunId();
    const markers = makeMarkers(runId, 'kinesis', 5);
    const other = makeMarkers(newRunId(new Date(Date.now() - 3_600_000)), 'kinesis', 2); // an earlier run's
    const corpus = buildCorpus({ lines: 500, seed: 3 });
    const started = Date.now();
    const bucket = await newBucket();
    await kinesisPath(bucket, [...corpus.payloads, ...lines(other), ...lines(markers)], true);

    const { wait, progress } = await lookForMarkers(bucket, 'kinesis', runId, markers, started);
    expect(wait.done).toBe(true);
    expect(progress.at(-1)).toMatch(/^kinesis path: 5\/5 \(\d+ s\)$/);
    expect(wait.state.read.problems).toEqual([]);
    const verdict = judgePath({
      path: 'kinesis',
      expected: 5,
      written: true,
      matches: wait.state.matches,
      inErrors: wait.state.read.errorRecords,
      elapsedMs: wait.elapsedMs,
    });
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(verdict.summary).toMatch(
      /^kinesis: all 5 markers landed under raw\/source=kinesis\/ and parsed into the record schema in \d+\.\d s$/,
    );
    // Each found exactly once, and only this run's.
    expect(wait.state.matches.map((m) => m.found.length)).toEqual([1, 1, 1, 1, 1]);
  });

  test('kinesis: markers that never left the stream: the wait times out and names where they stopped', async () => {
    const runId = newRunId();
    const markers = makeMarkers(runId, 'kinesis', 3);
    const started = Date.now();
    const bucket = await newBucket();
    await kinesisPath(bucket, lines(markers), false); // Firehose never reads

    const { wait, progress } = await lookForMarkers(bucket, 'kinesis', runId, markers, started);
    expect(wait.done).toBe(false);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const verdict = judgePath({
      path: 'kinesis',
      expected: 3,
      written: true,
      firstHopSeen: true,
      matches: wait.state.matches,
      inErrors: 0,
    });
    expect(verdict).toMatchObject({
      ok: false,
      stoppedAt: 'Firehose + transform → lake raw/source=kinesis/',
      summary: 'kinesis: 0 of 3 markers landed before the timeout; they stopped at Firehose + transform → lake raw/source=kinesis/',
    });
  });

  test('kafka: markers among ordinary traffic go through the broker and the consumer Lambda to raw/source=kafka/', async () => {
    const runId = newRunId();
    const markers = makeMarkers(runId, 'kafka', 5);
    const kinesisMarkers = makeMarkers(runId, 'kinesis', 2); // this run's other set: not the Kafka path's
    const corpus = buildCorpus({ lines: 300, seed: 4, malformed: false });
    const started = Date.now();
    const bucket = await newBucket();
    const inTopic = await kafkaPath(bucket, [...corpus.lines, ...lines(kinesisMarkers), ...lines(markers)], true);
    expect(inTopic).toBe(corpus.lines.length + 7);

    const { wait, progress } = await lookForMarkers(bucket, 'kafka', runId, markers, started);
    expect(wait.done).toBe(true);
    expect(progress.at(-1)).toMatch(/^kafka path: 5\/5 \(\d+ s\)$/);
    const verdict = judgePath({
      path: 'kafka',
      expected: 5,
      written: true,
      matches: wait.state.matches,
      inErrors: wait.state.read.errorRecords,
      elapsedMs: wait.elapsedMs,
    });
    expect(verdict).toMatchObject({ ok: true, problems: [] });
    expect(verdict.summary).toMatch(
      /^kafka: all 5 markers landed under raw\/source=kafka\/ and parsed into the record schema in \d+\.\d s$/,
    );
    expect(wait.state.matches.map((m) => m.found.map((f) => f.key.startsWith('raw/source=kafka/dt=')))).toEqual(markers.map(() => [true]));
  });

  test('kafka: markers in the topic that no consumer read: the verdict names the consumer', async () => {
    const runId = newRunId();
    const markers = makeMarkers(runId, 'kafka', 3);
    const started = Date.now();
    const bucket = await newBucket();
    // The topic holding them is what the first hop's evidence is: they reached MSK.
    const inTopic = await kafkaPath(bucket, lines(markers), false);
    const verdict = await rawVerdict(bucket, 'kafka', runId, markers, started, inTopic === markers.length);
    expect(verdict).toMatchObject({
      ok: false,
      stoppedAt: 'the consumer Lambda → lake raw/source=kafka/',
      summary: 'kafka: 0 of 3 markers landed before the timeout; they stopped at the consumer Lambda → lake raw/source=kafka/',
    });
  });
});

describe('curated: the Glue run and the Athena query', () => {
  const JOB = 'log-etl-verify';
  /** moto advances a job run one state per GetJobRun after `times` reads. */
  const glueProgression = async (times: number) => {
    const reply = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
      method: 'POST',
      body: JSON.stringify({ model_name: 'glue::job_run', transition: { progression: 'manual', times } }),
    });
    expect(reply.ok).toBe(true);
  };

  beforeAll(async () => {
    // The deployed stack's job, as far as moto needs it (its runs run nothing: the test runs the batch itself).
    await glue.send(
      new CreateJobCommand({
        Name: JOB,
        Role: 'arn:aws:iam::123456789012:role/glue',
        Command: { Name: 'glueetl', ScriptLocation: 's3://assets/log_etl_job.py' },
      }),
    );
  });

  /** The work of the run: the real Glue batch on local Spark over `lakeBucket`'s raw/, its quarantine put where the job puts it. */
  const localGlueRun = (lakeBucket: string, intoBucket: string) => async (run: { id: string; startedAtMs: number }) => {
    // A job name per run: each run's published counts are read back on their own (glue/local/run_local.py).
    const result = await runGlueLocally({
      s3,
      bucket: lakeBucket,
      moto,
      workDir: WORK_DIR,
      log: () => undefined,
      jobName: `verify-${run.id.slice(3, 15)}`,
    });
    expect(result.failures).toEqual([]);
    const quarantineDir = path.join(result.lakeDir, 'quarantine');
    const files = fs.existsSync(quarantineDir) ? fs.readdirSync(quarantineDir).filter((f) => f.endsWith('.gz')) : [];
    for (const file of files) {
      const key = `${quarantinePrefix(run.id, new Date(run.startedAtMs).toISOString().slice(0, 10))}${file}`;
      await s3.send(new PutObjectCommand({ Bucket: intoBucket, Key: key, Body: fs.readFileSync(path.join(quarantineDir, file)) }));
    }
  };

  const check = (
    bucket: string,
    runId: string,
    markersByPath: Map<VerifyPath, Marker[]>,
    rawVerdicts: PathVerdict[],
    writtenAtMs: number,
    progress: string[],
  ): CuratedCheck => ({
    glue,
    athena,
    s3,
    bucket,
    jobName: JOB,
    table: TABLE,
    runId,
    markersByPath,
    rawVerdicts,
    writtenAtMs,
    timeoutMs: 120_000,
    intervalMs: 200,
    onProgress: (m) => progress.push(m),
  });

  test('markers of both paths reach the curated table once each; verify runs the job, queries and says so', async () => {
    await glueProgression(1);
    const runId = newRunId();
    const markersByPath = new Map<VerifyPath, Marker[]>([
      ['kinesis', makeMarkers(runId, 'kinesis', 4)],
      ['kafka', makeMarkers(runId, 'kafka', 4)],
    ]);
    const started = Date.now();
    const bucket = await newBucket();
    // Each path carries every marker line, as the agent ships the file to both; each path's set is its own.
    const all = [...markersByPath.values()].flat();
    await kinesisPath(bucket, [...buildCorpus({ lines: 400, seed: 7, malformed: false }).payloads, ...lines(all)], true);
    await kafkaPath(bucket, [...buildCorpus({ lines: 200, seed: 8, malformed: false }).lines, ...lines(all)], true);
    // And one more line with this run's marker that is not a valid record (no instant in `timestamp`), as a
    // corrupted copy would be: not one of the markers the raw check waits for; the Glue job quarantines it.
    const corrupt = {
      event_id: 'corrupt-1',
      source: 'kinesis',
      format: 'json',
      timestamp: 'yesterday',
      ingested_at: new Date().toISOString(),
      message: `log-pipeline-verify run=${runId} path=kinesis seq=99`,
    };
    const corruptKey = `raw/source=kinesis/dt=${new Date().toISOString().slice(0, 10)}/corrupt.gz`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: corruptKey, Body: gzipSync(`${JSON.stringify(corrupt)}\n`) }));
    const rawVerdicts = [
      await rawVerdict(bucket, 'kinesis', runId, markersByPath.get('kinesis')!, started),
      await rawVerdict(bucket, 'kafka', runId, markersByPath.get('kafka')!, started),
    ];
    expect(rawVerdicts.map((v) => v.ok)).toEqual([true, true]);

    const progress: string[] = [];
    let run: { id: string; startedAtMs: number } | undefined;
    const verdicts = await checkCurated({
      ...check(bucket, runId, markersByPath, rawVerdicts, started, progress),
      onGlueRunStarted: async (started) => {
        run = started;
        await localGlueRun(bucket, bucket)(started);
      },
    });
    expect(verdicts.map((v) => v.problems)).toEqual([[], []]);
    expect(verdicts.map((v) => v.ok)).toEqual([true, true]);
    const prefix = quarantinePrefix(run!.id, new Date(run!.startedAtMs).toISOString().slice(0, 10));
    expect(verdicts[0].summary).toBe(
      `kinesis (curated): all 4 markers in the curated table once each ${verdicts[0].summary.match(/each (\d+\.\d) s/)?.[1]} s after they were written (Glue run ${run!.id}); 1 quarantined by the run (${prefix})`,
    );
    expect(verdicts[1].summary).toMatch(
      /^kafka \(curated\): all 4 markers in the curated table once each \d+\.\d s after they were written \(Glue run jr_[0-9a-f]+\)$/,
    );
    // The quarantined line as the deployed job keeps it, read back from the run's quarantine prefix.
    const [quarantined, ...more] = await readQuarantined(s3, bucket, run!, `run=${runId}`);
    expect(more).toEqual([]);
    expect(quarantined.key.startsWith(prefix)).toBe(true);
    expect(quarantined.record).toMatchObject({
      source_file: expect.stringContaining(corruptKey),
      reason: expect.stringContaining('timestamp'),
    });
    // The run's progress as GetJobRun reported it, then the query's.
    expect(progress.filter((p) => p.startsWith('Glue run ')).map((p) => p.split(': ')[1].replace(/ \(\d+ s\)$/, ''))).toEqual([
      'RUNNING',
      'SUCCEEDED',
    ]);
    expect(progress.at(-1)).toMatch(/^Athena query [0-9a-f-]+: 16 marker row\(s\)/);
    // 8 markers, each line through both paths: 16 rows, each path's verdict counting its own partition.
    // Spark ran exactly the SQL verify sent to Athena.
    expect(athenaProxy.queries.at(-1)).toBe(curatedMarkerQuery(TABLE, runId, curatedHours(started, Date.now())));
  });

  test('markers in raw/ that the Glue run did not curate: the verdict names the Glue run', async () => {
    await glueProgression(1);
    const runId = newRunId();
    const markers = makeMarkers(runId, 'kinesis', 3);
    const started = Date.now();
    const bucket = await newBucket();
    await kinesisPath(bucket, lines(markers), true);
    const raw = await rawVerdict(bucket, 'kinesis', runId, markers, started);
    expect(raw.ok).toBe(true);
    // The job reads another lake than the one the markers landed in (a job pointed at the wrong bucket, or a
    // bookmark already past these objects): the run succeeds and curates only other traffic.
    const otherLake = await newBucket();
    await kinesisPath(otherLake, buildCorpus({ lines: 200, seed: 9, malformed: false }).payloads, true);

    const progress: string[] = [];
    const [verdict] = await checkCurated({
      ...check(bucket, runId, new Map([['kinesis', markers]]), [raw], started, progress),
      onGlueRunStarted: localGlueRun(otherLake, bucket),
    });
    expect(verdict).toMatchObject({
      ok: false,
      stoppedAt: 'the Glue job run (raw/ → curated/)',
      summary: expect.stringMatching(
        /^kinesis \(curated\): 0 of 3 markers in the curated table after the Glue run jr_[0-9a-f]+; they stopped at the Glue job run \(raw\/ → curated\/\)$/,
      ),
    });
    expect(progress.at(-1)).toMatch(/: 0 marker row\(s\)/);
  });

  test('a run that does not end in time, a job that does not exist, a path that never reached raw/', async () => {
    const runId = newRunId();
    const markers = new Map<VerifyPath, Marker[]>([['kinesis', makeMarkers(runId, 'kinesis', 2)]]);
    const ok: PathVerdict = { path: 'kinesis', ok: true, summary: '', problems: [] };
    const queriesBefore = athenaProxy.queries.length;

    await glueProgression(1_000_000); // the run stays STARTING
    const [stuck] = await checkCurated({ ...check('unused', runId, markers, [ok], Date.now(), []), timeoutMs: 1_000 });
    expect(stuck).toMatchObject({
      ok: false,
      stoppedAt: 'the Glue job run (raw/ → curated/)',
      summary: expect.stringMatching(/^kinesis \(curated\): the Glue run jr_[0-9a-f]+ was still STARTING when the wait ended/),
    });

    await expect(checkCurated({ ...check('unused', runId, markers, [ok], Date.now(), []), jobName: 'no-such-job' })).rejects.toThrow(
      /^the Glue job no-such-job does not exist in this account and region: is the stage's Analytics stack deployed/,
    );

    const rawFailed: PathVerdict = { path: 'kinesis', ok: false, stoppedAt: 'the agent → Kinesis stream', summary: '', problems: [] };
    const [notStarted] = await checkCurated({ ...check('unused', runId, markers, [rawFailed], Date.now(), []), jobName: 'no-such-job' });
    expect(notStarted).toMatchObject({ ok: false, stoppedAt: 'the agent → Kinesis stream' }); // no Glue run was started for it
    expect(athenaProxy.queries.length).toBe(queriesBefore);
  });
});
