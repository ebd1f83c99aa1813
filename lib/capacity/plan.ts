/**
 * Whether a stage carries the volume it declares: each hop's load at the average and at the peak, against AWS's
 * documented limits (limits.ts) and the project's measured rates (rates.ts), and the settings that would carry
 * it. Pure and CDK-free: lib/config.ts runs capacityProblems at synth, `npm run cost -- --plan` prints
 * capacityPlan and prices sizeFor's configuration.
 */
import { LOG_FILE_FORMATS, destinationsOf, type HostConfig, type ShipDestination } from '../constructs/log-host/host-config';
import type { StageConfig } from '../config';
import type { Problems } from '../problems';
import {
  BROKER_LADDER,
  BROKER_LIMITS,
  KAFKA_MAPPING,
  KINESIS,
  LAMBDA_CONCURRENT_EXECUTIONS,
  LAMBDA_MB_PER_VCPU,
  MAX_BROKERS,
  MAX_GLUE_WORKERS,
  MSK,
  S3_PUTS_PER_SECOND_PER_PREFIX,
} from './limits';
import { MEASURED } from './rates';
import { CONSUMER_MEMORY_MB } from '../constructs/kafka/kafka-config';
import { REALTIME_TOPICS } from '../../contracts/realtime';

/** The volume a stage must carry (StageConfig.volume). */
export interface VolumeConfig {
  /** GB (10^9 bytes) of log text a day the stage is sized for, more than 0 and at most 1,000,000. */
  readonly gbPerDay: number;
  /** The busiest hour's rate over the day's average, 1–24 (3: log traffic follows the working day). */
  readonly peakFactor: number;
}

export function volumeConfigProblems(volume: VolumeConfig, problems: Problems): void {
  if (!(typeof volume.gbPerDay === 'number' && volume.gbPerDay > 0 && volume.gbPerDay <= 1_000_000)) {
    problems.add(`volume.gbPerDay must be a number above 0 and at most 1000000 (got ${String(volume.gbPerDay)})`);
  }
  if (!(typeof volume.peakFactor === 'number' && volume.peakFactor >= 1 && volume.peakFactor <= 24)) {
    problems.add(
      `volume.peakFactor must be a number from 1 to 24, the busiest hour over the day's average (got ${String(volume.peakFactor)})`,
    );
  }
}

/**
 * Hours one curated partition holds: the table is partitioned by day, hour and source (contracts/lake-layout.ts
 * CURATED_PARTITION_KEYS; a test keeps the two in step), so a query over one source's hour scans all of it.
 */
export const CURATED_PARTITION_HOURS: number = 1;

/** Glue DPUs per worker type. */
export const GLUE_DPU_PER_WORKER: Readonly<Record<string, number>> = { 'G.1X': 1, 'G.2X': 2, 'G.4X': 4, 'G.8X': 8 };

/**
 * Share of the day's log volume each path carries (0–1), counting the files as equally busy; a file shipped to
 * both paths counts on both. The demo generator writes one file per format, shipped to both paths
 * (lib/constructs/log-host/boot-script.ts demoFiles).
 */
export function pathShares(host: HostConfig): { readonly kinesis: number; readonly kafka: number; readonly kinesisFiles: number } {
  const destinations: (readonly ShipDestination[])[] = [
    ...host.logFiles.map((f) => destinationsOf(f)),
    ...(host.demoGenerator.enabled ? LOG_FILE_FORMATS.map((): readonly ShipDestination[] => ['kinesis', 'kafka']) : []),
  ];
  if (destinations.length === 0) return { kinesis: 0, kafka: 0, kinesisFiles: 0 };
  const on = (d: ShipDestination) => destinations.filter((ds) => ds.includes(d)).length;
  return { kinesis: on('kinesis') / destinations.length, kafka: on('kafka') / destinations.length, kinesisFiles: on('kinesis') };
}

/** Shards a provisioned stream needs for `kinesisGbPerDay` at `peakFactor`× the average, records of `recordBytes`. */
export function shardsNeeded(kinesisGbPerDay: number, recordBytes: number, peakFactor: number): number {
  const peakBytesPerSecond = ((kinesisGbPerDay * 1e9) / 86_400) * peakFactor;
  const peakRecordsPerSecond = peakBytesPerSecond / recordBytes;
  return Math.max(
    1,
    Math.ceil(peakBytesPerSecond / KINESIS.shardWriteBytesPerSecond),
    Math.ceil(peakRecordsPerSecond / KINESIS.shardWriteRecordsPerSecond),
  );
}

/** Runs a day of a Glue cron expression `cron(min hour dom month dow year)`; hour fields `*`, `a/b`, `a-b` or lists. */
export function runsPerDay(schedule: string): number {
  const fields = /^cron\((.+)\)$/.exec(schedule)?.[1].split(' ');
  if (fields === undefined || fields.length !== 6) throw new Error(`runsPerDay: not a six-field Glue cron expression: ${schedule}`);
  const count = (field: string, size: number, first: number): number =>
    field.split(',').reduce((sum, part) => {
      const [range, stepText] = part.split('/');
      const step = stepText === undefined ? 1 : Number(stepText);
      let from: number;
      let to: number;
      if (range === '*') [from, to] = [first, first + size - 1];
      else if (range.includes('-')) [from, to] = range.split('-').map(Number) as [number, number];
      else [from, to] = [Number(range), stepText === undefined ? Number(range) : first + size - 1];
      if (![from, to, step].every(Number.isInteger)) throw new Error(`runsPerDay: cannot count '${field}' in ${schedule}`);
      return sum + Math.floor((to - from) / step) + 1;
    }, 0);
  return count(fields[0], 60, 0) * count(fields[1], 24, 0);
}

/**
 * The most GB of log lines a day the Glue settings curate: every worker of the ceiling busy for each run's whole
 * budget (the time to the next run, or the timeout if shorter), at the Glue benchmark's rows per DPU.
 */
export function glueCapacityGbPerDay(analytics: StageConfig['analytics']): number {
  const perDay = runsPerDay(analytics.schedule);
  const budgetSeconds = Math.min(analytics.jobTimeoutMinutes * 60, 86_400 / perDay) - MEASURED.glueRunOverheadMinutes * 60;
  const dpus = analytics.numberOfWorkers * GLUE_DPU_PER_WORKER[analytics.workerType];
  return (perDay * dpus * MEASURED.glueRowsPerSecondPerDpu * budgetSeconds * MEASURED.lineBytes) / 1e9;
}

/**
 * What one partition of the Kafka topic moves through the mapping, bytes of log text a second: one batch at a
 * time (Lambda keeps a partition in order), each taking the consumer benchmark's time per line (plus the
 * publish's, where the consumer publishes to the records topic) at the function's share of a vCPU, plus the
 * invocation's overhead (rates.ts).
 */
export function partitionBytesPerSecond(batchSize: number, publishing: boolean): number {
  const seconds = MEASURED.consumerInvocationOverheadSeconds + batchSize * consumerLineSeconds(publishing);
  return Math.min(KAFKA_MAPPING.pollerBytesPerSecond, (batchSize * MEASURED.lineBytes) / seconds);
}

/**
 * The consumer's time per line in Lambda: the benchmark's (plus the publish's where it publishes), at the
 * function's share of a vCPU (CONSUMER_MEMORY_MB of LAMBDA_MB_PER_VCPU; one thread gains nothing past one vCPU).
 */
export function consumerLineSeconds(publishing: boolean): number {
  const vcpu = Math.min(CONSUMER_MEMORY_MB, LAMBDA_MB_PER_VCPU) / LAMBDA_MB_PER_VCPU;
  return (MEASURED.consumerSecondsPerLine + (publishing ? MEASURED.consumerPublishSecondsPerLine : 0)) / vcpu;
}

/**
 * Pollers the mapping needs at `peakBytesPerSecond`: each moves up to 5 MB/s, and runs up to 5 invocations at a
 * time, each moving `partitionRate` (limits.ts, KAFKA_MAPPING).
 */
function pollersFor(peakBytesPerSecond: number, partitionRate: number): number {
  const byBytes = peakBytesPerSecond / KAFKA_MAPPING.pollerBytesPerSecond;
  const byInvocations = peakBytesPerSecond / partitionRate / KAFKA_MAPPING.pollerConcurrentInvocations;
  return Math.max(1, Math.ceil(Math.max(byBytes, byInvocations)));
}

/** What one topic keeps on the brokers: compressed bytes per byte of the Kafka path's log text, and for how long. */
export interface TopicLoad {
  readonly name: string;
  readonly perLogByte: number;
  readonly retentionHours: number;
}

/**
 * The topics that grow with the volume: the log topic (the agent's lz4 batches) and, with realtime on, the records
 * topic (each line's lake record, gzipped by the consumer). The output topic holds a few hundred rows a minute
 * whatever the volume, so it is left out.
 */
export function topicLoads(config: StageConfig): TopicLoad[] {
  const [logTopic] = config.kafka.topics;
  if (logTopic === undefined) return [];
  const loads: TopicLoad[] = [{ name: logTopic.name, perLogByte: MEASURED.kafkaLz4PerLogByte, retentionHours: logTopic.retentionHours }];
  const records = config.realtime.enabled ? config.kafka.topics.find((t) => t.name === REALTIME_TOPICS.records) : undefined;
  if (records !== undefined) {
    loads.push({ name: records.name, perLogByte: MEASURED.recordsGzipPerLogByte, retentionHours: records.retentionHours });
  }
  return loads;
}

/** Compressed bytes written to the brokers per byte of the Kafka path's log text, every growing topic together. */
const writtenPerLogByte = (loads: readonly TopicLoad[]) => loads.reduce((sum, t) => sum + t.perLogByte, 0);
/** Byte-days the brokers keep per byte a day of the Kafka path's log text (before replication). */
const keptDaysPerLogByte = (loads: readonly TopicLoad[]) => loads.reduce((sum, t) => sum + (t.perLogByte * t.retentionHours) / 24, 0);
const describeLoads = (loads: readonly TopicLoad[]) => loads.map((t) => `${t.name} ${t.retentionHours} h × ${t.perLogByte}`).join(' + ');

/** One hop's verdict. */
export interface HopCheck {
  readonly hop: string;
  readonly unit: string;
  readonly average: number;
  readonly peak: number;
  /** What the configuration (or AWS) allows, in `unit`. */
  readonly limit: number;
  /** How the limit follows from the configuration. */
  readonly basis: string;
  readonly ok: boolean;
  /** The setting that carries the volume, and its value (`kafka.ebsVolumeGiB 3504`), or what no setting can. */
  readonly need: string;
  /** Set when it fails: the problem, in the one message style (`<setting> must be … (got …): why`). */
  readonly problem?: string;
}

const MB = 1e6;
const GiB = 2 ** 30;
const fmt = (n: number) =>
  Math.abs(n) >= 100 || Number.isInteger(n)
    ? Math.round(n).toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** The Kafka cluster's sustained ingress (bytes/s of compressed data) at the blog's formula (limits.ts MSK). */
export function mskIngressBytesPerSecond(brokerInstanceType: string, brokers: number, replication: number): number | undefined {
  const b = BROKER_LIMITS[brokerInstanceType];
  if (b === undefined) return undefined;
  const storage = Math.min(MSK.storageThroughputBytesPerSecond, b.ebsBytesPerSecond);
  return Math.min((storage * brokers) / replication, (b.networkBytesPerSecond * brokers) / (MSK.consumerGroups + replication - 1));
}

/** The stream's packed record at the peak, what a shard takes of it, and the shards the peak needs. */
export function kinesisSizing(config: StageConfig, volume: VolumeConfig): { recordBytes: number; perShard: number; shards: number } {
  const shares = pathShares(config.host);
  const kPeak = ((volume.gbPerDay * 1e9) / 86_400) * shares.kinesis * volume.peakFactor;
  const perFlush = (kPeak * config.host.agent.flushSeconds) / Math.max(1, shares.kinesisFiles);
  const recordBytes = Math.max(MEASURED.lineBytes, perFlush / Math.max(1, Math.ceil(perFlush / KINESIS.recordMaxBytes)));
  const perShard = Math.min(KINESIS.shardWriteBytesPerSecond, KINESIS.shardWriteRecordsPerSecond * recordBytes);
  return { recordBytes, perShard, shards: shardsNeeded(volume.gbPerDay * shares.kinesis, recordBytes, volume.peakFactor) };
}

/** Every hop of the stage at `volume` (default: the volume it declares). */
export function capacityPlan(config: StageConfig, volume: VolumeConfig = config.volume): HopCheck[] {
  const { gbPerDay, peakFactor } = volume;
  const shares = pathShares(config.host);
  const perSecond = (gbPerDay * 1e9) / 86_400;
  const carried = `volume.gbPerDay ${fmt(gbPerDay)} at a ${fmt(peakFactor)}× peak`;
  const hops: HopCheck[] = [];
  const check = (h: Omit<HopCheck, 'ok' | 'problem'>, setting: string, needed: number, got: number, why: string) => {
    const ok = h.peak <= h.limit;
    hops.push({
      ...h,
      ok,
      problem: ok ? undefined : `${setting} must be at least ${fmt(needed)} to carry ${carried} (got ${fmt(got)}): ${why}`,
    });
  };

  // Kinesis: bytes and records per shard; the agent packs one flush of one file into records of up to 1 MiB.
  const kPeak = perSecond * shares.kinesis * peakFactor;
  if (shares.kinesis > 0) {
    const { recordBytes, perShard, shards } = kinesisSizing(config, volume);
    const base = { hop: 'Kinesis stream writes', unit: 'MB/s', average: (perSecond * shares.kinesis) / MB, peak: kPeak / MB };
    if (config.stream.capacity.mode === 'provisioned') {
      const n = config.stream.capacity.shardCount;
      const fits = shards <= KINESIS.maxConfiguredShards;
      const need = fits
        ? `stream.capacity.shardCount ${shards}`
        : `${shards} shards: more than the config's ${KINESIS.maxConfiguredShards}, and on-demand's ${KINESIS.onDemandWriteBytesPerSecond / MB} MB/s is less`;
      // Past the config's 500 shards the stream does not deploy, whatever shardCount says.
      const h = {
        ...base,
        limit: (Math.min(n, KINESIS.maxConfiguredShards) * perShard) / MB,
        basis: `${n} shards × ${fmt(perShard / MB)} MB/s`,
        need,
      };
      check(
        h,
        'stream.capacity.shardCount',
        shards,
        n,
        fits
          ? `a shard takes 1 MiB/s or 1,000 records/s (records here average ${fmt(recordBytes / 1024)} KiB); or set stream.capacity.mode 'on-demand' below ${KINESIS.onDemandWriteBytesPerSecond / MB} MB/s`
          : `no one stream carries it outside us-east-1, us-west-2 and eu-west-1 (on-demand there: 10 GB/s on request); split the hosts over two stages`,
      );
    } else {
      const limit = KINESIS.onDemandWriteBytesPerSecond;
      const h = {
        ...base,
        limit: limit / MB,
        basis: 'on-demand, 200 MB/s (10 GB/s in us-east-1, us-west-2, eu-west-1)',
        need: kPeak <= limit ? 'on-demand' : `stream.capacity provisioned, ${shards} shards`,
      };
      const ok = kPeak <= limit;
      hops.push({
        ...h,
        ok,
        problem: ok
          ? undefined
          : `stream.capacity.mode must be 'provisioned' to carry ${carried} (got 'on-demand'): ${fmt(kPeak / MB)} MB/s at the peak passes on-demand's default 200 MB/s; set shardCount ${shards}`,
      });
    }
  }

  // Kafka: MSK storage, throughput and partitions; the mapping's partitions and pollers; the consumer's S3 PUTs.
  const kafka = config.kafka;
  const kafkaAvg = perSecond * shares.kafka;
  const kafkaPeak = kafkaAvg * peakFactor;
  const topic = kafka.topics[0];
  const partitionRate = partitionBytesPerSecond(kafka.consumer.batchSize, config.realtime.enabled);
  if (shares.kafka > 0 && topic !== undefined) {
    const alarm = config.monitoring.thresholds.kafkaDiskUsedPercent / 100;
    const loads = topicLoads(config);
    const perBrokerGiB = (gb: number) =>
      (gb * 1e9 * shares.kafka * keptDaysPerLogByte(loads) * kafka.replicationFactor) / kafka.brokerCount / alarm / GiB;
    const storageNeed = Math.ceil(perBrokerGiB(gbPerDay));
    check(
      {
        hop: 'MSK storage per broker',
        unit: 'GiB',
        average: perBrokerGiB(gbPerDay),
        peak: perBrokerGiB(gbPerDay),
        limit: kafka.ebsVolumeGiB,
        basis: `kafka.ebsVolumeGiB; (${describeLoads(loads)} of the log bytes) × replication ${kafka.replicationFactor} ÷ ${kafka.brokerCount} brokers ÷ ${alarm * 100}% disk alarm`,
        need:
          storageNeed <= MSK.maxVolumeGiB
            ? `kafka.ebsVolumeGiB ${storageNeed}`
            : `more brokers: ${storageNeed} GiB passes ${MSK.maxVolumeGiB} per broker`,
      },
      'kafka.ebsVolumeGiB',
      storageNeed,
      kafka.ebsVolumeGiB,
      `brokers keep ${describeLoads(loads)} of the log bytes (retention × compressed share) at replication ${kafka.replicationFactor} on ${kafka.brokerCount} brokers below the ${alarm * 100}% disk alarm (at most ${MSK.maxVolumeGiB} GiB a broker); or add brokers, or shorten the topics' retentionHours`,
    );

    const ingress = mskIngressBytesPerSecond(kafka.brokerInstanceType, kafka.brokerCount, kafka.replicationFactor);
    const compressed = (bytes: number) => (bytes * writtenPerLogByte(loads)) / MB;
    if (ingress === undefined) {
      hops.push({
        hop: 'MSK throughput',
        unit: 'MB/s',
        average: compressed(kafkaAvg),
        peak: compressed(kafkaPeak),
        limit: 0,
        basis: 'unknown broker type',
        ok: false,
        need: `a broker type of ${Object.keys(BROKER_LIMITS).join(', ')}`,
        problem: `kafka.brokerInstanceType must be one whose throughput lib/capacity/limits.ts knows, ${Object.keys(BROKER_LIMITS).join(', ')}, to check the volume (got '${kafka.brokerInstanceType}'): add its EBS and network baselines there`,
      });
    } else {
      const brokersNeeded = brokersFor(
        kafka.brokerInstanceType,
        kafkaPeak * writtenPerLogByte(loads),
        kafka.replicationFactor,
        config.network.availabilityZones,
      );
      check(
        {
          hop: 'MSK throughput',
          unit: 'MB/s (compressed)',
          average: compressed(kafkaAvg),
          peak: compressed(kafkaPeak),
          limit: ingress / MB,
          basis: `${kafka.brokerCount} × ${kafka.brokerInstanceType} at replication ${kafka.replicationFactor}`,
          need: `kafka.brokerCount ${brokersNeeded ?? `> ${MAX_BROKERS}: a larger kafka.brokerInstanceType`}`,
        },
        'kafka.brokerCount',
        brokersNeeded ?? MAX_BROKERS + 1,
        kafka.brokerCount,
        `a ${kafka.brokerInstanceType} broker sustains its EBS and network baselines (AWS's right-sizing formula); or a larger kafka.brokerInstanceType`,
      );
      const totalPartitions = kafka.topics.reduce((s, t) => s + t.partitions, 0);
      const perBroker = (totalPartitions * kafka.replicationFactor) / kafka.brokerCount;
      const partitionCap = BROKER_LIMITS[kafka.brokerInstanceType].partitions;
      const ok = perBroker <= partitionCap;
      hops.push({
        hop: 'MSK partitions per broker',
        unit: 'replicas',
        average: perBroker,
        peak: perBroker,
        limit: partitionCap,
        basis: `${kafka.brokerInstanceType}, AWS's recommendation`,
        ok,
        need: `at most ${partitionCap} replicas a broker`,
        problem: ok
          ? undefined
          : `kafka.brokerCount must be at least ${Math.ceil((totalPartitions * kafka.replicationFactor) / partitionCap)} to hold ${totalPartitions} partitions at replication ${kafka.replicationFactor} (got ${kafka.brokerCount}): AWS recommends at most ${partitionCap} partition replicas on a ${kafka.brokerInstanceType}`,
      });
    }

    const partitionsNeeded = Math.max(1, Math.ceil(kafkaPeak / partitionRate));
    check(
      {
        hop: 'Kafka mapping partitions',
        unit: 'MB/s',
        average: kafkaAvg / MB,
        peak: kafkaPeak / MB,
        limit: (topic.partitions * partitionRate) / MB,
        basis: `${topic.partitions} partitions × ${fmt(partitionRate / MB)} MB/s at batch ${kafka.consumer.batchSize}`,
        need: `kafka.topics[0].partitions ${partitionsNeeded}`,
      },
      'kafka.topics[0].partitions',
      partitionsNeeded,
      topic.partitions,
      `one batch at a time per partition moves ${fmt(partitionRate / MB)} MB/s at batch ${kafka.consumer.batchSize} (consumer benchmark); or raise kafka.consumer.batchSize (up to ${KAFKA_MAPPING.maxBatchSize})`,
    );
    const pollersNeeded = pollersFor(kafkaPeak, partitionRate);
    const pollerBytesPerSecond = Math.min(KAFKA_MAPPING.pollerBytesPerSecond, KAFKA_MAPPING.pollerConcurrentInvocations * partitionRate);
    const pollers = Math.min(kafka.consumer.maximumPollers, topic.partitions);
    const pollersOk = pollersNeeded <= KAFKA_MAPPING.maxPollers;
    check(
      {
        hop: 'Kafka mapping pollers',
        unit: 'MB/s',
        average: kafkaAvg / MB,
        peak: kafkaPeak / MB,
        limit: (pollers * pollerBytesPerSecond) / MB,
        basis: `min(maximumPollers ${kafka.consumer.maximumPollers}, partitions ${topic.partitions}) × ${fmt(pollerBytesPerSecond / MB)} MB/s (5 MB/s, or 5 invocations of ${fmt(partitionRate / MB)} MB/s)`,
        need: pollersOk
          ? `kafka.consumer.maximumPollers ${pollersNeeded}`
          : `${pollersNeeded} pollers: more than Lambda's ${KAFKA_MAPPING.maxPollers}`,
      },
      kafka.consumer.maximumPollers < pollersNeeded ? 'kafka.consumer.maximumPollers' : 'kafka.topics[0].partitions',
      pollersNeeded,
      kafka.consumer.maximumPollers < pollersNeeded ? kafka.consumer.maximumPollers : topic.partitions,
      `a poller moves up to 5 MB/s in up to ${KAFKA_MAPPING.pollerConcurrentInvocations} invocations at a time, and Lambda holds the pollers to the topic's partitions (and to ${KAFKA_MAPPING.maxPollers})`,
    );
    const lines = kafkaPeak / MEASURED.lineBytes;
    const putsPeak = Math.max(
      lines / kafka.consumer.batchSize,
      Math.min(topic.partitions, lines) / Math.max(1, kafka.consumer.maximumBatchingWindowSeconds),
    );
    const putsAvg = Math.max(
      kafkaAvg / MEASURED.lineBytes / kafka.consumer.batchSize,
      Math.min(topic.partitions, kafkaAvg / MEASURED.lineBytes) / Math.max(1, kafka.consumer.maximumBatchingWindowSeconds),
    );
    const batchNeeded = Math.min(KAFKA_MAPPING.maxBatchSize, Math.ceil(lines / S3_PUTS_PER_SECOND_PER_PREFIX));
    check(
      {
        hop: 'S3 PUTs per prefix (consumer)',
        unit: 'PUT/s',
        average: putsAvg,
        peak: putsPeak,
        limit: S3_PUTS_PER_SECOND_PER_PREFIX,
        basis: 'one object per batch, one raw/source=kafka/dt= prefix a day',
        need:
          putsPeak <= S3_PUTS_PER_SECOND_PER_PREFIX
            ? `kafka.consumer.batchSize ${kafka.consumer.batchSize}`
            : `kafka.consumer.batchSize ${batchNeeded}`,
      },
      'kafka.consumer.batchSize',
      batchNeeded,
      kafka.consumer.batchSize,
      `the consumer writes one object per batch under one prefix a day, and S3 takes 3,500 PUTs a second per prefix`,
    );
  }

  // Lambda concurrency: the transform (Little's law on its time per MiB) and one busy consumer per busy partition.
  const transformAt = (bytes: number) => (bytes / 2 ** 20) * MEASURED.transformSecondsPerMiB;
  const consumerAt = (bytes: number) => bytes / partitionRate;
  const kAvg = perSecond * shares.kinesis;
  check(
    {
      hop: 'Lambda concurrency',
      unit: 'executions',
      average: transformAt(kAvg) + consumerAt(kafkaAvg),
      peak: transformAt(kPeak) + consumerAt(kafkaPeak),
      limit: LAMBDA_CONCURRENT_EXECUTIONS,
      basis: "the account's default quota",
      need: 'a quota increase above 1,000 when it binds',
    },
    "the account's Lambda concurrent executions quota",
    Math.ceil(transformAt(kPeak) + consumerAt(kafkaPeak)),
    LAMBDA_CONCURRENT_EXECUTIONS,
    'request a quota increase (Service Quotas, Lambda "Concurrent executions") before deploying',
  );

  // Glue: every line of both paths is curated; a run covering the peak hour must finish before the next.
  const curatedShare = shares.kinesis + shares.kafka;
  const glueCap = glueCapacityGbPerDay(config.analytics);
  const workersNeeded = Math.max(2, Math.ceil((config.analytics.numberOfWorkers * gbPerDay * curatedShare * peakFactor) / glueCap));
  check(
    {
      hop: 'Glue curation',
      unit: 'GB of lines/day',
      average: gbPerDay * curatedShare,
      peak: gbPerDay * curatedShare * peakFactor,
      limit: glueCap,
      basis: `${runsPerDay(config.analytics.schedule)} runs × ${config.analytics.numberOfWorkers} ${config.analytics.workerType} at ${fmt(MEASURED.glueRowsPerSecondPerDpu)} rows/s a DPU`,
      need:
        workersNeeded <= MAX_GLUE_WORKERS
          ? `analytics.numberOfWorkers ${workersNeeded}`
          : `${workersNeeded} workers: a larger analytics.workerType`,
    },
    'analytics.numberOfWorkers',
    workersNeeded,
    config.analytics.numberOfWorkers,
    `at the Glue benchmark's ${fmt(MEASURED.glueRowsPerSecondPerDpu)} rows/s per DPU a run over the peak hour must end before the next; or a larger analytics.workerType`,
  );

  // Athena: a query over one curated partition (one source, one hour) must stay under the workgroup's cutoff.
  const partitionBytes = (factor: number) =>
    (gbPerDay *
      1e9 *
      Math.max(shares.kinesis, shares.kafka) *
      MEASURED.rawGzipPerLogByte *
      MEASURED.curatedPerRawGzip *
      (CURATED_PARTITION_HOURS / 24) *
      factor) /
    GiB;
  const peakPartition = partitionBytes(CURATED_PARTITION_HOURS < 24 ? peakFactor : 1);
  const cutoffNeeded = Math.ceil(peakPartition);
  check(
    {
      hop: 'Athena query over one partition',
      unit: 'GiB',
      average: partitionBytes(1),
      peak: peakPartition,
      limit: config.analytics.bytesScannedCutoffPerQuery / GiB,
      basis: `analytics.bytesScannedCutoffPerQuery; one source's ${CURATED_PARTITION_HOURS} h of curated Parquet`,
      need: `analytics.bytesScannedCutoffPerQuery ${cutoffNeeded} GiB`,
    },
    'analytics.bytesScannedCutoffPerQuery',
    cutoffNeeded * GiB,
    config.analytics.bytesScannedCutoffPerQuery,
    `an all-column query over one source's ${CURATED_PARTITION_HOURS === 24 ? 'day' : 'peak hour'} of curated data scans ${fmt(peakPartition)} GiB and Athena cancels it at the cutoff`,
  );
  return hops;
}

/** The smallest broker count of `type` (a multiple of the zones) whose sustained ingress takes `bytesPerSecond`. */
function brokersFor(type: string, bytesPerSecond: number, replication: number, zones: number): number | undefined {
  for (let n = Math.max(zones, replication); n <= MAX_BROKERS; n += zones) {
    if (n % zones !== 0) continue;
    if ((mskIngressBytesPerSecond(type, n, replication) ?? 0) >= bytesPerSecond) return n;
  }
  return undefined;
}

/** Adds a problem for every hop that cannot carry the stage's declared volume. */
export function capacityProblems(config: StageConfig, problems: Problems): void {
  if (problems.has('volume.gbPerDay') || problems.has('volume.peakFactor')) return;
  for (const hop of capacityPlan(config)) if (hop.problem !== undefined) problems.add(hop.problem);
}

/**
 * The stage resized to carry `volume`: every setting a hop needs raised, and the stream's shards set to what the
 * volume needs (fewer too: a provisioned stream resizes in place); nothing else lowered (Kafka cannot remove
 * partitions, MSK cannot shrink storage; the rest a user lowers by hand), and what changed. Hops no setting fixes (Lambda's
 * quota, a stream past 500 shards) stay failing in capacityPlan of the result.
 */
export function sizeFor(config: StageConfig, volume: VolumeConfig): { config: StageConfig; changes: string[] } {
  const { gbPerDay, peakFactor } = volume;
  const shares = pathShares(config.host);
  const changes: string[] = [];
  const set = (what: string, from: unknown, to: unknown) => {
    if (from !== to) changes.push(`${what}: ${String(from)} → ${String(to)}`);
  };
  const perSecond = (gbPerDay * 1e9) / 86_400;

  // Stream: provisioned, sized for the peak (the cost model's --compare shows it is the cheaper mode at volume).
  // The one setting sized down as well as up: a provisioned stream's shard count changes in place either way
  // (UpdateShardCount), where partitions and broker storage only grow.
  let stream = config.stream;
  if (shares.kinesis > 0) {
    const { shards } = kinesisSizing(config, volume);
    const onDemandCarries =
      config.stream.capacity.mode === 'on-demand' && perSecond * shares.kinesis * peakFactor <= KINESIS.onDemandWriteBytesPerSecond;
    if (!onDemandCarries) {
      const shardCount = Math.max(shards, 1);
      stream = { ...config.stream, capacity: { mode: 'provisioned', shardCount } };
      set(
        'stream.capacity',
        config.stream.capacity.mode === 'provisioned' ? `${config.stream.capacity.shardCount} shards` : 'on-demand',
        `${shardCount} shards`,
      );
    }
  }

  // Kafka: batch for S3, partitions and pollers for the mapping, then brokers and storage.
  let kafka = config.kafka;
  if (shares.kafka > 0 && kafka.topics.length > 0) {
    const kafkaPeak = perSecond * shares.kafka * peakFactor;
    const lines = kafkaPeak / MEASURED.lineBytes;
    // The configured batch while it needs no more partitions and S3 takes its objects; else the mapping's
    // largest, which needs the fewest partitions, pollers and objects.
    const keepBatch =
      kafkaPeak <= kafka.topics[0].partitions * partitionBytesPerSecond(kafka.consumer.batchSize, config.realtime.enabled) &&
      lines / kafka.consumer.batchSize <= S3_PUTS_PER_SECOND_PER_PREFIX;
    const batchSize = keepBatch ? kafka.consumer.batchSize : KAFKA_MAPPING.maxBatchSize;
    const rate = partitionBytesPerSecond(batchSize, config.realtime.enabled);
    const partitions = Math.max(kafka.topics[0].partitions, Math.ceil(kafkaPeak / rate));
    const maximumPollers = Math.max(kafka.consumer.maximumPollers, Math.min(KAFKA_MAPPING.maxPollers, pollersFor(kafkaPeak, rate)));
    const zones = config.network.availabilityZones;
    const rf = kafka.replicationFactor;
    // The records topic keeps a partition per log partition (the consumer publishes to the same number).
    const grown = (t: StageConfig['kafka']['topics'][number], i: number) =>
      i === 0 || (config.realtime.enabled && t.name === REALTIME_TOPICS.records) ? Math.max(t.partitions, partitions) : t.partitions;
    const totalPartitions = kafka.topics.reduce((s, t, i) => s + grown(t, i), 0);
    const loads = topicLoads(config);
    const storedGiB =
      (gbPerDay * 1e9 * shares.kafka * keptDaysPerLogByte(loads) * rf) / (config.monitoring.thresholds.kafkaDiskUsedPercent / 100) / GiB;
    // The smallest type on the ladder (from the configured one) and count that takes the throughput, the storage and the partitions.
    const ladder = BROKER_LADDER.slice(Math.max(0, BROKER_LADDER.indexOf(kafka.brokerInstanceType as (typeof BROKER_LADDER)[number])));
    let brokerInstanceType = kafka.brokerInstanceType;
    let brokerCount = kafka.brokerCount;
    let ebsVolumeGiB = kafka.ebsVolumeGiB;
    search: for (const type of ladder) {
      for (let n = type === kafka.brokerInstanceType ? kafka.brokerCount : Math.max(zones, rf); n <= MAX_BROKERS; n += zones) {
        if (n % zones !== 0) continue;
        const fitsThroughput = (mskIngressBytesPerSecond(type, n, rf) ?? 0) >= kafkaPeak * writtenPerLogByte(loads);
        const fitsStorage = storedGiB / n <= MSK.maxVolumeGiB;
        const fitsPartitions = (totalPartitions * rf) / n <= BROKER_LIMITS[type].partitions;
        if (fitsThroughput && fitsStorage && fitsPartitions) {
          brokerInstanceType = type;
          brokerCount = n;
          // MSK storage never shrinks, whatever the brokers become.
          ebsVolumeGiB = Math.max(kafka.ebsVolumeGiB, Math.ceil(storedGiB / n));
          break search;
        }
      }
    }
    set('kafka.brokerInstanceType', kafka.brokerInstanceType, brokerInstanceType);
    set('kafka.brokerCount', kafka.brokerCount, brokerCount);
    set('kafka.ebsVolumeGiB', kafka.ebsVolumeGiB, ebsVolumeGiB);
    kafka.topics.forEach((t, i) => set(`kafka.topics[${i}].partitions`, t.partitions, grown(t, i)));
    set('kafka.consumer.batchSize', kafka.consumer.batchSize, batchSize);
    set('kafka.consumer.maximumPollers', kafka.consumer.maximumPollers, maximumPollers);
    kafka = {
      ...kafka,
      brokerInstanceType,
      brokerCount,
      ebsVolumeGiB,
      topics: kafka.topics.map((t, i) => ({ ...t, partitions: grown(t, i) })),
      consumer: { ...kafka.consumer, batchSize, maximumPollers },
    };
  }

  // Glue workers (then a larger worker type past the cap), Athena's cutoff.
  let analytics = config.analytics;
  const needLines = gbPerDay * (shares.kinesis + shares.kafka) * peakFactor;
  const perWorker = glueCapacityGbPerDay(config.analytics) / config.analytics.numberOfWorkers;
  let workerType = analytics.workerType;
  let workers = Math.max(analytics.numberOfWorkers, Math.ceil(needLines / perWorker));
  for (const type of ['G.2X', 'G.4X', 'G.8X'] as const) {
    if (workers <= MAX_GLUE_WORKERS) break;
    const factor = GLUE_DPU_PER_WORKER[type] / GLUE_DPU_PER_WORKER[analytics.workerType];
    workerType = type;
    workers = Math.ceil(needLines / (perWorker * factor));
  }
  const athena = capacityPlan({ ...config, stream, kafka }, volume).find((h) => h.hop === 'Athena query over one partition');
  // Whole 64 GiB steps above the partition: the cutoff guards against runaway queries, not the partition itself.
  const cutoff = athena === undefined || athena.ok ? analytics.bytesScannedCutoffPerQuery : Math.ceil(athena.peak / 64) * 64 * GiB;
  set('analytics.workerType', analytics.workerType, workerType);
  set('analytics.numberOfWorkers', analytics.numberOfWorkers, workers);
  set('analytics.bytesScannedCutoffPerQuery', `${analytics.bytesScannedCutoffPerQuery / GiB} GiB`, `${cutoff / GiB} GiB`);
  analytics = {
    ...analytics,
    workerType,
    numberOfWorkers: workers,
    // Flex runs G.1X and G.2X only.
    executionClass: analytics.executionClass === 'FLEX' && !['G.1X', 'G.2X'].includes(workerType) ? 'STANDARD' : analytics.executionClass,
    bytesScannedCutoffPerQuery: cutoff,
  };
  return { config: { ...config, volume, stream, kafka, analytics }, changes };
}
