/**
 * Every alarm's meaning, what to do, and why it treats missing data as it does: one table the construct
 * writes into each alarm's description and docs/operations.md's alarm table is rendered from
 * (test/stacks/monitoring-stack.test.ts). No CDK here.
 */

export type MissingData = 'breaching' | 'notBreaching' | 'missing';

export interface RunbookEntry {
  /** Short name, the alarm table's first column. */
  readonly title: string;
  /** What it means when it fires. */
  readonly means: string;
  /** What to do. */
  readonly todo: string;
  readonly treatMissingData: MissingData;
  /** Why missing data is treated that way. */
  readonly missingDataReason: string;
}

export const RUNBOOK = {
  agentSilent: {
    title: 'Agent silent',
    means:
      'No record reached the Kinesis stream for the configured minutes: the host is down, the agent stopped, or its credentials or network broke.',
    todo: 'Open a Session Manager shell on the host; `systemctl status fluent-bit` and `curl -s 127.0.0.1:2020/api/v1/health`; read the agent log group for errors; check the host status check.',
    treatMissingData: 'breaching',
    missingDataReason: 'the stream publishes no IncomingRecords while nothing is written, and nothing written is what this alarm is about',
  },
  streamWriteThrottles: {
    title: 'Stream write throttles',
    means:
      'The stream rejected writes for exceeding its throughput; the agent retries, so lines are delayed, not lost, until its buffer fills.',
    todo: 'With a provisioned stream raise stream.capacity.shardCount; on demand, the stream doubles its capacity within minutes: check that throttling stops, otherwise look for a hot partition key.',
    treatMissingData: 'notBreaching',
    missingDataReason: 'no writes means no throttles; a silent agent has its own alarm',
  },
  iteratorAge: {
    title: 'Iterator age',
    means: 'Firehose reads the stream this far behind; at the stream retention the oldest records are lost.',
    todo: 'Check the transform (errors, duration near its timeout, throttles) and the Firehose delivery errors in its log group; raise the transform memory if it is CPU bound.',
    treatMissingData: 'breaching',
    missingDataReason: 'Firehose polls the stream continuously, so the age is reported even when idle; no data means the reader stopped',
  },
  transformErrors: {
    title: 'Transform errors',
    means: 'Transform invocations failed; Firehose retries them and then sends the records to errors/processing-failed/.',
    todo: "Read the transform's log group (JSON logs, error stack with source maps); the records are kept under errors/, re-drive them after the fix.",
    treatMissingData: 'notBreaching',
    missingDataReason: 'no invocations means no errors',
  },
  processingFailedShare: {
    title: 'ProcessingFailed share',
    means: 'Over the configured share of records came back ProcessingFailed and went to errors/ instead of raw/.',
    todo: "Look at the transform's 'Records marked ProcessingFailed' log lines for the reason; a new log format or corrupted input is the usual cause.",
    treatMissingData: 'notBreaching',
    missingDataReason: 'no records transformed means no share to judge',
  },
  dataFreshness: {
    title: 'Firehose data freshness',
    means: 'The oldest record Firehose holds is older than the threshold: delivery to S3 is failing or far behind.',
    todo: 'Read the Firehose log group (S3 or KMS access denied, transform failures); check DeliveryToS3.Success on the dashboard.',
    treatMissingData: 'notBreaching',
    missingDataReason: 'Firehose reports freshness only while it holds records; an idle stream is not stale',
  },
  glueJobFailed: {
    title: 'Glue job failed',
    means:
      'A run of the curation job ended FAILED, TIMEOUT, ERROR or STOPPED; the bookmark did not advance, so the next run retries the same objects.',
    todo: "Open the run in the Glue console (error message) and the job's log groups (<GlueJobLogGroupPrefix output>/error, then /output); a timeout on a large backlog needs more workers or a longer analytics.jobTimeoutMinutes.",
    treatMissingData: 'notBreaching',
    missingDataReason: 'the rule publishes TriggeredRules only when a run fails',
  },
  glueQuarantineShare: {
    title: 'Glue quarantine share',
    means:
      'Over the configured share of the lines a curation run read failed validation against the record schema and went to quarantine/ instead of curated/.',
    todo: "Read the run's `run_complete` log line (top quarantine reasons), then the rows under quarantine/dt=<run date>/run=<run id>/ (`value`, `source_file`, `reason`); a producer or schema change is the usual cause.",
    treatMissingData: 'missing',
    missingDataReason: "each run publishes its counts once, so between runs there is no data and the alarm keeps the last run's verdict",
  },
  kafkaDiskUsed: {
    title: 'MSK disk used',
    means: "A broker's data-log disk is over the threshold; a full disk stops the broker.",
    todo: 'Raise the broker EBS volume (it grows in place) or shorten topic retention; check for a consumer that stopped (offset lag).',
    treatMissingData: 'missing',
    missingDataReason: 'a broker that stops reporting keeps the last state; under-replicated partitions show it',
  },
  kafkaUnderReplicated: {
    title: 'MSK under-replicated partitions',
    means: 'Some partitions have fewer in-sync replicas than configured: a broker is down, restarting or overloaded.',
    todo: 'Check the MSK console for cluster operations (patching restarts brokers one by one); if it persists, broker CPU and disk on the dashboard.',
    treatMissingData: 'breaching',
    missingDataReason: 'brokers report this every minute; none from any broker means the cluster is unreachable',
  },
  kafkaOffsetLag: {
    title: 'Consumer offset lag',
    means: 'The event source mapping is behind the topic by more than the threshold; past the topic retention, records are lost.',
    todo: "Check the consumer's errors and duration; a failing batch blocks its partition until it succeeds or goes to the on-failure destination; add pollers or partitions for a throughput limit.",
    treatMissingData: 'notBreaching',
    missingDataReason: 'an idle mapping may publish no lag; a failing consumer has its own alarms',
  },
  kafkaConsumerErrors: {
    title: 'Consumer errors',
    means: 'Consumer invocations failed (not batch item failures, which are retried records): the whole batch is retried.',
    todo: "Read the consumer's log group; lake write failures name the S3 error (KMS, permissions, throttling).",
    treatMissingData: 'notBreaching',
    missingDataReason: 'no invocations means no errors',
  },
  kafkaOnFailure: {
    title: 'Records to the on-failure destination',
    means:
      'The mapping gave up on records after its retries: it sent the invocation record to the on-failure destination (OnFailureDestinationDeliveredEventCount) or, when that delivery failed, dropped them (DroppedEventCount).',
    todo: "Read the objects in the failed-batches bucket (topic, partition, offsets) and re-drive those offsets after fixing the cause; dropped records are in no bucket: check the consumer role's s3:PutObject on it and replay from Kafka. The records stay in Kafka until retention.",
    treatMissingData: 'notBreaching',
    missingDataReason: 'published only when records are given up on',
  },
  realtimeShare5xx: {
    title: 'App 5xx share',
    means:
      "In some app's latest one-minute window of the stream analytics job, more than the threshold of its requests got a 5xx (the job's Share5xx per App). An app keeps its last window's share until its next window, so a quiet app stays where it was.",
    todo: "Find the app on the dashboard's 5xx share widget, then its `window` rows in the job's output topic (`top_paths_by_5xx`, the `route` rows); read that service's logs. A quiet app crosses the share with a few errors: compare its Requests.",
    treatMissingData: 'notBreaching',
    missingDataReason: "the job publishes an app's share from its first window on; a stopped job has its own alarm",
  },
  realtimeErrorBurst: {
    title: 'Error burst',
    means:
      "The stream analytics job fired a burst for a host: one minute with at least --burst-min-5xx 5xx responses that were at least --burst-min-share of the host's requests (its ErrorBursts counter rose).",
    todo: "The dashboard's error-burst widget names the host; its `burst` row in the job's output topic gives the window, the counts and `quiet_until`. Read that host's logs. The host fires again only after the quiet time.",
    treatMissingData: 'notBreaching',
    missingDataReason: "a host's counter exists from its first burst on",
  },
  realtimeDowntime: {
    title: 'Flink application down',
    means:
      'The stream analytics job is failing or restarting (downtime above 0), or MSF publishes no downtime: the application is not running. No windows, bursts or metrics come meanwhile; the records wait in the records topic.',
    todo: "Read the application's log group for the exception; `aws kinesisanalyticsv2 describe-application --application-name <name>` gives its status. An MSF maintenance restart clears within minutes.",
    treatMissingData: 'breaching',
    missingDataReason: 'MSF publishes downtime every minute while the application runs; none means it is stopped',
  },
  realtimeFailedCheckpoints: {
    title: 'Flink failed checkpoints',
    means:
      'A checkpoint of the stream analytics job failed (numberOfFailedCheckpoints rose). The exactly-once sink commits rows only on a checkpoint, so rows wait until one succeeds; repeated failures restart the job.',
    todo: "Read the application's log group for why (a timeout, MSK IAM or transaction errors); compare the last checkpoint duration on the dashboard with realtime.checkpointIntervalSeconds.",
    treatMissingData: 'notBreaching',
    missingDataReason: 'the rate needs two reports; a stopped application has the downtime alarm',
  },
} as const satisfies Record<string, RunbookEntry>;

export type AlarmId = keyof typeof RUNBOOK;

/** Anchor of the docs' alarm table, which every alarm description points at. */
export const RUNBOOK_ANCHOR = 'docs/operations.md#alarms';

/** The text of an alarm's description: meaning, what to do, the runbook, and the missing-data choice. */
export function alarmDescription(id: AlarmId, threshold: string): string {
  const entry: RunbookEntry = RUNBOOK[id];
  return `${entry.title} (${threshold}). ${entry.means} What to do: ${entry.todo} Runbook: ${RUNBOOK_ANCHOR}. Missing data is ${entry.treatMissingData}: ${entry.missingDataReason}.`;
}
