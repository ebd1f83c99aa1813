/**
 * The custom metrics the pipeline's functions publish (Powertools EMF), named once: the handlers publish
 * under these names and the CDK constructs (lib/constructs/pipeline-function/pipeline-function.ts) read them back for the
 * dashboard and alarms, so a rename cannot leave an alarm watching a metric nobody publishes.
 */

/** Namespace of every function's Powertools metrics; Powertools adds the dimension `service` = function folder. */
export const METRICS_NAMESPACE = 'LogPipeline';

/** Dimension Powertools adds to every metric: the function's POWERTOOLS_SERVICE_NAME (its folder under lambda/). */
export const SERVICE_DIMENSION = 'service';

/** What the Firehose transform publishes per invocation. */
export const TRANSFORM_METRICS = {
  records: 'Records',
  parsedLines: 'ParsedLines',
  unparsedLines: 'UnparsedLines',
  failedRecords: 'FailedRecords',
  droppedRecords: 'DroppedRecords',
  reingestedRecords: 'ReingestedRecords',
  reingestFailures: 'ReingestFailures',
} as const;

/** What the Kafka consumer publishes per invocation. */
export const CONSUMER_METRICS = {
  kafkaRecords: 'KafkaRecords',
  parsedLines: 'ParsedLines',
  unparsedLines: 'UnparsedLines',
  failedRecords: 'FailedRecords',
  droppedRecords: 'DroppedRecords',
  lakeWriteFailures: 'LakeWriteFailures',
  /** Records published to the records topic (only with publishing on). */
  recordsPublished: 'RecordsPublished',
  /** Partitions whose records could not be published, each a batch item failure (only with publishing on). */
  publishFailures: 'RecordsPublishFailures',
  /** Records over a send's bound alone, not published; the lake has them (only with publishing on). */
  recordsTooLargeToPublish: 'RecordsTooLargeToPublish',
} as const;

/** What the realtime-rows function (the analytics job's rows into the lake) publishes per invocation. */
export const REALTIME_ROWS_METRICS = {
  kafkaRecords: 'KafkaRecords',
  rows: 'Rows',
  failedRecords: 'FailedRecords',
  droppedRecords: 'DroppedRecords',
  lakeWriteFailures: 'LakeWriteFailures',
} as const;

export type TransformMetric = (typeof TRANSFORM_METRICS)[keyof typeof TRANSFORM_METRICS];
export type ConsumerMetric = (typeof CONSUMER_METRICS)[keyof typeof CONSUMER_METRICS];
