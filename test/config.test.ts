import { ConfigError, STAGE_CONFIGS, stageConfig, validateStageConfig, type StageConfig } from '../lib/config';
import { MAX_OUTPUT_EXPANSION, maxSafeProcessorBufferMiB } from '../contracts/limits';

function problemsOf(config: StageConfig): readonly string[] {
  try {
    validateStageConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const dev = STAGE_CONFIGS.dev;

describe('stage configs', () => {
  test.each(['dev', 'prod'])('%s is valid', (stage) => {
    expect(stageConfig(stage).stage).toBe(stage);
  });

  test('dev is the default stage', () => {
    expect(stageConfig(undefined).stage).toBe('dev');
  });

  test('an unknown stage names the ones that exist', () => {
    expect(() => stageConfig('qa')).toThrow(
      "Invalid stage config:\n  - stage must be one of dev, prod (got 'qa'); pass -c stage=dev or -c stage=prod",
    );
  });

  test('dev destroys data, prod retains it and backs up source records', () => {
    expect(STAGE_CONFIGS.dev.retainData).toBe(false);
    expect(STAGE_CONFIGS.prod.retainData).toBe(true);
    expect(STAGE_CONFIGS.prod.delivery.backupSourceRecords).toBe(true);
  });
});

describe('validation names the setting, the range and the value', () => {
  test('negative shard count', () => {
    expect(problemsOf({ ...dev, stream: { ...dev.stream, capacity: { mode: 'provisioned', shardCount: -1 } } })).toEqual([
      'stream.capacity.shardCount must be an integer between 1 and 500 (got -1)',
    ]);
  });

  test('retention out of range', () => {
    expect(problemsOf({ ...dev, stream: { ...dev.stream, retentionHours: 12 } })).toEqual([
      'stream.retentionHours must be an integer between 24 and 8760 (got 12)',
    ]);
  });

  test('Firehose buffer above its limits', () => {
    expect(problemsOf({ ...dev, delivery: { ...dev.delivery, bufferSizeMiB: 256, bufferIntervalSeconds: 901 } })).toEqual([
      'delivery.bufferIntervalSeconds must be an integer between 0 and 900 (got 901)',
      'delivery.bufferSizeMiB must be an integer between 1 and 128 (got 256)',
    ]);
  });

  test('processor buffer that would overflow the 6 MB response', () => {
    const tooBig = maxSafeProcessorBufferMiB() + 1;
    expect(problemsOf({ ...dev, delivery: { ...dev.delivery, processorBufferSizeMiB: tooBig } })).toEqual([
      `delivery.processorBufferSizeMiB must be an integer between 1 and ${maxSafeProcessorBufferMiB()} (got ${tooBig}): ` +
        `the transform's output is up to ${MAX_OUTPUT_EXPANSION}x its input and base64 adds a third, so a larger buffer risks Firehose's 6 MB response cap`,
    ]);
  });

  test('processor interval below Firehose minimum', () => {
    expect(problemsOf({ ...dev, delivery: { ...dev.delivery, processorBufferIntervalSeconds: 30 } })).toEqual([
      'delivery.processorBufferIntervalSeconds must be an integer between 60 and 900 (got 30)',
    ]);
  });

  test('log retention CloudWatch does not accept', () => {
    expect(problemsOf({ ...dev, logRetentionDays: 10 })).toEqual([
      'logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 10)',
    ]);
  });

  test('lifecycle transitions out of order', () => {
    expect(
      problemsOf({ ...dev, lake: { ...dev.lake, rawInfrequentAccessAfterDays: 10, rawGlacierAfterDays: 50, rawExpireAfterDays: 40 } }),
    ).toEqual([
      'lake.rawInfrequentAccessAfterDays must be an integer between 30 and 36500 (got 10)',
      'lake.rawExpireAfterDays must be an integer between 51 and 36500 (got 40)',
    ]);
  });

  test('every problem is reported at once, in one error', () => {
    const bad: StageConfig = {
      ...dev,
      stream: { capacity: { mode: 'provisioned', shardCount: 0 }, retentionHours: 1 },
      delivery: { ...dev.delivery, bufferSizeMiB: 0.5 },
    };
    expect(() => validateStageConfig(bad)).toThrow(ConfigError);
    expect(problemsOf(bad)).toHaveLength(3);
  });
});
