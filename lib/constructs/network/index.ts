export * from './network';
export * from './network-config';
