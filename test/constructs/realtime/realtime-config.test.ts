import { STAGE_CONFIGS, validateStageConfig } from '../../../lib/config';
import { Problems } from '../../../lib/problems';
import { kpusFor, realtimeConfigProblems, type RealtimeConfig } from '../../../lib/constructs/realtime/realtime-config';

function problemsOf(config: RealtimeConfig): string[] {
  const problems = new Problems();
  realtimeConfigProblems(config, problems);
  return problems.list;
}

const valid: RealtimeConfig = STAGE_CONFIGS.prod.realtime;

test('the application is off in both stages until a stack deploys it, and both stages are valid', () => {
  for (const config of Object.values(STAGE_CONFIGS)) {
    expect(config.realtime.enabled).toBe(false);
    expect(() => validateStageConfig(config)).not.toThrow();
    expect(problemsOf(config.realtime)).toEqual([]);
  }
});

test('a stage that turns it on is refused with why, rather than priced and not deployed', () => {
  expect(problemsOf({ ...STAGE_CONFIGS.prod.realtime, enabled: true })).toEqual([
    'realtime.enabled must be false for now: no stack deploys the stream analytics application yet (no stage has its records topic yet; docs/analytics-realtime.md, "What remains"). The job runs locally in npm run local',
  ]);
});

test('KPUs are the parallelism over the tasks per KPU, rounded up', () => {
  expect(kpusFor(1, 1)).toBe(1);
  expect(kpusFor(5, 2)).toBe(3);
  expect(kpusFor(256, 8)).toBe(32);
});

test("MSF's ranges: parallelism 1-256, 1-8 per KPU, at most the default 64 KPUs; each named with its value", () => {
  expect(problemsOf({ ...valid, parallelism: 0, parallelismPerKpu: 9, maxKpus: 65 })).toEqual([
    'realtime.parallelism must be an integer between 1 and 256 (got 0): Managed Service for Apache Flink allows 1 to 256',
    'realtime.parallelismPerKpu must be an integer between 1 and 8 (got 9): Managed Service for Apache Flink allows 1 to 8',
    'realtime.maxKpus must be an integer between 1 and 64 (got 65): the default per-application KPU quota is 64',
  ]);
});

test('the KPU ceiling holds the parallelism, and without auto scaling equals it', () => {
  expect(problemsOf({ ...valid, parallelism: 10, parallelismPerKpu: 1, maxKpus: 4 })).toEqual([
    'realtime.maxKpus must be at least the 10 KPUs that realtime.parallelism 10 takes at realtime.parallelismPerKpu 1 (got 4); raise maxKpus or lower the parallelism',
  ]);
  expect(problemsOf({ ...valid, autoScaling: false, parallelism: 4, parallelismPerKpu: 2, maxKpus: 12 })).toEqual([
    'realtime.maxKpus must be 2, the KPUs of the parallelism, when realtime.autoScaling is false (got 12): nothing scales above it',
  ]);
  expect(problemsOf({ ...valid, autoScaling: false, parallelism: 4, parallelismPerKpu: 2, maxKpus: 2 })).toEqual([]);
});

test('checkpoints every 10 s to an hour, the pause at most the interval; switches must be booleans', () => {
  expect(problemsOf({ ...valid, checkpointIntervalSeconds: 5, minPauseBetweenCheckpointsSeconds: 5 })).toEqual([
    'realtime.checkpointIntervalSeconds must be an integer between 10 and 3600 (got 5): exactly-once rows wait for a checkpoint',
  ]);
  expect(problemsOf({ ...valid, checkpointIntervalSeconds: 30, minPauseBetweenCheckpointsSeconds: 31 })).toEqual([
    'realtime.minPauseBetweenCheckpointsSeconds must be an integer between 0 and 30 (got 31): at most the checkpoint interval',
  ]);
  const bad = { ...valid, enabled: 'yes', snapshots: 1, autoScaling: undefined } as unknown as RealtimeConfig;
  expect(problemsOf(bad)).toEqual([
    'realtime.enabled must be true or false (got yes)',
    'realtime.autoScaling must be true or false (got undefined)',
    'realtime.snapshots must be true or false (got 1)',
  ]);
});

test('a bad realtime setting fails the stage config, with the others', () => {
  expect(() => validateStageConfig({ ...STAGE_CONFIGS.dev, realtime: { ...STAGE_CONFIGS.dev.realtime, parallelismPerKpu: 0 } })).toThrow(
    /realtime\.parallelismPerKpu must be an integer between 1 and 8 \(got 0\)/,
  );
});
