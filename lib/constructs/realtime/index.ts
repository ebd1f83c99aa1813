export * from './flink-jar';
export * from './realtime-analytics';
export * from './realtime-config';
export * from './application-runner';
export * from './realtime-rows';
