export * from './kafka-cluster';
export * from './kafka-config';
export * from './kafka-consumer';
export * from './kafka-mapping';
