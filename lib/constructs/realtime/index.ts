export * from './flink-jar';
export * from './realtime-analytics';
export * from './realtime-config';
export * from './realtime-rows';
