/**
 * The transform's files as bundleFunction writes them (the CDK asset and the local tools alike): index.js
 * without the AWS SDK, and the overflow path in kinesis-client.js of its own, which the bundled handler
 * loads only when a batch overflows, and which then really re-ingests over the network.
 */
// First import: the handler reads its environment when it loads (re-ingest aimed at a closed local port).
import { restoreEnvironment } from '../lambda/helpers/handler-environment';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { BundleError, bundleFiles, bundleFunction, SEPARATE_MODULES } from '../../lib/lambda-bundling';
import { loadBundledHandler } from '../../local/bundle';
import { firehoseEvent } from '../lambda/helpers/firehose-events';

const FUNCTION_DIR = 'firehose-transform';
// Named after the function: loadBundledHandler takes the service name from the bundle's folder.
const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-test-')), FUNCTION_DIR);
const index = path.join(outdir, 'index.js');
const overflowFile = path.join(outdir, 'kinesis-client.js');
// Node's own module cache (the bundle is loaded by Node's require, outside jest's registry).
const nodeCache = createRequire(index).cache;

// The bundled SDK's notice that it will need Node >= 22 (this machine may run 20; Lambda runs 24) stays out
// of the results; every other warning still shows.
const emitWarning = process.emitWarning;
beforeAll(() => {
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!(typeof warning === 'string' ? warning : warning.message).startsWith('NodeVersionSupportWarning'))
      (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  bundleFunction(FUNCTION_DIR, outdir);
});
afterAll(() => {
  process.emitWarning = emitWarning;
  restoreEnvironment();
  fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
});

test('the transform is index.js plus kinesis-client.js, each with its source map, and nothing else', () => {
  expect(SEPARATE_MODULES[FUNCTION_DIR]).toEqual(['kinesis-client']);
  expect(bundleFiles(FUNCTION_DIR)).toEqual(['index.js', 'index.js.map', 'kinesis-client.js', 'kinesis-client.js.map']);
  expect(fs.readdirSync(outdir).sort()).toEqual(bundleFiles(FUNCTION_DIR));
  expect(bundleFiles('kafka-consumer')).toEqual(['index.js', 'index.js.map', 'records-producer.js', 'records-producer.js.map']);
});

test('index.js leaves the overflow path to a runtime require and holds none of the Kinesis SDK', () => {
  const main = fs.readFileSync(index, 'utf8');
  const overflow = fs.readFileSync(overflowFile, 'utf8');
  expect(main).toContain('require("./kinesis-client")');
  // The Kinesis JSON protocol's target prefix, in every request the client builds.
  expect(overflow).toContain('Kinesis_20131202');
  expect(main).not.toContain('Kinesis_20131202');
  expect(main).not.toContain('@smithy');
  // The SDK is nearly all of the code: index.js is a small part of the two.
  expect(main.length).toBeLessThan(overflow.length / 4);
});

test('the bundled handler loads kinesis-client.js on the first overflow only, and re-ingests through it', async () => {
  const logFile = path.join(path.dirname(outdir), 'function.log');
  const handler = loadBundledHandler<FirehoseTransformationEvent, FirehoseTransformationResult>(index, { logFile });
  delete nodeCache[overflowFile];

  const small = await handler(firehoseEvent(['10.0.0.1 - - [25/Nov/2026:11:52:39 +0000] "GET / HTTP/1.1" 200 5']));
  expect(small.records.map((r) => r.result)).toEqual(['Ok']);
  expect(nodeCache[overflowFile]).toBeUndefined();

  // Over the real 6 MB cap: the records that do not fit go to re-ingest, whose endpoint refuses connections.
  const line = '10.0.0.1 - - [25/Nov/2026:11:52:39 +0000] "GET /index.html HTTP/1.1" 200 5120\n';
  const result = await handler(firehoseEvent(Array.from({ length: 2500 }, () => ({ data: line.repeat(25) }))));
  expect(nodeCache[overflowFile]).toBeDefined();
  const failed = result.records.filter((r) => r.result === 'ProcessingFailed').length;
  expect(failed).toBeGreaterThan(0);
  const log = fs.readFileSync(logFile, 'utf8');
  expect(log).toMatch(/"reason":\s*"reingest-failed"/);
  expect(log).toMatch(/ECONNREFUSED/);
}, 60_000);

test('a function folder without its entry is refused, naming the missing file', () => {
  expect(() => bundleFunction('no-such-function', path.join(path.dirname(outdir), 'none'))).toThrow(BundleError);
  expect(() => bundleFunction('no-such-function', path.join(path.dirname(outdir), 'none'))).toThrow(
    /lambda[\\/]no-such-function[\\/]index\.ts does not exist/,
  );
});
