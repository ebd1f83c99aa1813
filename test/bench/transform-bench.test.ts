/**
 * The transform benchmark's reference holds only if it does what it claims: the ideal emitter must emit the
 * handler's own output.
 */
import { restoreEnvironment } from '../lambda/helpers/handler-environment';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBatch, idealEmitter, quietly } from '../../bench/transform-bench';
import { bundleFunction } from '../../lib/lambda-bundling';
import { loadBundledHandler } from '../../local/bundle';

type Transform = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transform-bench-test-'));
let handler: Transform;

beforeAll(() => {
  // Named after the function: loadBundledHandler takes the service name from the bundle's folder.
  bundleFunction('firehose-transform', path.join(dir, 'firehose-transform'));
  handler = loadBundledHandler(path.join(dir, 'firehose-transform', 'index.js'));
});
afterAll(() => {
  restoreEnvironment();
  fs.rmSync(dir, { recursive: true, force: true });
});

// A fresh copy of the event per call: the handler may not rely on, or change, what it was given.
const request = JSON.stringify(buildBatch(0.05).event);
const invoke = (fn: Transform) => quietly(async () => JSON.stringify(await fn(JSON.parse(request) as FirehoseTransformationEvent)));

test("the ideal emitter returns the handler's own records", async () => {
  const expected = await invoke(handler);
  expect(await invoke(idealEmitter(JSON.parse(expected) as FirehoseTransformationResult))).toBe(expected);
});
