/**
 * Typed stage configurations (dev, prod) and their validation.
 *
 * `bin/app.ts` is the only reader: it picks a stage with `-c stage=dev|prod`, validates it here and
 * passes the pieces down as props. Validation runs at synth and reports every problem at once, each
 * naming the setting, the allowed range and the value it got, so a user knows exactly what to change.
 */
import { maxSafeProcessorBufferMiB } from '../contracts/limits';
import { customFormatsProblems, type CustomFormatDefinition } from './constructs/custom-formats/custom-formats-config';
import { analyticsConfigProblems, type AnalyticsConfig } from './constructs/analytics/analytics-config';
import { streamConfigProblems, type StreamConfig } from './constructs/ingest-stream/ingest-stream-config';
import { lakeConfigProblems, type LakeConfig } from './constructs/lake/lake-config';
import { deliveryConfigProblems, type DeliveryConfig } from './constructs/log-delivery/log-delivery-config';
import { hostPlacementProblems, validateHostConfig, type HostConfig } from './constructs/log-host/host-config';
import { DEFAULT_ALARM_THRESHOLDS, monitoringConfigProblems, type MonitoringConfig } from './constructs/monitoring/monitoring-config';
import { networkConfigProblems, type NetworkConfig } from './constructs/network/network-config';
import { realtimeConfigProblems, realtimeTopicProblems, type RealtimeConfig } from './constructs/realtime/realtime-config';
import {
  kafkaConfigProblems,
  mskZoneProblems,
  topicReplacementProblems,
  type KafkaConfig,
  type LockedTopic,
} from './constructs/kafka/kafka-config';
import topicsLock from './constructs/kafka/topics.lock.json';
import { REALTIME_TOPICS } from '../contracts/realtime';
import { capacityProblems, volumeConfigProblems, type VolumeConfig } from './capacity/plan';
import { ConfigError, Problems } from './problems';

export { ConfigError } from './problems';
export type { StreamCapacity, StreamConfig } from './constructs/ingest-stream/ingest-stream-config';
export type { DeliveryConfig } from './constructs/log-delivery/log-delivery-config';
export type { LakeConfig } from './constructs/lake/lake-config';
export type { CustomFormatDefinition } from './constructs/custom-formats/custom-formats-config';
export type { RealtimeConfig } from './constructs/realtime/realtime-config';

export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

export interface StageConfig {
  /** The stage's name, picked with `-c stage=dev|prod` (dev when not given); it prefixes every stack name. */
  readonly stage: StageName;
  /**
   * Keep stateful resources (buckets, keys, stream) on `cdk destroy`. dev destroys everything,
   * including bucket contents; prod retains data.
   */
  readonly retainData: boolean;
  /**
   * The volume the stage must carry: synth checks every hop against AWS's limits and the project's measured
   * rates at this volume and refuses a config that cannot carry it (lib/capacity/plan.ts).
   */
  readonly volume: VolumeConfig;
  /** Retention of every CloudWatch log group the app creates, in days (a value CloudWatch accepts). */
  readonly logRetentionDays: number;
  /** The VPC every stateful part shares (lib/constructs/network/network-config.ts documents each setting). */
  readonly network: NetworkConfig;
  readonly stream: StreamConfig;
  readonly delivery: DeliveryConfig;
  readonly lake: LakeConfig;
  /** The EC2 log host and its agent (lib/constructs/log-host/host-config.ts documents each setting). */
  readonly host: HostConfig;
  /** The Glue job and Athena (lib/constructs/analytics/analytics-config.ts documents each setting). */
  readonly analytics: AnalyticsConfig;
  /** The MSK cluster, its topics and the consumer mapping (lib/constructs/kafka/kafka-config.ts documents each setting). */
  readonly kafka: KafkaConfig;
  /** Dashboard, alarms and who they reach (lib/constructs/monitoring/monitoring-config.ts documents each setting). */
  readonly monitoring: MonitoringConfig;
  /**
   * The stream analytics application on Amazon Managed Service for Apache Flink: on or off, its parallelism and
   * KPU bounds, checkpoints and snapshots (lib/constructs/realtime/realtime-config.ts documents each setting).
   */
  readonly realtime: RealtimeConfig;
  /**
   * Line formats beyond the built-ins, defined without code: a name, a regular expression whose named groups
   * fill record fields, the time's layout and zone, and example lines with the fields each must give
   * (lib/constructs/custom-formats/custom-formats-config.ts checks them; docs/development.md, "Add a log format"). Bundled
   * into the transform and the consumer, tried after the built-ins; the Glue job accepts their names.
   */
  readonly formats: readonly CustomFormatDefinition[];
}

const dev: StageConfig = {
  stage: 'dev',
  retainData: false,
  // The demo generator writes about 0.33 GB a day (5 files × 5 lines/s × 154 B); 1 GB leaves room to try more.
  // Everything below is as small as AWS allows: this volume needs no more (npm run cost -- -c stage=dev --plan).
  volume: { gbPerDay: 1, peakFactor: 3 },
  logRetentionDays: 14,
  network: {
    availabilityZones: 2,
    // The host sits in a public subnet (no NAT gateway, which would cost more than the host). The private
    // subnets hold only the brokers and the mapping's ENIs: in provisioned mode the mapping needs no NAT or
    // Lambda/STS endpoint, and its S3 on-failure destination goes through the gateway endpoint every stage has.
    publicSubnets: true,
    privateEgress: 'none',
    cidr: '10.40.0.0/16',
  },
  // One provisioned shard ($11 a month) takes up to 1 MB/s, about 28 GB a day at a 3× peak; on demand costs
  // $29 a month before any data (npm run cost -- -c stage=dev --gb-per-day 1 --compare).
  stream: { capacity: { mode: 'provisioned', shardCount: 1 }, retentionHours: 24 },
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
    // Curated goes with raw: Standard-IA at 30 days, deleted at 180.
    curatedInfrequentAccessAfterDays: 30,
    curatedExpireAfterDays: 180,
    errorsExpireAfterDays: 30,
    accessLogsExpireAfterDays: 30,
  },
  host: {
    // Not t4g.micro: its 1 GiB holds five demo generators (48 MiB RSS each, measured) and Fluent Bit (its memory
    // "will often stay below 100 MB" in normal conditions, says AWS's FireLens team:
    // https://github.com/aws-samples/amazon-ecs-firelens-examples/tree/mainline/examples/fluent-bit/oomkill-prevention),
    // but its CPU baseline is 10% of 2 vCPUs, and the agent's CPU next to the generators was not measured here (an
    // earlier "~25% of a vCPU" figure had no source we could find). Saves $6 a month if it ever fits.
    instanceType: 't4g.small',
    rootVolumeGiB: 16,
    // No NAT gateway in dev: it would cost more per month than the host. Nothing is admitted inbound.
    subnet: 'public',
    terminationProtection: false,
    // A new AL2023 image replaces the dev host on the next deploy (it is unprotected, so the old one goes).
    image: 'latest',
    logFiles: [],
    agent: { flushSeconds: 5, retryLimit: 'no_limits', retryBaseSeconds: 5, retryCapSeconds: 300, bufferLimitMiB: 1024 },
    demoGenerator: { enabled: true, linesPerSecond: 5 },
  },
  analytics: {
    // Every six hours on the smallest job Glue allows; Athena scans capped at 1 GiB per query.
    schedule: 'cron(15 0/6 * * ? *)',
    workerType: 'G.1X',
    numberOfWorkers: 2,
    // Two workers is Glue's minimum, so nothing to scale; a dev batch can wait for spare capacity.
    autoScaling: false,
    executionClass: 'FLEX',
    jobTimeoutMinutes: 60,
    maxConcurrentRuns: 1,
    bytesScannedCutoffPerQuery: 1024 ** 3,
  },
  kafka: {
    // The smallest cluster that works: two kafka.t3.small brokers in two AZs, replication 2.
    brokerInstanceType: 'kafka.t3.small',
    brokerCount: 2,
    ebsVolumeGiB: 20,
    replicationFactor: 2,
    minInsyncReplicas: 1,
    topics: [{ name: 'logs', partitions: 2, retentionHours: 24 }],
    // A 5 s window: the consumer writes an S3 object per batch, so a 1 s window puts 2.6 M objects a month at
    // 1 GB a day ($13, npm run cost); Firehose's 60 s buffer sets the lake's freshness anyway.
    consumer: { batchSize: 500, maximumBatchingWindowSeconds: 5, minimumPollers: 1, maximumPollers: 2, retryAttempts: 5 },
  },
  // The demo generator writes every second, so a silent quarter hour means the host or agent broke.
  monitoring: { alarmEmails: [], thresholds: DEFAULT_ALARM_THRESHOLDS },
  // Off: the smallest application bills 2 KPUs around the clock (npm run cost); npm run local runs the same job.
  // On, kafka.topics also needs the records and output topics (synth names them).
  realtime: {
    enabled: false,
    parallelism: 1,
    parallelismPerKpu: 1,
    autoScaling: false,
    maxKpus: 1,
    checkpointIntervalSeconds: 60,
    minPauseBetweenCheckpointsSeconds: 5,
    snapshots: true,
  },
  // Try a format with npm run local -- --formats FILE first (examples/formats/hdfs-apache-error.json).
  formats: [],
};

const prod: StageConfig = {
  stage: 'prod',
  retainData: true,
  // 1 TB of logs a day with a busiest hour 3× the average: synth checks every hop against it (lib/capacity/plan.ts).
  volume: { gbPerDay: 1000, peakFactor: 3 },
  logRetentionDays: 90,
  network: {
    availabilityZones: 3,
    // The host is private and installs its agent from the package repository: one NAT gateway (the Kafka
    // mapping itself, in provisioned mode, needs none).
    publicSubnets: true,
    privateEgress: 'nat-gateway',
    cidr: '10.40.0.0/16',
  },
  // Sized for volume: 1 TB a day at a 3× peak is 34.7 MB/s, 34 shards of 1 MiB/s (the agent packs ~1 MiB
  // records, so bytes bind, not records); provisioned costs about a third of on demand there
  // (npm run cost -- -c stage=prod --gb-per-day 1000 --compare).
  stream: { capacity: { mode: 'provisioned', shardCount: 34 }, retentionHours: 168 },
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
    // Athena reads the recent quarter most; older curated data moves to Standard-IA ($0.0125 against $0.023 a
    // GB-month, $0.01 a GB read) and is kept, as raw is.
    curatedInfrequentAccessAfterDays: 90,
    curatedExpireAfterDays: undefined,
    errorsExpireAfterDays: 365,
    accessLogsExpireAfterDays: 365,
  },
  host: {
    instanceType: 't4g.small',
    rootVolumeGiB: 32,
    subnet: 'private-with-nat',
    terminationProtection: true,
    // The AMI id in cdk.json (logPipeline:hostImages); README, "Upgrade the log host's image".
    image: 'pinned',
    logFiles: [{ path: '/var/log/nginx/access.log', format: 'combined', destinations: ['kinesis', 'kafka'] }],
    agent: { flushSeconds: 1, retryLimit: 'no_limits', retryBaseSeconds: 2, retryCapSeconds: 600, bufferLimitMiB: 4096 },
    demoGenerator: { enabled: false, linesPerSecond: 5 },
  },
  analytics: {
    // Hourly, a quarter past: Firehose's buffers have flushed the previous hour by then.
    schedule: 'cron(15 * * * ? *)',
    workerType: 'G.1X',
    // A ceiling, not a size: with auto scaling an hourly batch of a few GB a day runs on 2 workers (npm run
    // cost shows the DPU-hours); 10 G.1X workers curate ~3.5 billion lines an hour (docs/costs.md).
    numberOfWorkers: 10,
    autoScaling: true,
    executionClass: 'STANDARD',
    jobTimeoutMinutes: 180,
    maxConcurrentRuns: 1,
    // One source's peak hour of curated Parquet is about 31 GiB at 1 TB a day (curated is partitioned by hour): an
    // all-column query over it stays under Athena's default 100 GiB (lib/capacity/plan.ts checks it).
    bytesScannedCutoffPerQuery: 100 * 1024 ** 3,
  },
  kafka: {
    // Three brokers across three AZs, replication 3 and min.insync.replicas 2: one broker may be down
    // while acks=all writes go on.
    brokerInstanceType: 'kafka.m7g.large',
    brokerCount: 3,
    // 168 h of 1 TB a day of logs (lz4, 0.43 of the log bytes) and 24 h of records (gzip, 0.47), 3 replicas over 3
    // brokers, below the 80% disk alarm: 4,052 GiB a broker (lib/capacity/plan.ts). Storage grows in place, never shrinks.
    ebsVolumeGiB: 4100,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    // A partition moves one batch at a time: about 1.9 MB/s at batch 10,000 with publishing (the consumer benchmark
    // at the function's 0.58 vCPU), so 24 carry the 34.7 MB/s peak with a third to spare; partitions can only
    // grow. The stream analytics' two topics follow: the
    // records the consumer publishes (one partition per log partition; a day, since the lake keeps them all) and
    // the job's per-minute rows.
    topics: [
      { name: 'logs', partitions: 24, retentionHours: 168 },
      { name: REALTIME_TOPICS.records, partitions: 24, retentionHours: 24 },
      { name: REALTIME_TOPICS.output, partitions: 3, retentionHours: 168 },
    ],
    // The mapping's largest batch: the fewest partitions, invocations and S3 objects (about 1.5 MB of lines each).
    consumer: { batchSize: 10_000, maximumBatchingWindowSeconds: 5, minimumPollers: 1, maximumPollers: 12, retryAttempts: 10 },
  },
  // Real traffic can be quiet at night: an hour without a line before "agent silent" fires. Add the
  // on-call addresses to alarmEmails before the first deploy.
  monitoring: { alarmEmails: [], thresholds: { ...DEFAULT_ALARM_THRESHOLDS, agentSilentMinutes: 60 } },
  // The smallest application, scaling with the load. maxKpus 12 is what npm run cost names as its ceiling (at
  // most the records topic's 24 partitions: a source subtask beyond them reads nothing); nothing on AWS holds
  // auto scaling under it (docs/analytics-realtime.md, "What remains").
  realtime: {
    enabled: true,
    parallelism: 1,
    parallelismPerKpu: 1,
    autoScaling: true,
    maxKpus: 12,
    // Exactly-once rows are readable at the checkpoint after their window fires: 30 s makes a window's rows
    // readable within about 40 s of its end (docs/analytics-realtime.md, "Freshness"); the metrics do not wait.
    checkpointIntervalSeconds: 30,
    minPauseBetweenCheckpointsSeconds: 5,
    snapshots: true,
  },
  formats: [],
};

export const STAGE_CONFIGS: Readonly<Record<StageName, StageConfig>> = { dev, prod };

/**
 * The recipe for 10 TB of logs a day at a 3× peak: prod with what `npm run cost -- -c stage=prod --plan
 * --gb-per-day 10000` says carries it (docs/operations.md, "Sizing for volume"). Not a stage: copy the
 * overrides into prod to deploy it; test/capacity/plan.test.ts checks that synth accepts it.
 */
export const PROD_10_TB_A_DAY: StageConfig = {
  ...prod,
  volume: { gbPerDay: 10_000, peakFactor: 3 },
  // 347 MB/s at the peak: 332 shards of 1 MiB/s (on-demand takes 200 MB/s outside us-east-1, us-west-2, eu-west-1).
  stream: { ...prod.stream, capacity: { mode: 'provisioned', shardCount: 340 } },
  kafka: {
    ...prod.kafka,
    // Throughput binds first: 312 MB/s of compressed writes at the peak (the log topic's lz4 and the records topic's
    // gzip) at replication 3 take 12 m7g.large brokers; 7 days of logs and a day of records is 119 TiB, under the
    // 80% alarm at 10,200 GiB a broker.
    brokerCount: 12,
    ebsVolumeGiB: 10_200,
    // 347 MB/s at 1.92 MB/s a partition takes 181: 192, a multiple of the 12 brokers. The records topic keeps one
    // partition per log partition.
    topics: prod.kafka.topics.map((t) => (t.name === 'logs' || t.name === REALTIME_TOPICS.records ? { ...t, partitions: 192 } : t)),
    consumer: { ...prod.kafka.consumer, maximumPollers: 102 },
  },
  analytics: {
    ...prod.analytics,
    numberOfWorkers: 48,
    // One source's peak hour of curated Parquet is about 307 GiB.
    bytesScannedCutoffPerQuery: 320 * 1024 ** 3,
  },
};

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** What synth knows of the target environment: the region when the CLI resolved one, else nothing. */
export interface SynthEnvironment {
  readonly region?: string;
}

/** Picks a stage by name; an unknown name says which ones exist. */
export function stageConfig(name: string | undefined, environment: SynthEnvironment = {}): StageConfig {
  const stage = name ?? 'dev';
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new ConfigError([`stage must be one of ${STAGES.join(', ')} (got '${stage}'); pass -c stage=dev or -c stage=prod`]);
  }
  return validateStageConfig(STAGE_CONFIGS[stage as StageName], environment);
}

/**
 * Returns the config unchanged when valid; throws a ConfigError naming every bad setting otherwise. Each
 * setting is checked once, by the module of the construct that owns it; this only collects.
 */
export function validateStageConfig(config: StageConfig, environment: SynthEnvironment = {}): StageConfig {
  const problems = new Problems();
  problems.integer('logRetentionDays', config.logRetentionDays, 1, 3653);
  if (Number.isInteger(config.logRetentionDays) && !(LOG_RETENTION_DAYS as readonly number[]).includes(config.logRetentionDays)) {
    problems.add(`logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')} (got ${config.logRetentionDays})`);
  }
  problems.boolean('retainData', config.retainData);
  networkConfigProblems(config.network, problems);
  streamConfigProblems(config.stream, problems);
  deliveryConfigProblems(config.delivery, problems);
  lakeConfigProblems(config.lake, problems);
  problems.addAll(validateHostConfig(config.host, 'host', Array.isArray(config.formats) ? config.formats.map((f) => String(f?.name)) : []));
  problems.addAll(hostPlacementProblems(config.host, config.network));
  analyticsConfigProblems(config.analytics, problems);
  kafkaConfigProblems(config.kafka, config.network, problems);
  mskZoneProblems(config.network, environment.region, problems);
  const locked: readonly LockedTopic[] | undefined = config.stage in topicsLock ? topicsLock[config.stage] : undefined;
  problems.addAll(topicReplacementProblems(config.kafka, locked, config.stage));
  monitoringConfigProblems(config.monitoring, problems, config.delivery);
  realtimeConfigProblems(config.realtime, problems);
  realtimeTopicProblems(config.realtime, config.kafka, problems);
  customFormatsProblems(config.formats, problems);
  volumeConfigProblems(config.volume, problems);
  // Capacity reads every other setting: checked only once they are valid, so each problem is said once.
  if (problems.list.length === 0) capacityProblems(config, problems);
  problems.throwIfAny();
  return config;
}
