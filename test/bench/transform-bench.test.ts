/**
 * The transform benchmark's references hold only if they do what they claim: the parse-free bundle (parseLine
 * memoized) must answer exactly as the handler does, so its time is the handler's minus parsing, and the
 * ideal emitter must emit the handler's own output.
 */
import { restoreEnvironment } from '../lambda/helpers/handler-environment';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBatch, bundleParseFreeTransform, idealEmitter, quietly } from '../../bench/transform-bench';
import { bundleFunction } from '../../lib/lambda-bundling';
import { loadBundledHandler } from '../../local/bundle';
import { firehoseEvent } from '../lambda/helpers/firehose-events';

type Transform = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transform-bench-test-'));
let handler: Transform;
let parseFree: Transform;

beforeAll(async () => {
  // Named after the function: loadBundledHandler takes the service name from the bundle's folder.
  bundleFunction('firehose-transform', path.join(dir, 'firehose-transform'));
  handler = loadBundledHandler(path.join(dir, 'firehose-transform', 'index.js'));
  parseFree = loadBundledHandler(await bundleParseFreeTransform(path.join(dir, 'firehose-transform-parse-free')));
});
afterAll(() => {
  restoreEnvironment();
  fs.rmSync(dir, { recursive: true, force: true });
});

// A fresh copy of the event per call: the handler may not rely on, or change, what it was given.
const request = JSON.stringify(buildBatch(0.05).event);
const invoke = (fn: Transform) => quietly(async () => JSON.stringify(await fn(JSON.parse(request) as FirehoseTransformationEvent)));

test('the parse-free reference answers byte for byte as the handler, cold memo and warm', async () => {
  const expected = await invoke(handler);
  expect(JSON.parse(expected).records).toHaveLength(JSON.parse(request).records.length);
  expect(await invoke(parseFree)).toBe(expected);
  expect(await invoke(parseFree)).toBe(expected);
});

test("the ideal emitter returns the handler's own records", async () => {
  const expected = await invoke(handler);
  expect(await invoke(idealEmitter(JSON.parse(expected) as FirehoseTransformationResult))).toBe(expected);
});

test('the parse-free reference really skips parsing: a line seen before keeps its first parse', async () => {
  // An RFC 3164 line carries no year: the parser takes it from the arrival time, so only a memo answers a
  // later arrival with the first one's year.
  const line = 'Dec 31 23:59:59 web-01 sshd[42]: session opened';
  const at = (arrivalMs: number) => firehoseEvent([{ data: `${line}\n`, arrivalMs }]);
  const timestampOf = async (fn: Transform, event: FirehoseTransformationEvent) => {
    const [record] = (await quietly(() => fn(event))).records;
    return (JSON.parse(Buffer.from(record.data!, 'base64').toString('utf8')) as { timestamp: string }).timestamp;
  };
  const first = at(Date.UTC(2026, 0, 5));
  const later = at(Date.UTC(2027, 0, 5));
  expect(await timestampOf(handler, first)).toBe('2025-12-31T23:59:59.000Z');
  expect(await timestampOf(handler, later)).toBe('2026-12-31T23:59:59.000Z');
  expect(await timestampOf(parseFree, first)).toBe('2025-12-31T23:59:59.000Z');
  expect(await timestampOf(parseFree, later)).toBe('2025-12-31T23:59:59.000Z');
});
