/**
 * Stage settings of the stream analytics application (the Flink job of analytics/flink on Amazon Managed
 * Service for Apache Flink), and their validation. No CDK here: lib/config.ts imports it to validate stage
 * configs at synth, and `npm run cost` prices it.
 */
import type { Problems } from '../../problems';

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
   * (`npm run cost` prices it when on); the job runs locally in `npm run local`. Must be false until a stack
   * deploys the application (synth says so).
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
  // The RealtimeAnalytics construct is built and tested, but no stack deploys it yet: its input, the records topic
  // the consumer Lambda publishes to, does not exist (docs/analytics-realtime.md, "What remains"). A stage that
  // asks for it is refused rather than priced and not deployed.
  if (config.enabled === true) {
    problems.add(
      'realtime.enabled must be false for now: no stack deploys the stream analytics application yet (no stage has its records topic yet; docs/analytics-realtime.md, "What remains"). The job runs locally in npm run local',
    );
  }
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
