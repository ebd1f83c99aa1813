/**
 * The bundled transform (bundleFunction, as the CDK asset and the local run build it) reads lines of the
 * custom formats bundled with it: the file is loaded at cold start, next to index.js, nothing else. Built
 * without formats, no file (a stale one is removed) and the same lines are unparsed. The bundled Kafka
 * consumer reads them the same way: an MSK record's HDFS line lands in the lake under the format's name.
 */
// First import: the handler reads its environment when it loads.
import { restoreEnvironment } from '../lambda/helpers/handler-environment';
import type { FirehoseTransformationEvent, FirehoseTransformationResult, MSKEvent } from 'aws-lambda';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CUSTOM_FORMATS_FILE, type CustomFormatDefinition } from '../../lambda/shared/parsers/custom-format';
import { bundleFunction } from '../../lib/lambda-bundling';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { loadBundledHandler } from '../../local/bundle';
import { firehoseEvent } from '../lambda/helpers/firehose-events';
import { mskEvent } from '../lambda/helpers/msk-events';
import { startS3CaptureServer } from '../lambda/helpers/s3-capture-server';

const FORMATS = (
  JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'examples', 'formats', 'hdfs-apache-error.json'), 'utf8')) as {
    formats: CustomFormatDefinition[];
  }
).formats;
const FUNCTION_DIR = 'firehose-transform';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-bundle-'));
// One folder per build: jest's module registry keeps a loaded index.js, so a rebuild goes elsewhere.
const withFormats = path.join(root, 'with', FUNCTION_DIR);
const without = path.join(root, 'without', FUNCTION_DIR);
const LINES = [
  '261206 031500 143 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_42 terminating',
  '[Sun Dec 06 03:15:44 2026] [error] [client 198.51.100.23] Directory index forbidden by rule: /srv/www/',
  '10.0.0.1 - - [06/Dec/2026:03:15:44 +0000] "GET / HTTP/1.1" 200 5',
];

afterAll(() => {
  restoreEnvironment();
  fs.rmSync(root, { recursive: true, force: true });
});

async function formatsOfLines(outdir: string): Promise<unknown[]> {
  const handler = loadBundledHandler<FirehoseTransformationEvent, FirehoseTransformationResult>(path.join(outdir, 'index.js'), {
    logFile: path.join(root, 'function.log'),
  });
  const result = await handler(firehoseEvent([LINES.join('\n')]));
  expect(result.records.map((r) => r.result)).toEqual(['Ok']);
  return Buffer.from(result.records[0].data ?? '', 'base64')
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .map(({ format, timestamp, severity, attributes }) => ({ format, timestamp, severity, attributes }));
}

test('with the formats bundled, the transform names them; the built-in still reads its line', async () => {
  bundleFunction(FUNCTION_DIR, withFormats, FORMATS);
  expect(JSON.parse(fs.readFileSync(path.join(withFormats, CUSTOM_FORMATS_FILE), 'utf8'))).toEqual(FORMATS);
  expect(await formatsOfLines(withFormats)).toEqual([
    { format: 'hdfs', timestamp: '2026-12-06T03:15:00.000Z', severity: 'info', attributes: { block: 'blk_42' } },
    { format: 'apache_error', timestamp: '2026-12-06T03:15:44.000Z', severity: 'error', attributes: undefined },
    { format: 'common', timestamp: '2026-12-06T03:15:44.000Z', severity: undefined, attributes: undefined },
  ]);
}, 60_000);

test('built without formats (a stale file from an earlier build removed), those lines are unparsed', async () => {
  fs.mkdirSync(without, { recursive: true });
  fs.writeFileSync(path.join(without, CUSTOM_FORMATS_FILE), JSON.stringify(FORMATS));
  bundleFunction(FUNCTION_DIR, without);
  expect(fs.existsSync(path.join(without, CUSTOM_FORMATS_FILE))).toBe(false);
  expect((await formatsOfLines(without)).map((r) => (r as { format: string }).format)).toEqual(['unparsed', 'unparsed', 'common']);
}, 60_000);

test('the bundled Kafka consumer, built with the formats, writes an HDFS line as the hdfs format', async () => {
  const consumerDir = path.join(root, 'with', 'kafka-consumer');
  bundleFunction('kafka-consumer', consumerDir, FORMATS);
  expect(JSON.parse(fs.readFileSync(path.join(consumerDir, CUSTOM_FORMATS_FILE), 'utf8'))).toEqual(FORMATS);
  const s3 = await startS3CaptureServer();
  try {
    // The consumer's own environment (the transform's was set on import), read when its module loads.
    Object.assign(process.env, {
      POWERTOOLS_SERVICE_NAME: 'kafka-consumer',
      LAKE_BUCKET: 'log-pipeline-lake-test',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    });
    const handler = loadBundledHandler<MSKEvent, { batchItemFailures: unknown[] }>(path.join(consumerDir, 'index.js'), {
      logFile: path.join(root, 'consumer.log'),
    });
    expect(await handler(mskEvent({ 'logs-0': [{ value: LINES[0] }] }))).toEqual({ batchItemFailures: [] });
    expect(s3.puts).toHaveLength(1);
    expect(s3.puts[0].key).toMatch(/^raw\/source=kafka\//);
    const records = zlib
      .gunzipSync(s3.puts[0].body)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      format: 'hdfs',
      timestamp: '2026-12-06T03:15:00.000Z',
      severity: 'info',
      app: 'dfs.DataNode$PacketResponder',
      message: 'PacketResponder 1 for block blk_42 terminating',
      attributes: { block: 'blk_42' },
      source: 'kafka',
    });
    // Parsed, so the line is not kept whole as an unparsed record's raw.
    expect(records[0].raw ?? null).toBeNull();
  } finally {
    await s3.close();
  }
}, 60_000);
