export * from './kafka-metrics';
export * from './monitoring';
export * from './monitoring-config';
export * from './realtime-metrics';
export * from './runbook';
