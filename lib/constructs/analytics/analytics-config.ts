/**
 * Stage settings of the Glue job and Athena, and their validation. No CDK here: lib/config.ts imports it to
 * validate stage configs at synth, the way it does the log host's settings.
 */
import type { Problems } from '../../problems';

/** Glue worker types for Spark ETL jobs (the memory-optimized R types and G.025X are for other job kinds). */
export const ETL_WORKER_TYPES = ['G.1X', 'G.2X', 'G.4X', 'G.8X'] as const;
export type EtlWorkerType = (typeof ETL_WORKER_TYPES)[number];

/**
 * Glue execution classes: STANDARD starts at once on dedicated capacity; FLEX runs on spare capacity at a
 * lower DPU-hour price and may start later (G.1X and G.2X workers only), which suits a batch that can wait.
 */
export const EXECUTION_CLASSES = ['STANDARD', 'FLEX'] as const;
export type ExecutionClass = (typeof EXECUTION_CLASSES)[number];

/** Stage settings of the Glue job and Athena (StageConfig.analytics). */
export interface AnalyticsConfig {
  /** When the Glue job runs: a Glue cron expression in UTC, six fields, e.g. `cron(15 * * * ? *)`. */
  readonly schedule: string;
  /** Glue worker type of the job: G.1X (4 vCPU, 16 GB), G.2X, G.4X or G.8X. */
  readonly workerType: EtlWorkerType;
  /** Workers per run, 2–299; with autoScaling, the ceiling Glue may scale up to. */
  readonly numberOfWorkers: number;
  /** Let Glue add and remove workers with each stage's parallelism, up to numberOfWorkers (Glue 3.0+). */
  readonly autoScaling: boolean;
  /** STANDARD or FLEX (see EXECUTION_CLASSES). */
  readonly executionClass: ExecutionClass;
  /** A run is stopped after this many minutes, 1–2880. */
  readonly jobTimeoutMinutes: number;
  /** Overlapping runs allowed; must be 1 because job bookmarks track one run at a time. */
  readonly maxConcurrentRuns: number;
  /** Athena cancels a query after scanning this many bytes; at least 10000000 (Athena's minimum). */
  readonly bytesScannedCutoffPerQuery: number;
}

/** Adds every problem of an analytics config to `problems`; the one place these settings are checked. */
export function analyticsConfigProblems(config: AnalyticsConfig, problems: Problems): void {
  const integer = problems.integer.bind(problems);
  if (typeof config.schedule !== 'string' || !/^cron\(\S+( \S+){5}\)$/.test(config.schedule)) {
    problems.add(`analytics.schedule must be a Glue cron expression with six fields, e.g. cron(15 * * * ? *) (got '${config.schedule}')`);
  }
  if (!(ETL_WORKER_TYPES as readonly string[]).includes(config.workerType)) {
    problems.add(`analytics.workerType must be one of ${ETL_WORKER_TYPES.join(', ')} (got '${config.workerType}')`);
  }
  integer('analytics.numberOfWorkers', config.numberOfWorkers, 2, 299);
  problems.boolean('analytics.autoScaling', config.autoScaling);
  problems.oneOf('analytics.executionClass', config.executionClass, EXECUTION_CLASSES);
  if (config.executionClass === 'FLEX' && !['G.1X', 'G.2X'].includes(config.workerType)) {
    problems.add(
      `analytics.executionClass must not be 'FLEX' with workerType '${config.workerType}': Flex runs G.1X and G.2X workers only`,
    );
  }
  integer('analytics.jobTimeoutMinutes', config.jobTimeoutMinutes, 1, 2880);
  integer(
    'analytics.maxConcurrentRuns',
    config.maxConcurrentRuns,
    1,
    1,
    'job bookmarks track one run at a time; concurrent runs would read the same raw objects',
  );
  integer(
    'analytics.bytesScannedCutoffPerQuery',
    config.bytesScannedCutoffPerQuery,
    10_000_000,
    Number.MAX_SAFE_INTEGER,
    "Athena's minimum is 10 MB",
  );
}
