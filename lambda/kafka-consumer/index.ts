/**
 * Kafka consumer Lambda: invoked by the MSK event source mapping, writes each batch into the lake as GZIP
 * JSON lines in the record schema (see consume.ts) and answers with a partial batch response, so a failed
 * S3 write retries only that partition from the failed offset. Bad records never fail the batch: they go
 * under errors/kafka-consumer-failed/ with their original bytes.
 *
 * Environment (read once at cold start):
 *   LAKE_BUCKET                    required, name of the lake bucket
 *   POWERTOOLS_SERVICE_NAME        required, names the logs and the metrics' service dimension
 *   POWERTOOLS_METRICS_NAMESPACE   required, the metrics' namespace
 *   S3_MAX_ATTEMPTS                optional, SDK attempts per PutObject, 1-10 (default 3); after them the
 *                                  partition is reported as a batch item failure and the mapping retries it
 *   AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL   optional, read by the SDK itself (emulators)
 *   RECORDS_TOPIC                  optional, the records topic; unset or empty: publishing off
 *   KAFKA_BOOTSTRAP_BROKERS        with RECORDS_TOPIC, comma-separated host:port
 *   KAFKA_SECURITY                 with RECORDS_TOPIC, `msk-iam` (SASL OAUTHBEARER over TLS) or `plaintext`
 *
 * With RECORDS_TOPIC, each group's records go to that topic once the lake has them (publish.ts), to the
 * partition number their lines came from; a failed publish is a batch item failure, like a failed write.
 *
 * The event source mapping must enable ReportBatchItemFailures (provisioned mode), or Lambda ignores the
 * response and a failed write would be committed as if it had succeeded.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, MSKEvent } from 'aws-lambda';
import { deliverPlan, planBatch, type KafkaBatchResponse } from './consume';
import { logDeliveryFailures } from './delivery-log';
import { readPublishConfig, recordPublisher, type PublishConfig, type RecordPublisher } from './publish';
import type * as RecordsProducerModule from './records-producer';
import { EnvironmentReader } from '../shared/environment';
import { lakeObjectWriter, readLakeBucket } from '../shared/lake-writer';
import { CONSUMER_METRICS } from '../../contracts/metric-names';

export { deliverPlan, planBatch } from './consume';
export type { KafkaBatchResponse } from './consume';

export { ConfigurationError } from '../shared/environment';

export interface ConsumerFunctionConfig {
  readonly lakeBucket: string;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly s3MaxAttempts: number;
  /** Publishing to the records topic; undefined when RECORDS_TOPIC is unset. */
  readonly publish: PublishConfig | undefined;
}

export const DEFAULT_S3_MAX_ATTEMPTS = 3;

export function readConfig(env: NodeJS.ProcessEnv): ConsumerFunctionConfig {
  const read = new EnvironmentReader(env);
  const lakeBucket = readLakeBucket(read);
  const serviceName = read.required('POWERTOOLS_SERVICE_NAME');
  const metricsNamespace = read.required('POWERTOOLS_METRICS_NAMESPACE');
  const s3MaxAttempts = read.optionalInteger('S3_MAX_ATTEMPTS', 1, 10, DEFAULT_S3_MAX_ATTEMPTS);
  const publish = readPublishConfig(env, read);
  read.done();
  return { lakeBucket, serviceName, metricsNamespace, s3MaxAttempts, publish };
}

const config = readConfig(process.env);
const logger = new Logger({ serviceName: config.serviceName });
const metrics = new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName });
const putObject = lakeObjectWriter(config.lakeBucket, config.s3MaxAttempts);

// The records topic's producer: its module loaded on the first invocation that publishes, then one producer
// per container, reused. Bundled as a file of its own next to index.js (SEPARATE_MODULES, lib/lambda-bundling.ts),
// so a consumer without RECORDS_TOPIC never loads kafkajs; from the TypeScript sources (unit tests) this
// require finds records-producer.ts.
let recordsProducer: RecordsProducerModule.RecordsProducer | undefined;
function producerFor(publish: PublishConfig): RecordsProducerModule.RecordsProducer {
  if (recordsProducer === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
    const module = require('./records-producer') as typeof RecordsProducerModule;
    recordsProducer = module.createRecordsProducer(publish, (level, message, details) => logger[level](message, details));
  }
  return recordsProducer;
}

/**
 * After a failed publish the producer is dropped (its sends may still be retrying, its sequence numbers are
 * no longer the broker's): the next invocation connects a new one, with a new producer id.
 */
async function dropProducer(): Promise<void> {
  const dropped = recordsProducer;
  recordsProducer = undefined;
  if (dropped === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    dropped.disconnect().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, 2_000))),
  ]).finally(() => clearTimeout(timer));
}

/** Time kept back from the Lambda timeout to log, publish metrics and return the response. */
const RESPONSE_MARGIN_MS = 5_000;

function publisherFor(publish: PublishConfig, context: Context | undefined): RecordPublisher {
  const deadlineMs = context === undefined ? undefined : Date.now() + context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS;
  return recordPublisher((partition, messages) => producerFor(publish).send(partition, messages), {
    deadline: deadlineMs === undefined ? undefined : () => deadlineMs,
  });
}

export async function handler(event: MSKEvent, context?: Context): Promise<KafkaBatchResponse> {
  if (context !== undefined) logger.addContext(context);
  const { publish } = config;
  const plan = planBatch(event, { keepJsonLines: publish !== undefined });
  const delivery = await deliverPlan(plan, putObject, publish === undefined ? undefined : publisherFor(publish, context));
  if (delivery.publishFailures.length > 0) await dropProducer();
  const { stats } = plan;

  metrics.addMetric(CONSUMER_METRICS.kafkaRecords, MetricUnit.Count, stats.records);
  metrics.addMetric(CONSUMER_METRICS.parsedLines, MetricUnit.Count, stats.parsedLines);
  metrics.addMetric(CONSUMER_METRICS.unparsedLines, MetricUnit.Count, stats.unparsedLines);
  metrics.addMetric(CONSUMER_METRICS.failedRecords, MetricUnit.Count, stats.failedRecords);
  metrics.addMetric(CONSUMER_METRICS.droppedRecords, MetricUnit.Count, stats.droppedRecords);
  metrics.addMetric(CONSUMER_METRICS.lakeWriteFailures, MetricUnit.Count, delivery.writeFailures.length);
  if (publish !== undefined) {
    metrics.addMetric(CONSUMER_METRICS.recordsPublished, MetricUnit.Count, delivery.recordsPublished);
    metrics.addMetric(CONSUMER_METRICS.publishFailures, MetricUnit.Count, delivery.publishFailures.length);
    metrics.addMetric(CONSUMER_METRICS.recordsTooLargeToPublish, MetricUnit.Count, delivery.recordsTooLargeToPublish);
  }
  metrics.publishStoredMetrics();

  logger.info('Consumed batch', {
    eventSourceArn: (event as Partial<MSKEvent> | undefined)?.eventSourceArn,
    partitions: plan.partitions.length,
    records: stats.records,
    ok: stats.okRecords,
    dropped: stats.droppedRecords,
    failed: stats.failedRecords,
    lines: stats.lines,
    parsedLines: stats.parsedLines,
    unparsedLines: stats.unparsedLines,
    droppedByReason: stats.droppedByReason,
    failedByReason: stats.failedByReason,
    malformedPartitions: stats.malformedPartitions,
    objectsWritten: delivery.objectsWritten,
    bytesWritten: delivery.bytesWritten,
    recordsToRetry: delivery.recordsToRetry,
    ...(publish === undefined ? {} : { recordsTopic: publish.topic, recordsPublished: delivery.recordsPublished }),
  });
  logDeliveryFailures(logger, plan.partitions, delivery, 'Records kept under the error prefix (not decodable)');
  if (delivery.recordsTooLargeToPublish > 0) {
    logger.warn('Records too large to publish alone were left out of the records topic; the lake has them', {
      recordsTopic: publish?.topic,
      recordsTooLargeToPublish: delivery.recordsTooLargeToPublish,
    });
  }
  if (delivery.publishFailures.length > 0) {
    logger.error('Publishing to the records topic failed after the lake writes; reported as batch item failures for the mapping to retry', {
      recordsTopic: publish?.topic,
      publishFailures: delivery.publishFailures,
      batchItemFailures: delivery.response.batchItemFailures,
    });
  }
  return delivery.response;
}
