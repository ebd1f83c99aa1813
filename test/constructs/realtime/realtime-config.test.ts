import { STAGE_CONFIGS, validateStageConfig, type StageConfig } from '../../../lib/config';
import { REALTIME_TOPICS } from '../../../contracts/realtime';
import { Problems } from '../../../lib/problems';
import {
  kpusFor,
  realtimeConfigProblems,
  realtimeTopicProblems,
  type RealtimeConfig,
} from '../../../lib/constructs/realtime/realtime-config';

function problemsOf(config: RealtimeConfig): string[] {
  const problems = new Problems();
  realtimeConfigProblems(config, problems);
  return problems.list;
}

const valid: RealtimeConfig = STAGE_CONFIGS.prod.realtime;

test('the application is on in prod and off in dev by default, and both stages are valid', () => {
  expect(STAGE_CONFIGS.prod.realtime.enabled).toBe(true);
  expect(STAGE_CONFIGS.dev.realtime.enabled).toBe(false);
  for (const config of Object.values(STAGE_CONFIGS)) {
    expect(() => validateStageConfig(config)).not.toThrow();
    expect(problemsOf(config.realtime)).toEqual([]);
  }
});

test('on, the stage needs the records topic (first the log topic, at least its partitions) and the output topic', () => {
  const { dev } = STAGE_CONFIGS;
  const on = { ...dev.realtime, enabled: true };
  const topicProblems = (topics: StageConfig['kafka']['topics']) => {
    const problems = new Problems();
    realtimeTopicProblems(on, { ...dev.kafka, topics }, problems);
    return problems.list;
  };
  const logs = dev.kafka.topics[0];
  expect(topicProblems([logs])).toEqual([
    "kafka.topics must include the records topic 'log-records' when realtime.enabled is true: add { name: 'log-records', partitions: 2, retentionHours: 24 } (the consumer publishes the records it parses there)",
    "kafka.topics must include the output topic 'log-analytics' when realtime.enabled is true: add { name: 'log-analytics', partitions: 1, retentionHours: 168 } (the job writes its per-minute rows there)",
  ]);
  const records = { name: REALTIME_TOPICS.records, partitions: 1, retentionHours: 24 };
  const output = { name: REALTIME_TOPICS.output, partitions: 1, retentionHours: 168 };
  expect(topicProblems([logs, records, output])).toEqual([
    "kafka.topics[1].partitions must be at least 2, the log topic's, for the records topic (got 1): the consumer publishes each batch to the partition number its lines came from",
  ]);
  expect(topicProblems([{ ...records, partitions: 2 }, logs, output])).toEqual([
    "kafka.topics[0] must be the log topic, not the records topic 'log-records': list the log topic first",
  ]);
  expect(topicProblems([logs, { ...records, partitions: 2 }, output])).toEqual([]);
  // Off, the topics are the stage's own business.
  const problems = new Problems();
  realtimeTopicProblems(dev.realtime, { ...dev.kafka, topics: [logs] }, problems);
  expect(problems.list).toEqual([]);
  // validateStageConfig says it too, so a dev that turns it on learns what to add.
  expect(() => validateStageConfig({ ...dev, realtime: on })).toThrow(/kafka.topics must include the records topic 'log-records'/);
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
