/**
 * The stream analytics' Kafka names, shared by the consumer that publishes records, the Flink job
 * (analytics/flink Settings.java defaults), the rows function and the stages. Imports nothing.
 */

/** The topics: lake records in (the consumer publishes them), the job's per-minute rows out. */
export const REALTIME_TOPICS = { records: 'log-records', output: 'log-analytics' } as const;

/** The Flink job's consumer group, also its exactly-once sink's transactional id prefix. */
export const FLINK_GROUP_ID = 'log-analytics-flink';
