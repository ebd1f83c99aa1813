/**
 * The Kinesis path end to end on moto: stream and lake bucket, generated lines in with PutRecords,
 * delivery through the real bundled transform (Firehose simulator), then an account of what landed:
 * every line must come out once, as a raw record or a ProcessingFailed error record.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { STAGE_CONFIGS } from '../../lib/config';
import { errorPrefixFor, rawPrefixFor } from '../../contracts/lake-layout';
import { bundleLambda, loadBundledHandler } from '../bundle';
import { DEFAULT_LINES_PER_FLUSH, packLines, type ExpectedKind } from '../corpus';
import { lineSource } from '../line-source';
import { deliverStream, type TransformHandler } from '../kinesis/firehose-simulator';
import { EmulatorError } from '../moto';
import { putRecords } from '../kinesis/producer';
import { readLake, summarizeLake, type LakeInventory } from '../lake-inventory';
import { recordValidator } from '../../lib/record-schema';
import type { LocalStep, StepResult } from './step';
import { displayPath } from '../display-path';

const MiB = 1024 * 1024;
export const TRANSFORM_FUNCTION = 'firehose-transform';

export const kinesisPathStep: LocalStep = {
  name: 'kinesis',
  async run(context): Promise<StepResult> {
    const { kinesis, s3 } = context;
    if (!kinesis || !s3) throw new Error('the kinesis step needs the moto step before it');
    const { options } = context;
    const delivery = STAGE_CONFIGS.dev.delivery;
    const started = Date.now();

    const runId = `${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${randomBytes(3).toString('hex')}`;
    const streamArn = await createStream(kinesis, `log-pipeline-local-${runId}`, options.shards);
    const bucket = `log-pipeline-lake-local-${runId}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    context.lakeBucket = bucket;

    const source = lineSource(options);
    context.log(`putting ${source.description} (${mib(source.bytes)}) into ${streamArn.split('/').pop()}`);
    const putStarted = Date.now();
    let lastPrinted = 0;
    const put = { records: 0, bytes: 0, calls: 0, retriedEntries: 0 };
    let linesPut = 0;
    for await (const batch of source.batches()) {
      const payloads = packLines(batch, options.linesPerRecord);
      const done = put.records;
      const batchPut = await putRecords(kinesis, streamArn, payloads, {
        onBatch: ({ written }) => {
          if (Date.now() - lastPrinted > 2000) {
            lastPrinted = Date.now();
            context.log(`  put ${fmt(done + written)} records`);
          }
        },
      });
      linesPut += batch.length;
      put.records += batchPut.records;
      put.bytes += batchPut.bytes;
      put.calls += batchPut.calls;
      put.retriedEntries += batchPut.retriedEntries;
    }
    context.log(`  put ${fmt(put.records)} records holding ${fmt(linesPut)} lines`);
    const putMs = Date.now() - putStarted;

    const functionLog = path.join(context.workDir, `${TRANSFORM_FUNCTION}.log`);
    fs.rmSync(functionLog, { force: true });
    context.log(`bundling lambda/${TRANSFORM_FUNCTION} with lib/lambda-bundling.ts settings (function logs: ${displayPath(functionLog)})`);
    const handler: TransformHandler = loadBundledHandler(await bundleLambda(TRANSFORM_FUNCTION, options.formats), { logFile: functionLog });

    context.log(
      `delivering: processor buffer ${delivery.processorBufferSizeMiB} MiB, S3 buffer ${delivery.bufferSizeMiB} MiB` +
        (options.overflow ? ', first batch at the 6 MB request cap (overflow)' : ''),
    );
    const deliverStarted = Date.now();
    // One line per invocation would flood a big run: show the first, every overflow, and one every 2 s.
    let lastInvocationLine = 0;
    let unshown = 0;
    const report = await deliverStream({
      kinesis,
      s3,
      streamArn,
      bucket,
      handler,
      processorBufferBytes: delivery.processorBufferSizeMiB * MiB,
      deliveryBufferBytes: delivery.bufferSizeMiB * MiB,
      oversizedFirstBatch: options.overflow,
      // Its re-ingest PutRecords calls to moto have no timeout of their own (it is the deployed code).
      invocationTimeoutMs: 2 * options.emulatorTimeoutMs,
      explainTimeout: (what) =>
        new EmulatorError(`${what}; moto_server (pid ${context.moto!.pid}), which it re-ingests into, is ${context.moto!.state()}`),
      onInvocation: (p) => {
        if (p.invocation > 1 && p.dropped === 0 && Date.now() - lastInvocationLine < 2000) {
          unshown += 1;
          return;
        }
        lastInvocationLine = Date.now();
        context.log(
          `  invoke #${p.invocation}: ${fmt(p.records)} records, ${mib(p.inputBytes)} in, ${mib(p.responseBytes)} out → ` +
            `Ok ${fmt(p.ok)}, Dropped ${fmt(p.dropped)}, ProcessingFailed ${fmt(p.processingFailed)} (${p.durationMs} ms)` +
            (unshown > 0 ? ` [+${unshown} calls not shown]` : ''),
        );
        unshown = 0;
      },
    });
    const deliverMs = Date.now() - deliverStarted;

    const inventory = await readLake(s3, bucket);
    const summary = summarizeLake(inventory);
    const failures = [
      ...inventory.problems,
      ...checkLayout(inventory),
      ...checkSchema(
        inventory,
        (options.formats ?? []).map((f) => f.name),
      ),
    ];
    const linesIn = linesPut;
    const linesOut = summary.rawRecords + summary.failedLines;
    if (linesOut !== linesIn) {
      failures.push(
        `lines in ${linesIn} ≠ records out ${summary.rawRecords} + failed ${summary.failedLines} (${linesOut}): ${linesIn > linesOut ? 'records were lost' : 'records were duplicated'}`,
      );
    }
    if (summary.duplicateEventIds > 0) failures.push(`${summary.duplicateEventIds} raw records share an event_id with another`);
    if (options.overflow && report.dropped === 0) {
      context.log(
        'note: --overflow was set but the first batch did not overflow; send more lines (--lines) or pack more per record (--lines-per-record)',
      );
    }

    const packing =
      options.linesPerRecord === undefined
        ? `packed as the agent packs them: flushes of ${DEFAULT_LINES_PER_FLUSH} lines, records up to 1 MiB`
        : `${options.linesPerRecord} line${options.linesPerRecord === 1 ? '' : 's'} a record (--lines-per-record)`;
    const lines = [
      `lines in            ${fmt(linesIn)} (${mib(source.bytes)}${options.logs ? ` from --logs ${options.logs.spec}` : ''}; ${fmt(put.records)} Kinesis records, ${put.calls} PutRecords calls, ${put.retriedEntries} entries retried)`,
      `kinesis records     ${fmt(put.records)} records, ${fmt(linesIn)} lines, average record ${mib(put.bytes / Math.max(1, put.records))} (${packing})`,
      `transform calls     ${fmt(report.invocations)} (records read ${fmt(report.recordsRead)}: Ok ${fmt(report.ok)}, Dropped+re-ingested ${fmt(report.dropped)}, ProcessingFailed ${fmt(report.processingFailed)}; largest response ${mib(report.largestResponseBytes)})`,
      'objects per prefix:',
      ...Object.entries(summary.objectsByPrefix).map(
        ([prefix, o]) =>
          `  ${prefix.padEnd(44)} ${String(o.objects).padStart(3)} objects ${fmt(o.lines).padStart(8)} lines ${mib(o.compressedBytes).padStart(10)} gz (${mib(o.uncompressedBytes)} json)`,
      ),
      `records out         ${fmt(summary.rawRecords)} = parsed ${fmt(summary.parsedRecords)} + unparsed ${fmt(summary.unparsedRecords)}`,
      `per format          ${formatComparison(source.expected, summary.recordsByFormat)}`,
      `failed (errors/)    ${fmt(summary.failedLines)} lines`,
      `accounted for       ${fmt(linesOut)} of ${fmt(linesIn)} lines ${linesOut === linesIn ? '(nothing lost)' : '(MISMATCH)'}`,
      `time                ${((Date.now() - started) / 1000).toFixed(1)} s (put ${(putMs / 1000).toFixed(1)} s, deliver ${(deliverMs / 1000).toFixed(1)} s)`,
    ];
    return { report: lines, failures };
  },
};

async function createStream(kinesis: KinesisClient, name: string, shards: number): Promise<string> {
  const capacity = STAGE_CONFIGS.dev.stream.capacity;
  // The dev stage's capacity, unless --shards asks for a provisioned stream of that many shards.
  await kinesis.send(
    new CreateStreamCommand(
      shards > 0 || capacity.mode === 'provisioned'
        ? { StreamName: name, ShardCount: shards > 0 ? shards : (capacity as { shardCount: number }).shardCount }
        : { StreamName: name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } },
    ),
  );
  for (let attempt = 0; attempt < 50; attempt++) {
    const { StreamDescriptionSummary: stream } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (stream?.StreamStatus === 'ACTIVE') return stream.StreamARN!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`stream ${name} did not become ACTIVE`);
}

/** Every object sits under a prefix that contracts/lake-layout.ts would produce for its dt= date. */
export function checkLayout(inventory: LakeInventory): string[] {
  const problems: string[] = [];
  for (const object of inventory.objects) {
    const dt = /\/dt=(\d{4}-\d{2}-\d{2})\/$/.exec(object.prefix)?.[1];
    const day = dt ? new Date(`${dt}T00:00:00.000Z`) : undefined;
    const expected =
      day === undefined ? undefined : object.kind === 'raw' ? rawPrefixFor('kinesis', day) : errorPrefixFor('processing-failed', day);
    if (object.kind === 'other' || object.prefix !== expected) {
      problems.push(
        `${object.key} is not under a lake-layout prefix (expected ${expected ?? 'raw/source=kinesis/dt=YYYY-MM-DD/ or errors/processing-failed/dt=YYYY-MM-DD/'})`,
      );
    }
    if (!object.key.endsWith('.gz')) problems.push(`${object.key} lacks the .gz extension of a GZIP object`);
  }
  return problems;
}

/** Every raw record validates against schema/log-record.schema.json; shows the first few that do not. */
export function checkSchema(inventory: LakeInventory, customFormats: readonly string[] = []): string[] {
  const validate = recordValidator(customFormats);
  const problems: string[] = [];
  let invalid = 0;
  for (const { key, record } of inventory.rawLines) {
    const errors = validate(record);
    if (errors.length === 0) continue;
    invalid += 1;
    if (invalid <= 3) problems.push(`${key}: record ${String(record.event_id)} breaks the schema: ${errors.join('; ')}`);
  }
  if (invalid > 3) problems.push(`… ${invalid} raw records in all break the schema`);
  return problems;
}

/** "common 812/815, json 790/790, …, unparsed 12 (7 malformed sent)": got vs generated per format. */
function formatComparison(expected: readonly ExpectedKind[] | undefined, got: Readonly<Record<string, number>>): string {
  // The user's own lines (--logs): the formats are what the parsers found.
  if (expected === undefined) return formatCounts(got);
  const sent: Record<string, number> = {};
  for (const kind of expected) sent[kind] = (sent[kind] ?? 0) + 1;
  const formats = Object.keys(sent)
    .filter((k) => k !== 'malformed')
    .sort();
  const parts = formats.map((f) => `${f} ${fmt(got[f] ?? 0)}/${fmt(sent[f])}`);
  for (const f of Object.keys(got).filter((k) => !(k in sent) && k !== 'unparsed')) parts.push(`${f} ${fmt(got[f])}/0`);
  parts.push(`unparsed ${fmt(got.unparsed ?? 0)} (${fmt(sent.malformed ?? 0)} malformed sent)`);
  return parts.join(', ');
}

/** "common 812, json 790, unparsed 12": records per format, unparsed last. */
export function formatCounts(got: Readonly<Record<string, number>>): string {
  const formats = Object.keys(got)
    .filter((k) => k !== 'unparsed')
    .sort();
  return [...formats.map((f) => `${f} ${fmt(got[f])}`), `unparsed ${fmt(got.unparsed ?? 0)}`].join(', ');
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function mib(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
