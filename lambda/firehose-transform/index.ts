/**
 * Firehose transform Lambda: parses log lines into the lake's record schema (see transform.ts), re-ingests
 * what does not fit in the 6 MB response (see reingest.ts), and reports counts as CloudWatch metrics.
 *
 * Environment (read once at cold start):
 *   POWERTOOLS_SERVICE_NAME        required, names the logs and the metrics' service dimension
 *   POWERTOOLS_METRICS_NAMESPACE   required, the metrics' namespace
 *   REINGEST_MAX_ATTEMPTS          optional, PutRecords attempts per re-ingest batch, 1-10 (default 4)
 *   AWS_ENDPOINT_URL_KINESIS / AWS_ENDPOINT_URL   optional, read by the SDK itself (emulators)
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Context, FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { DEFAULT_REINGEST_MAX_ATTEMPTS } from './reingest-defaults';
import type * as OverflowPath from './kinesis-client';
import { transformEvent, type ReingestFunction, type TransformOutcome } from './transform';
import { EnvironmentReader } from '../shared/environment';
import { failureSample } from '../shared/failure-log';
import { TRANSFORM_METRICS } from '../../contracts/metric-names';

export { transformEvent } from './transform';

export { ConfigurationError } from '../shared/environment';

export interface TransformFunctionConfig {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly reingestMaxAttempts: number;
}

export function readConfig(env: NodeJS.ProcessEnv): TransformFunctionConfig {
  const read = new EnvironmentReader(env);
  const serviceName = read.required('POWERTOOLS_SERVICE_NAME');
  const metricsNamespace = read.required('POWERTOOLS_METRICS_NAMESPACE');
  const reingestMaxAttempts = read.optionalInteger('REINGEST_MAX_ATTEMPTS', 1, 10, DEFAULT_REINGEST_MAX_ATTEMPTS);
  read.done();
  return { serviceName, metricsNamespace, reingestMaxAttempts };
}

const config = readConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName });
// Loaded on the first overflow, then reused: the SDK is most of the code and most batches never overflow.
// Bundled as a file of its own next to index.js (SEPARATE_MODULES, lib/lambda-bundling.ts), so a cold start
// neither compiles nor runs it; from the TypeScript sources (unit tests) this require finds kinesis-client.ts.
let overflowPath: { readonly client: KinesisClient; readonly reingestRecords: typeof OverflowPath.reingestRecords } | undefined;
function loadOverflowPath(): NonNullable<typeof overflowPath> {
  if (overflowPath === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
    const overflow = require('./kinesis-client') as typeof OverflowPath;
    overflowPath = { client: overflow.createKinesisClient(), reingestRecords: overflow.reingestRecords };
  }
  return overflowPath;
}

/** Time kept back from the Lambda timeout to log, publish metrics and return the response. */
const RESPONSE_MARGIN_MS = 3_000;

function reingestWithin(deadlineMs: number | undefined): ReingestFunction {
  return async (streamArn, records) => {
    const { client, reingestRecords } = loadOverflowPath();
    return reingestRecords(client, streamArn, records, { maxAttempts: config.reingestMaxAttempts, deadlineMs });
  };
}

export async function handler(event: FirehoseTransformationEvent, context?: Context): Promise<FirehoseTransformationResult> {
  if (context !== undefined) logger.addContext(context);
  const deadlineMs = context === undefined ? undefined : Date.now() + context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS;
  const outcome: TransformOutcome = await transformEvent(event, { reingest: reingestWithin(deadlineMs) });
  const { stats } = outcome;

  metrics.addMetric(TRANSFORM_METRICS.records, MetricUnit.Count, stats.records);
  metrics.addMetric(TRANSFORM_METRICS.parsedLines, MetricUnit.Count, stats.parsedLines);
  metrics.addMetric(TRANSFORM_METRICS.unparsedLines, MetricUnit.Count, stats.unparsedLines);
  metrics.addMetric(TRANSFORM_METRICS.failedRecords, MetricUnit.Count, stats.failedRecords);
  metrics.addMetric(TRANSFORM_METRICS.droppedRecords, MetricUnit.Count, stats.droppedRecords);
  metrics.addMetric(TRANSFORM_METRICS.reingestedRecords, MetricUnit.Count, stats.reingestedRecords);
  metrics.addMetric(TRANSFORM_METRICS.reingestFailures, MetricUnit.Count, stats.reingestFailures);
  metrics.publishStoredMetrics();

  logger.info('Transformed batch', {
    invocationId: event?.invocationId,
    records: stats.records,
    ok: stats.okRecords,
    dropped: stats.droppedRecords,
    failed: stats.failedRecords,
    parsedLines: stats.parsedLines,
    unparsedLines: stats.unparsedLines,
    reingested: stats.reingestedRecords,
    splitRecords: stats.splitRecords,
    reingestFailures: stats.reingestFailures,
    failedWithoutData: stats.failedWithoutData,
    failuresByReason: stats.failuresByReason,
    responseBytes: stats.responseBytes,
  });
  if (outcome.failures.length > 0) {
    logger.warn('Records marked ProcessingFailed (kept under the error prefix)', failureSample(outcome.failures));
  }
  return outcome.response;
}
