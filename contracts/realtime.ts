export const REALTIME_TOPICS = { records: 'log-records', output: 'log-analytics' } as const;
export const FLINK_GROUP_ID = 'log-analytics-flink';
