/**
 * Typed stage configurations (dev, prod) and their validation.
 *
 * `bin/app.ts` is the only reader: it picks a stage with `-c stage=dev|prod`, validates it here and
 * passes the pieces down as props. Validation runs at synth and reports every problem at once, each
 * naming the setting, the allowed range and the value it got, so a user knows exactly what to change.
 */
import { maxSafeProcessorBufferMiB, MAX_OUTPUT_EXPANSION } from '../lambda/shared/limits';
import { validateHostConfig, type HostConfig } from './constructs/log-host/host-config';
import { validateAnalyticsConfig, type AnalyticsConfig } from './constructs/analytics-config';

export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

export type StreamCapacity =
  | { readonly mode: 'on-demand' }
  | { readonly mode: 'provisioned'; readonly shardCount: number };

export interface StreamConfig {
  readonly capacity: StreamCapacity;
  /** How long records stay readable in the stream, 24–8760 hours. */
  readonly retentionHours: number;
}

export interface DeliveryConfig {
  /** Firehose buffers this long before writing an object, 0–900 seconds. */
  readonly bufferIntervalSeconds: number;
  /** …or until this much data is buffered, 1–128 MiB. */
  readonly bufferSizeMiB: number;
  /** Data Firehose hands the transform Lambda per call: whole MiB, at most what the 6 MB response cap allows. */
  readonly processorBufferSizeMiB: number;
  /** Longest wait before calling the transform with a partial buffer, 60–900 seconds. */
  readonly processorBufferIntervalSeconds: number;
  /** Also keep every source record, untransformed, under the backup/ prefix. */
  readonly backupSourceRecords: boolean;
}

export interface LakeConfig {
  /** Raw objects move to S3 Standard-IA after this many days (S3 requires at least 30). */
  readonly rawInfrequentAccessAfterDays: number;
  /** Raw objects move to Glacier Instant Retrieval after this many days (after the IA transition). */
  readonly rawGlacierAfterDays: number;
  /** Raw objects are deleted after this many days; undefined keeps them forever. */
  readonly rawExpireAfterDays?: number;
  /** Firehose error output is deleted after this many days. */
  readonly errorsExpireAfterDays: number;
  /** S3 server access logs are deleted after this many days. */
  readonly accessLogsExpireAfterDays: number;
}

export interface StageConfig {
  readonly stage: StageName;
  /**
   * Keep stateful resources (buckets, keys, stream) on `cdk destroy`. dev destroys everything,
   * including bucket contents; prod retains data.
   */
  readonly retainData: boolean;
  /** Retention of every CloudWatch log group the app creates, in days (a value CloudWatch accepts). */
  readonly logRetentionDays: number;
  readonly stream: StreamConfig;
  readonly delivery: DeliveryConfig;
  readonly lake: LakeConfig;
  /** The EC2 log host and its agent (lib/constructs/log-host/host-config.ts documents each setting). */
  readonly host: HostConfig;
  /** The Glue job and Athena (lib/constructs/analytics-config.ts documents each setting). */
  readonly analytics: AnalyticsConfig;
}

const dev: StageConfig = {
  stage: 'dev',
  retainData: false,
  logRetentionDays: 14,
  stream: { capacity: { mode: 'on-demand' }, retentionHours: 24 },
  delivery: {
    bufferIntervalSeconds: 60,
    bufferSizeMiB: 5,
    processorBufferSizeMiB: maxSafeProcessorBufferMiB(),
    processorBufferIntervalSeconds: 60,
    backupSourceRecords: false,
  },
  lake: {
    rawInfrequentAccessAfterDays: 30,
    rawGlacierAfterDays: 90,
    rawExpireAfterDays: 180,
    errorsExpireAfterDays: 30,
    accessLogsExpireAfterDays: 30,
  },
  host: {
    instanceType: 't4g.small',
    rootVolumeGiB: 16,
    // No NAT gateway in dev: it would cost more per month than the host. Nothing is admitted inbound.
    subnet: 'public',
    terminationProtection: false,
    logFiles: [],
    agent: { flushSeconds: 5, retryLimit: 'no_limits', retryBaseSeconds: 5, retryCapSeconds: 300, bufferLimitMiB: 1024 },
    demoGenerator: { enabled: true, linesPerSecond: 5 },
  },
  analytics: {
    // Every six hours on the smallest job Glue allows; Athena scans capped at 1 GiB per query.
    schedule: 'cron(15 0/6 * * ? *)',
    workerType: 'G.1X',
    numberOfWorkers: 2,
    jobTimeoutMinutes: 60,
    maxConcurrentRuns: 1,
    bytesScannedCutoffPerQuery: 1024 ** 3,
  },
};

const prod: StageConfig = {
  stage: 'prod',
  retainData: true,
  logRetentionDays: 90,
  stream: { capacity: { mode: 'on-demand' }, retentionHours: 168 },
  delivery: {
    bufferIntervalSeconds: 300,
    bufferSizeMiB: 64,
    processorBufferSizeMiB: maxSafeProcessorBufferMiB(),
    processorBufferIntervalSeconds: 60,
    backupSourceRecords: true,
  },
  lake: {
    rawInfrequentAccessAfterDays: 30,
    rawGlacierAfterDays: 180,
    rawExpireAfterDays: undefined,
    errorsExpireAfterDays: 365,
    accessLogsExpireAfterDays: 365,
  },
  host: {
    instanceType: 't4g.small',
    rootVolumeGiB: 32,
    subnet: 'private-with-nat',
    terminationProtection: true,
    logFiles: [{ path: '/var/log/nginx/access.log', format: 'combined' }],
    agent: { flushSeconds: 1, retryLimit: 'no_limits', retryBaseSeconds: 2, retryCapSeconds: 600, bufferLimitMiB: 4096 },
    demoGenerator: { enabled: false, linesPerSecond: 5 },
  },
  analytics: {
    // Hourly, a quarter past: Firehose's buffers have flushed the previous hour by then.
    schedule: 'cron(15 * * * ? *)',
    workerType: 'G.1X',
    numberOfWorkers: 10,
    jobTimeoutMinutes: 180,
    maxConcurrentRuns: 1,
    bytesScannedCutoffPerQuery: 100 * 1024 ** 3,
  },
};

export const STAGE_CONFIGS: Readonly<Record<StageName, StageConfig>> = { dev, prod };

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Thrown when a stage config is invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid stage config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Picks a stage by name; an unknown name says which ones exist. */
export function stageConfig(name: string | undefined): StageConfig {
  const stage = name ?? 'dev';
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new ConfigError([`stage must be one of ${STAGES.join(', ')} (got '${stage}'); pass -c stage=dev or -c stage=prod`]);
  }
  return validateStageConfig(STAGE_CONFIGS[stage as StageName]);
}

/** Returns the config unchanged when valid; throws a ConfigError naming every bad setting otherwise. */
export function validateStageConfig(config: StageConfig): StageConfig {
  const problems: string[] = [];
  const check = new RangeChecker(problems);

  check.integer('logRetentionDays', config.logRetentionDays, 1, 3653);
  if (Number.isInteger(config.logRetentionDays) && !(LOG_RETENTION_DAYS as readonly number[]).includes(config.logRetentionDays)) {
    problems.push(`logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')} (got ${config.logRetentionDays})`);
  }

  const { stream, delivery, lake } = config;
  if (stream.capacity.mode === 'provisioned') {
    check.integer('stream.capacity.shardCount', stream.capacity.shardCount, 1, 500);
  } else if (stream.capacity.mode !== 'on-demand') {
    problems.push(`stream.capacity.mode must be 'on-demand' or 'provisioned' (got '${(stream.capacity as { mode: string }).mode}')`);
  }
  check.integer('stream.retentionHours', stream.retentionHours, 24, 8760);

  check.integer('delivery.bufferIntervalSeconds', delivery.bufferIntervalSeconds, 0, 900);
  check.integer('delivery.bufferSizeMiB', delivery.bufferSizeMiB, 1, 128);
  const maxProcessorMiB = maxSafeProcessorBufferMiB();
  check.integer(
    'delivery.processorBufferSizeMiB',
    delivery.processorBufferSizeMiB,
    1,
    maxProcessorMiB,
    `the transform's output is up to ${MAX_OUTPUT_EXPANSION}x its input and base64 adds a third, so a larger buffer risks Firehose's 6 MB response cap`,
  );
  check.integer('delivery.processorBufferIntervalSeconds', delivery.processorBufferIntervalSeconds, 60, 900);

  check.integer('lake.rawInfrequentAccessAfterDays', lake.rawInfrequentAccessAfterDays, 30, 36500);
  // S3 needs 30 days in Standard-IA before the next transition.
  check.integer('lake.rawGlacierAfterDays', lake.rawGlacierAfterDays, lake.rawInfrequentAccessAfterDays + 30, 36500);
  if (lake.rawExpireAfterDays !== undefined) {
    check.integer('lake.rawExpireAfterDays', lake.rawExpireAfterDays, lake.rawGlacierAfterDays + 1, 36500);
  }
  check.integer('lake.errorsExpireAfterDays', lake.errorsExpireAfterDays, 1, 36500);
  check.integer('lake.accessLogsExpireAfterDays', lake.accessLogsExpireAfterDays, 1, 36500);

  problems.push(...validateHostConfig(config.host));
  problems.push(...validateAnalyticsConfig(config.analytics));

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Collects "setting must be an integer between a and b (got x)" problems. */
class RangeChecker {
  constructor(private readonly problems: string[]) {}

  integer(setting: string, value: number, min: number, max: number, why?: string): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${setting} must be an integer between ${min} and ${max} (got ${value})${why ? `: ${why}` : ''}`);
    }
  }
}
