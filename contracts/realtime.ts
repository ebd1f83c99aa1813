/** The stream analytics job's Kafka topics: it reads lake records from `records` and writes its rows to `output`. */
export const REALTIME_TOPICS = { records: 'log-records', output: 'log-analytics' } as const;
/** The stream analytics job's consumer group, also the prefix of its exactly-once sink's transactional ids. */
export const FLINK_GROUP_ID = 'log-analytics-flink';
