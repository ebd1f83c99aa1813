/**
 * Stage settings of the stream analytics application (the Flink job of analytics/flink on Amazon Managed
 * Service for Apache Flink), and their validation. No CDK here: lib/config.ts imports it to validate stage
 * configs at synth, and `npm run cost` prices it.
 */
import { REALTIME_TOPICS } from '../../../contracts/realtime';
import type { Problems } from '../../problems';
import type { KafkaConfig } from '../kafka/kafka-config';

/**
 * KPUs an application may use unless the account raised the quota: "The service can increase the
 * CurrentParallelism value up to the maximum parallelism, which is ParalellismPerKPU times the maximum KPUs
 * for the application. The maximum KPUs for an application is 64 by default, and can be increased by
 * requesting a limit increase" (ParallelismConfiguration, Managed Service for Apache Flink API Reference,
 * https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_ParallelismConfiguration.html).
 */
export const MSF_DEFAULT_MAX_KPUS = 64;
/** Parallelism: "The default value is 1, and the maximum is 256"; ParallelismPerKPU: "default 1, maximum 8" (same page's "Implement application scaling", https://docs.aws.amazon.com/managed-flink/latest/java/how-scaling.html). */
export const MSF_MAX_PARALLELISM = 256;
export const MSF_MAX_PARALLELISM_PER_KPU = 8;

/** Settings of the stream analytics application (StageConfig.realtime). */
export interface RealtimeConfig {
  /**
   * Deploy the application. Even the smallest bills around the clock: 1 KPU plus the orchestration KPU
   * (`npm run cost` prices it when on); the job runs locally in `npm run local`. On, the stage's kafka.topics
   * must hold the records and output topics (REALTIME_TOPICS) and the consumer publishes what it parses.
   */
  readonly enabled: boolean;
  /**
   * The job's parallelism at start (ParallelismConfiguration.Parallelism), 1–256. With autoScaling, also the
   * floor: MSF "can reduce the CurrentParallelism value down to the Parallelism setting".
   */
  readonly parallelism: number;
  /** Parallel tasks per KPU, 1–8; the application runs ceil(parallelism / parallelismPerKpu) KPUs. */
  readonly parallelismPerKpu: number;
  /** Let MSF raise the parallelism with the load (AutoScalingEnabled), up to maxKpus. */
  readonly autoScaling: boolean;
  /**
   * The most KPUs the application may scale to (besides the orchestration KPU), 1–64 (MSF's default
   * per-application quota). `npm run cost` prices the KPUs of the parallelism, the floor, and names this
   * ceiling. Without autoScaling it must equal the KPUs the parallelism takes.
   */
  readonly maxKpus: number;
  /**
   * Checkpoint interval in seconds, 10–3600. Exactly-once result rows become readable at each checkpoint
   * (docs/analytics-realtime.md, "Freshness"); MSF's own default is 60 s.
   */
  readonly checkpointIntervalSeconds: number;
  /** Least pause between the end of one checkpoint and the start of the next, 0 up to the interval, seconds. */
  readonly minPauseBetweenCheckpointsSeconds: number;
  /**
   * Snapshots (Flink savepoints MSF keeps, ApplicationSnapshotConfiguration): taken when the application stops
   * or updates and restored when it starts, so the windows and burst state survive. Billed as durable backups.
   */
  readonly snapshots: boolean;
}

/** KPUs a parallelism takes (besides the orchestration KPU). */
export function kpusFor(parallelism: number, parallelismPerKpu: number): number {
  return Math.ceil(parallelism / parallelismPerKpu);
}

/** Adds every problem of the realtime settings to `problems`, settings named `realtime.<setting>`. */
export function realtimeConfigProblems(config: RealtimeConfig, problems: Problems): void {
  problems.boolean('realtime.enabled', config.enabled);
  problems.integer('realtime.parallelism', config.parallelism, 1, MSF_MAX_PARALLELISM, 'Managed Service for Apache Flink allows 1 to 256');
  problems.integer(
    'realtime.parallelismPerKpu',
    config.parallelismPerKpu,
    1,
    MSF_MAX_PARALLELISM_PER_KPU,
    'Managed Service for Apache Flink allows 1 to 8',
  );
  problems.boolean('realtime.autoScaling', config.autoScaling);
  problems.integer(
    'realtime.maxKpus',
    config.maxKpus,
    1,
    MSF_DEFAULT_MAX_KPUS,
    `the default per-application KPU quota is ${MSF_DEFAULT_MAX_KPUS}`,
  );
  if (!problems.has('realtime.parallelism') && !problems.has('realtime.parallelismPerKpu') && !problems.has('realtime.maxKpus')) {
    const kpus = kpusFor(config.parallelism, config.parallelismPerKpu);
    if (kpus > config.maxKpus) {
      problems.add(
        `realtime.maxKpus must be at least the ${kpus} KPUs that realtime.parallelism ${config.parallelism} takes at realtime.parallelismPerKpu ${config.parallelismPerKpu} (got ${config.maxKpus}); raise maxKpus or lower the parallelism`,
      );
    } else if (config.autoScaling === false && kpus !== config.maxKpus) {
      problems.add(
        `realtime.maxKpus must be ${kpus}, the KPUs of the parallelism, when realtime.autoScaling is false (got ${config.maxKpus}): nothing scales above it`,
      );
    }
  }
  problems.integer(
    'realtime.checkpointIntervalSeconds',
    config.checkpointIntervalSeconds,
    10,
    3600,
    'exactly-once rows wait for a checkpoint',
  );
  const maxPause = Number.isInteger(config.checkpointIntervalSeconds) ? config.checkpointIntervalSeconds : 3600;
  problems.integer(
    'realtime.minPauseBetweenCheckpointsSeconds',
    config.minPauseBetweenCheckpointsSeconds,
    0,
    maxPause,
    'at most the checkpoint interval',
  );
  problems.boolean('realtime.snapshots', config.snapshots);
}

/**
 * Problems of the Kafka topics a stage with realtime on needs: the records topic the consumer publishes to, with
 * at least the log topic's partitions (it writes each batch to the partition number its lines came from, so
 * every source partition needs its own), and the output topic the job writes its rows to.
 */
export function realtimeTopicProblems(realtime: RealtimeConfig, kafka: KafkaConfig, problems: Problems): void {
  if (realtime.enabled !== true || !Array.isArray(kafka.topics) || kafka.topics.length === 0) return;
  const logTopic = kafka.topics[0];
  const find = (name: string) => kafka.topics.findIndex((t) => t.name === name);
  const records = find(REALTIME_TOPICS.records);
  if (records < 0) {
    problems.add(
      `kafka.topics must include the records topic '${REALTIME_TOPICS.records}' when realtime.enabled is true: ` +
        `add { name: '${REALTIME_TOPICS.records}', partitions: ${logTopic.partitions}, retentionHours: 24 } (the consumer publishes the records it parses there)`,
    );
  } else if (records === 0) {
    problems.add(`kafka.topics[0] must be the log topic, not the records topic '${REALTIME_TOPICS.records}': list the log topic first`);
  } else if (Number.isInteger(logTopic.partitions) && kafka.topics[records].partitions < logTopic.partitions) {
    problems.add(
      `kafka.topics[${records}].partitions must be at least ${logTopic.partitions}, the log topic's, for the records topic (got ${kafka.topics[records].partitions}): ` +
        'the consumer publishes each batch to the partition number its lines came from',
    );
  }
  if (find(REALTIME_TOPICS.output) < 0) {
    problems.add(
      `kafka.topics must include the output topic '${REALTIME_TOPICS.output}' when realtime.enabled is true: ` +
        `add { name: '${REALTIME_TOPICS.output}', partitions: 1, retentionHours: 168 } (the job writes its per-minute rows there)`,
    );
  }
}
