/**
 * The Lambda entry point with its real module-scope clients: Powertools Logger/Metrics and a KinesisClient
 * aimed at a closed local port (AWS_ENDPOINT_URL_KINESIS), so re-ingest really fails over the network.
 */
// First import: the handler module reads its environment when it loads.
import { restoreEnvironment } from './helpers/handler-environment';
import type { Context, FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import * as mod from '../../lambda/firehose-transform/index';
import { firehoseEvent } from './helpers/firehose-events';
import { withJsonOutput } from './helpers/handler-output';

afterAll(restoreEnvironment);

/** Runs the handler, capturing what it writes to stdout and stderr (JSON logs, EMF metrics). */
function invoke(event: FirehoseTransformationEvent): Promise<{ result: FirehoseTransformationResult; output: Record<string, unknown>[] }> {
  return invokeWith(event, undefined);
}

async function invokeWith(
  event: FirehoseTransformationEvent,
  context: Context | undefined,
): Promise<{ result: FirehoseTransformationResult; output: Record<string, unknown>[] }> {
  return withJsonOutput(() => mod.handler(event, context));
}

function metricsOf(output: Record<string, unknown>[]): Record<string, unknown> {
  const emf = output.find((entry) => '_aws' in entry);
  expect(emf).toBeDefined();
  return emf!;
}

test('transforms a batch and publishes the counts as EMF metrics', async () => {
  const event = firehoseEvent(['<34>Oct 11 22:14:15 mymachine su[123]: x\nnot a log line', '', { data: '', base64: '!!' }]);
  const { result, output } = await invoke(event);
  expect(result.records.map((r) => r.result)).toEqual(['Ok', 'Dropped', 'ProcessingFailed']);
  const emf = metricsOf(output);
  expect(emf).toMatchObject({
    Records: 3,
    ParsedLines: 1,
    UnparsedLines: 1,
    FailedRecords: 1,
    DroppedRecords: 1,
    ReingestedRecords: 0,
    ReingestFailures: 0,
    service: 'firehose-transform',
  });
  expect(JSON.stringify(emf._aws)).toContain('LogPipelineTest');
  expect(output.some((entry) => entry.message === 'Records marked ProcessingFailed (kept under the error prefix)')).toBe(true);
});

test('overflow over the real 6 MB cap with an unreachable Kinesis endpoint: ProcessingFailed, response within the cap', async () => {
  const line = '10.0.0.1 - - [25/Nov/2026:11:52:39 +0000] "GET /index.html HTTP/1.1" 200 5120\n';
  const event = firehoseEvent(Array.from({ length: 2500 }, () => ({ data: line.repeat(25) })));
  const { result, output } = await invoke(event);
  expect(result.records).toHaveLength(2500);
  expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(6_000_000);
  const failed = result.records.filter((r) => r.result === 'ProcessingFailed').length;
  expect(failed).toBeGreaterThan(0);
  expect(result.records.filter((r) => r.result === 'Ok').length + failed).toBe(2500);
  expect(metricsOf(output)).toMatchObject({ ReingestFailures: failed, ReingestedRecords: 0 });
  // The failure came from the network, i.e. the real client really sent PutRecords to the endpoint.
  const warning = output.find((entry) => Array.isArray(entry.failures)) as { failures: { reason: string; detail: string }[] };
  expect(warning.failures[0].reason).toBe('reingest-failed');
  expect(warning.failures[0].detail).toMatch(/ECONNREFUSED/);
}, 60_000);

test('re-ingest stays inside the Lambda timeout: with no time left it is not attempted', async () => {
  const line = '10.0.0.1 - - [25/Nov/2026:11:52:39 +0000] "GET /index.html HTTP/1.1" 200 5120\n';
  const event = firehoseEvent(Array.from({ length: 2500 }, () => ({ data: line.repeat(25) })));
  const context = { getRemainingTimeInMillis: () => 2_000, awsRequestId: 'req-1', functionName: 'fn' } as unknown as Context;
  const { result, output } = await invokeWith(event, context);
  expect(result.records.some((r) => r.result === 'ProcessingFailed')).toBe(true);
  const warning = output.find((entry) => Array.isArray(entry.failures)) as { failures: { detail: string }[] };
  expect(warning.failures[0].detail).toBe('deadline reached before re-ingest');
}, 60_000);

describe('readConfig', () => {
  test('both Powertools variables are required', () => {
    expect(() => mod.readConfig({})).toThrow(mod.ConfigurationError);
    expect(() => mod.readConfig({})).toThrow(
      'Invalid environment: POWERTOOLS_SERVICE_NAME must be set; POWERTOOLS_METRICS_NAMESPACE must be set',
    );
  });

  test('REINGEST_MAX_ATTEMPTS must be an integer from 1 to 10', () => {
    const base = { POWERTOOLS_SERVICE_NAME: 's', POWERTOOLS_METRICS_NAMESPACE: 'n' };
    expect(mod.readConfig(base).reingestMaxAttempts).toBe(4);
    expect(mod.readConfig({ ...base, REINGEST_MAX_ATTEMPTS: '7' }).reingestMaxAttempts).toBe(7);
    expect(() => mod.readConfig({ ...base, REINGEST_MAX_ATTEMPTS: '0' })).toThrow(
      "REINGEST_MAX_ATTEMPTS must be an integer between 1 and 10 (got '0')",
    );
  });
});
