/**
 * The transform function's environment for handler tests, set on import (before the handler module
 * loads and reads it): Powertools names, and a KinesisClient aimed at a closed local port so re-ingest
 * fails over a real connection, fast (one SDK attempt).
 */
const saved = { ...process.env };

Object.assign(process.env, {
  POWERTOOLS_SERVICE_NAME: 'firehose-transform',
  POWERTOOLS_METRICS_NAMESPACE: 'LogPipelineTest',
  REINGEST_MAX_ATTEMPTS: '2',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  AWS_MAX_ATTEMPTS: '1',
  AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:9',
});

export function restoreEnvironment(): void {
  process.env = saved;
}
