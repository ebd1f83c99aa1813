/**
 * Realtime-rows Lambda: invoked by the MSK event source mapping on the stream analytics job's output topic,
 * writes each batch's rows into the lake under realtime/ as GZIP JSON lines (see rows.ts) and answers with a
 * partial batch response, so a failed S3 write retries only that partition from the failed offset. A message
 * that is not a row never fails the batch: it goes under errors/realtime-rows-failed/ with its original bytes.
 *
 * Environment (read once at cold start):
 *   LAKE_BUCKET                    required, name of the lake bucket
 *   POWERTOOLS_SERVICE_NAME        required, names the logs and the metrics' service dimension
 *   POWERTOOLS_METRICS_NAMESPACE   required, the metrics' namespace
 *   S3_MAX_ATTEMPTS                optional, SDK attempts per PutObject, 1-10 (default 3)
 *   AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL   optional, read by the SDK itself (emulators)
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, MSKEvent } from 'aws-lambda';
import { deliverRows, planRows, type KafkaBatchResponse } from './rows';
import { logDeliveryFailures } from '../kafka-consumer/delivery-log';
import { EnvironmentReader } from '../shared/environment';
import { lakeObjectWriter, readLakeBucket } from '../shared/lake-writer';
import { REALTIME_ROWS_METRICS } from '../../contracts/metric-names';

export { ConfigurationError } from '../shared/environment';

export interface RealtimeRowsConfig {
  readonly lakeBucket: string;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly s3MaxAttempts: number;
}

export function readConfig(env: NodeJS.ProcessEnv): RealtimeRowsConfig {
  const read = new EnvironmentReader(env);
  const lakeBucket = readLakeBucket(read);
  const serviceName = read.required('POWERTOOLS_SERVICE_NAME');
  const metricsNamespace = read.required('POWERTOOLS_METRICS_NAMESPACE');
  const s3MaxAttempts = read.optionalInteger('S3_MAX_ATTEMPTS', 1, 10, 3);
  read.done();
  return { lakeBucket, serviceName, metricsNamespace, s3MaxAttempts };
}

const config = readConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName });
const putObject = lakeObjectWriter(config.lakeBucket, config.s3MaxAttempts);

export async function handler(event: MSKEvent, context?: Context): Promise<KafkaBatchResponse> {
  if (context !== undefined) logger.addContext(context);
  const plan = planRows(event);
  const delivery = await deliverRows(plan, putObject);
  const { stats } = plan;

  metrics.addMetric(REALTIME_ROWS_METRICS.kafkaRecords, MetricUnit.Count, stats.records);
  metrics.addMetric(REALTIME_ROWS_METRICS.rows, MetricUnit.Count, stats.rows);
  metrics.addMetric(REALTIME_ROWS_METRICS.failedRecords, MetricUnit.Count, stats.failedRecords);
  metrics.addMetric(REALTIME_ROWS_METRICS.droppedRecords, MetricUnit.Count, stats.droppedRecords);
  metrics.addMetric(REALTIME_ROWS_METRICS.lakeWriteFailures, MetricUnit.Count, delivery.writeFailures.length);
  metrics.publishStoredMetrics();

  logger.info('Wrote rows', {
    eventSourceArn: (event as Partial<MSKEvent> | undefined)?.eventSourceArn,
    partitions: plan.partitions.length,
    records: stats.records,
    rows: stats.rows,
    rowsByKind: stats.rowsByKind,
    dropped: stats.droppedRecords,
    failed: stats.failedRecords,
    failedByReason: stats.failedByReason,
    malformedPartitions: stats.malformedPartitions,
    objectsWritten: delivery.objectsWritten,
    bytesWritten: delivery.bytesWritten,
    recordsToRetry: delivery.recordsToRetry,
  });
  logDeliveryFailures(logger, plan.partitions, delivery, 'Messages kept under the error prefix (not rows)');
  return delivery.response;
}
