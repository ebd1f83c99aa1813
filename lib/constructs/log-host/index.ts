export * from './agent-config';
export * from './boot-script';
export * from './generator-bundle';
export * from './host-config';
export * from './log-host';
export * from './machine-image';
