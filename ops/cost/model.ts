/**
 * Monthly cost of one stage for a given log volume, from the stage config and the price table. Pure: no
 * AWS calls. Every line says what it multiplies, so a reader can redo it by hand (the tests do, for one
 * stage). Volume-driven figures rest on the measurements in docs/benchmarks.md; the
 * assumptions that are not measured are named in ASSUMPTIONS and printed with the table.
 */
import { GLUE_RUN_METRICS } from '../../contracts/glue-run-metrics';
import { KINESIS } from '../../lib/capacity/limits';
import {
  consumerLineSeconds,
  CURATED_PARTITION_HOURS,
  GLUE_DPU_PER_WORKER,
  glueCapacityGbPerDay as glueCapacityOf,
  pathShares as pathSharesOf,
  runsPerDay,
  shardsNeeded as shardsNeededAt,
} from '../../lib/capacity/plan';
import { MEASURED } from '../../lib/capacity/rates';
import type { StageConfig } from '../../lib/config';
import { KINESIS_AGGREGATED_RECORD_MAX_BYTES } from '../../lib/constructs/log-host/agent-config';
import { demoFiles } from '../../lib/constructs/log-host/boot-script';
import { destinationsOf, type ShipDestination } from '../../lib/constructs/log-host/host-config';
import { kpusFor } from '../../lib/constructs/realtime/realtime-config';
import { CONSUMER_MEMORY_MB } from '../../lib/constructs/kafka/kafka-config';
import { REALTIME_ROWS_MAPPING } from '../../lib/constructs/realtime/realtime-rows';
import { PRICES, type PriceId } from './prices';

/** Hours and days in the average month. */
export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/** What the model assumes where the stage config and the measurements say nothing. */
export const ASSUMPTIONS = {
  /** Average log line, bytes (the benchmark corpus: 154 B). */
  lineBytes: MEASURED.lineBytes,
  /**
   * Busiest hour's rate over the day's average: a provisioned stream is sized for it (log traffic follows the
   * working day; the agent's filesystem buffer rides out what is above it, retrying throttled PutRecords).
   */
  peakToAverage: 3,
  /** Raw lake objects (GZIP JSON lines) per byte of log text: 176.5 MB for 3.74 M lines of 154 B in the Glue benchmark. */
  rawGzipPerLogByte: MEASURED.rawGzipPerLogByte,
  /** Curated zstd Parquet per raw GZIP byte (Glue benchmark: 85%). */
  curatedPerRawGzip: MEASURED.curatedPerRawGzip,
  /** Backup of source records (GZIP of the lines themselves) per log byte. */
  backupGzipPerLogByte: 0.15,
  /** Transform time per MiB batch at 1024 MB (benchmark: 55–58 ms). */
  transformSecondsPerMiB: MEASURED.transformSecondsPerMiB,
  /** Glue rows per second per DPU (benchmark: 48,600 rows/s on 2 cores; a DPU is 4 vCPU). */
  glueRowsPerSecondPerDpu: MEASURED.glueRowsPerSecondPerDpu,
  /** Spark start-up and catalog work billed per Glue run, minutes (Glue bills at least 1 minute). */
  glueRunOverheadMinutes: MEASURED.glueRunOverheadMinutes,
  /** With auto scaling, raw GZIP GB a run gives each worker (Glue scales with the input's parallelism). */
  glueRawGbPerAutoScaledWorker: 0.5,
  /** Athena queries a day, each scanning one source's hour of curated data (the saved queries' window). */
  athenaQueriesPerDay: 20,
  /** VPC flow logs, GB a day (a quiet VPC; grows with traffic through NAT/endpoints). */
  flowLogGbPerDay: 0.05,
  /** Log bytes each Lambda invocation writes (one structured summary line, plus the platform lines). */
  lambdaLogBytesPerInvocation: 1500,
  /** KMS requests a month (data keys are cached by the stream, S3 bucket keys and Logs). */
  kmsRequestsPerMonth: 100_000,
} as const;

/**
 * What AWS bills per record, not per byte (the rules the tests pin with AWS's own examples):
 * - Kinesis Data Streams on-demand, "Data-In … the number of data records you send to the service, multiplied
 *   by the size of each record rounded up to the nearest 1 KB (1,024 bytes)"; provisioned, "a PUT Payload Unit
 *   is counted in 25KB payload 'chunks' that comprise a record" — Amazon Kinesis Data Streams pricing,
 *   https://aws.amazon.com/kinesis/data-streams/pricing/
 * - Firehose, ingestion "in 5 KB increments (a 3 KB record is billed as 5 KB)", per record and not per API call,
 *   for Direct PUT and Kinesis Data Streams as a source — Amazon Data Firehose pricing,
 *   https://aws.amazon.com/firehose/pricing/
 */
export const BILLING_UNITS = {
  kinesisOnDemandRecordBytes: 1024,
  kinesisPutPayloadUnitBytes: 25 * 1024,
  firehoseRecordBytes: 5 * 1024,
} as const;

/** A record's size as billed: rounded up to whole `unit`s. */
export function billedRecordBytes(recordBytes: number, unit: number): number {
  return Math.ceil(recordBytes / unit) * unit;
}

/** PUT payload units of one record on a provisioned stream. */
export function putPayloadUnits(recordBytes: number): number {
  return Math.ceil(recordBytes / BILLING_UNITS.kinesisPutPayloadUnitBytes);
}

/** Provisioned shard: 1 MB/s and 1,000 records/s in (lib/capacity/limits.ts cites the page). */
export const SHARD_WRITE_BYTES_PER_SECOND = KINESIS.shardWriteBytesPerSecond;
export const SHARD_WRITE_RECORDS_PER_SECOND = KINESIS.shardWriteRecordsPerSecond;
export { runsPerDay };

/** The files the host ships: its own, plus the demo generator's one per format when it runs. */
export function shippedFiles(config: StageConfig): { readonly path: string; readonly destinations: readonly ShipDestination[] }[] {
  const files = [...config.host.logFiles, ...(config.host.demoGenerator.enabled ? demoFiles() : [])];
  return files.map((file) => ({ path: file.path, destinations: destinationsOf(file) }));
}

/** Share of the day's log volume each path carries (0–1): lib/capacity/plan.ts pathShares, for the stage. */
export function pathShares(config: StageConfig): { readonly kinesis: number; readonly kafka: number; readonly kinesisFiles: number } {
  return pathSharesOf(config.host);
}

/** The average Kinesis record the agent sends, and how it is made. */
export interface RecordSizing {
  readonly recordBytes: number;
  readonly linesPerRecord: number;
  /** How the size follows from the config, for the report. */
  readonly basis: string;
}

/**
 * The agent's average Kinesis record at `kinesisGbPerDay`: Fluent Bit's `simple_aggregation` packs each
 * flush's lines of one file (tag) into records of up to KINESIS_AGGREGATED_RECORD_MAX_BYTES, so a record holds
 * one flush interval of one file, split evenly when that passes the limit; never less than one line.
 * `recordBytes` overrides it (e.g. 154 for one line per record, as before packing).
 */
export function recordSizing(config: StageConfig, kinesisGbPerDay: number, recordBytes?: number): RecordSizing {
  const line = ASSUMPTIONS.lineBytes;
  if (recordBytes !== undefined) {
    return { recordBytes, linesPerRecord: recordBytes / line, basis: `${num(recordBytes)} B a record as given` };
  }
  const files = Math.max(1, pathShares(config).kinesisFiles);
  const flush = config.host.agent.flushSeconds;
  const perFlush = (((kinesisGbPerDay * 1e9) / 86_400) * flush) / files;
  const records = Math.max(1, Math.ceil(perFlush / KINESIS_AGGREGATED_RECORD_MAX_BYTES));
  const bytes = Math.max(line, perFlush / records);
  return {
    recordBytes: bytes,
    linesPerRecord: bytes / line,
    basis: `${num(kinesisGbPerDay)} GB/day over ${files} file${files === 1 ? '' : 's'}, flushed every ${flush} s, packed up to ${num(KINESIS_AGGREGATED_RECORD_MAX_BYTES)} B a record`,
  };
}

/** Shards a provisioned stream needs for `kinesisGbPerDay` at the assumed peak, records of `recordBytes`. */
export function shardsNeeded(kinesisGbPerDay: number, recordBytes: number, peakFactor: number = ASSUMPTIONS.peakToAverage): number {
  return shardsNeededAt(kinesisGbPerDay, recordBytes, peakFactor);
}

/** The Kafka path's sizing, from the stage config's kafka settings. */
export interface KafkaSizing {
  readonly brokers: number;
  readonly brokerHourPrice: 'mskT3SmallBrokerHour' | 'mskM7gLargeBrokerHour';
  readonly volumeGiBPerBroker: number;
  /** Provisioned-mode minimum pollers of the event source mapping. */
  readonly minimumPollers: number;
  /** Records (lines) per consumer invocation at most, and the seconds the mapping gathers them. */
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  /**
   * Share of the day's volume the Kafka path carries (0–1; see pathShares). MSK has no per-GB charge: the
   * share is counted on the consumer's lines (its Lambda time and requests, its S3 objects).
   */
  readonly shareOfVolume: number;
}

const BROKER_PRICES: Readonly<Record<string, KafkaSizing['brokerHourPrice']>> = {
  'kafka.t3.small': 'mskT3SmallBrokerHour',
  'kafka.m7g.large': 'mskM7gLargeBrokerHour',
};

/** The stage's Kafka sizing; a broker type without a price in ops/cost/prices.ts is an error naming it. */
export function kafkaSizingOf(config: StageConfig): KafkaSizing {
  const { kafka } = config;
  const brokerHourPrice = BROKER_PRICES[kafka.brokerInstanceType];
  if (brokerHourPrice === undefined) {
    throw new Error(
      `no broker-hour price for ${kafka.brokerInstanceType} in ops/cost/prices.ts (priced: ${Object.keys(BROKER_PRICES).join(', ')})`,
    );
  }
  return {
    brokers: kafka.brokerCount,
    brokerHourPrice,
    volumeGiBPerBroker: kafka.ebsVolumeGiB,
    minimumPollers: kafka.consumer.minimumPollers,
    batchSize: kafka.consumer.batchSize,
    batchingWindowSeconds: kafka.consumer.maximumBatchingWindowSeconds,
    shareOfVolume: kafka.brokerCount > 0 ? pathShares(config).kafka : 0,
  };
}

export interface LineItem {
  readonly service: string;
  readonly item: string;
  /** How the figure is made, e.g. `730 h × $0.04`. */
  readonly basis: string;
  readonly usd: number;
}

export interface Estimate {
  readonly stage: string;
  readonly gbPerDay: number;
  readonly items: readonly LineItem[];
  readonly totalUsd: number;
  /** The Kinesis record the estimate bills, and what each service counts it as. */
  readonly record: RecordSizing & {
    readonly kinesisOnDemandBilledBytes: number;
    readonly putPayloadUnits: number;
    readonly firehoseBilledBytes: number;
  };
  /** Shards a provisioned stream needs at this volume (whatever the configured mode). */
  readonly shardsNeeded: number;
  /** Log GB landed in the lake a month (the day's volume once, whichever paths carry it). */
  readonly gbDeliveredPerMonth: number;
}

export interface EstimateOptions {
  /** Month of operation (storage grows until lifecycle rules expire it). @default 12 */
  readonly month?: number;
  /** @default kafkaSizingOf(config) */
  readonly kafka?: KafkaSizing;
  /** Average Kinesis record in bytes. @default recordSizing(config, …): what the agent packs */
  readonly recordBytes?: number;
}

/** "For each KPU allocated, 50 GB of running application storage is also provided" (and billed): how-scaling.html. */
export const FLINK_RUNNING_STORAGE_GB_PER_KPU = 50;

/** EC2 instance-hour prices the table has. */
const INSTANCE_PRICES: Readonly<Record<string, PriceId>> = { 't4g.micro': 'ec2T4gMicroHour', 't4g.small': 'ec2T4gSmallHour' };

/** A unit price as the table has it (no rounding: $0.0168, not $0.02). */
const usd = (n: number) => `$${Number(n.toPrecision(6))}`;
const num = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));

/** GB-months in a storage class holding data aged [from, to) days, after `ageDays` days of steady volume. */
function gbMonthsInWindow(gbPerDay: number, ageDays: number, from: number, to: number | undefined): number {
  const end = Math.min(ageDays, to ?? Infinity);
  return Math.max(0, end - from) * gbPerDay;
}

/**
 * The estimate for one stage at `gbPerDay` GB of log text a day, in month `month` of operation (storage
 * grows until the lifecycle rules expire data; prod's raw data never expires).
 */
export function estimate(config: StageConfig, gbPerDay: number, options: EstimateOptions = {}): Estimate {
  if (!(gbPerDay > 0 && Number.isFinite(gbPerDay))) throw new Error(`--gb-per-day must be a positive number (got ${gbPerDay})`);
  const month = options.month ?? 12;
  const kafka = options.kafka ?? kafkaSizingOf(config);
  const items: LineItem[] = [];
  const add = (service: string, item: string, basis: string, amount: number) => items.push({ service, item, basis, usd: amount });
  const gbMonth = gbPerDay * DAYS_PER_MONTH;
  const kinesisGbPerDay = gbPerDay * pathShares(config).kinesis;
  const kinesisGbMonth = kinesisGbPerDay * DAYS_PER_MONTH;
  const kafkaGbMonth = gbMonth * kafka.shareOfVolume;

  // What the agent sends: records per month and their billed sizes.
  const sizing = recordSizing(config, kinesisGbPerDay, options.recordBytes);
  const records = (kinesisGbMonth * 1e9) / sizing.recordBytes;
  const record = {
    ...sizing,
    kinesisOnDemandBilledBytes: billedRecordBytes(sizing.recordBytes, BILLING_UNITS.kinesisOnDemandRecordBytes),
    putPayloadUnits: putPayloadUnits(sizing.recordBytes),
    firehoseBilledBytes: billedRecordBytes(sizing.recordBytes, BILLING_UNITS.firehoseRecordBytes),
  };
  const recordsText = `${num(Math.round(records / 1e3) / 1e3)} M records`;

  // Kinesis Data Streams.
  const { capacity, retentionHours } = config.stream;
  if (kinesisGbMonth > 0 && capacity.mode === 'on-demand') {
    const writtenGb = (records * record.kinesisOnDemandBilledBytes) / 1e9;
    add(
      'Kinesis',
      'stream-hours',
      `${HOURS_PER_MONTH} h × ${usd(PRICES.kinesisOnDemandStreamHour.usd)}`,
      HOURS_PER_MONTH * PRICES.kinesisOnDemandStreamHour.usd,
    );
    add(
      'Kinesis',
      'data written (each record rounded up to 1 KB)',
      `${recordsText} × ${num(record.kinesisOnDemandBilledBytes / 1024)} KB = ${num(writtenGb)} GB × ${usd(PRICES.kinesisOnDemandIngestGb.usd)}`,
      writtenGb * PRICES.kinesisOnDemandIngestGb.usd,
    );
    add(
      'Kinesis',
      'data read by Firehose',
      `${num(kinesisGbMonth)} GB × ${usd(PRICES.kinesisOnDemandRetrievalGb.usd)}`,
      kinesisGbMonth * PRICES.kinesisOnDemandRetrievalGb.usd,
    );
    if (retentionHours > 24) {
      const kept = kinesisGbPerDay * ((retentionHours - 24) / 24);
      add(
        'Kinesis',
        `retention ${retentionHours} h`,
        `${num(kept)} GB kept beyond 24 h × ${usd(PRICES.kinesisOnDemandExtendedRetentionGbMonth.usd)}`,
        kept * PRICES.kinesisOnDemandExtendedRetentionGbMonth.usd,
      );
    }
  } else if (kinesisGbMonth > 0 && capacity.mode === 'provisioned') {
    const shards = capacity.shardCount;
    add(
      'Kinesis',
      `shard-hours (${shards} provisioned)`,
      `${shards} × ${HOURS_PER_MONTH} h × ${usd(PRICES.kinesisShardHour.usd)}`,
      shards * HOURS_PER_MONTH * PRICES.kinesisShardHour.usd,
    );
    const units = (records * record.putPayloadUnits) / 1e6;
    add(
      'Kinesis',
      'PUT payload units (25 KB each, per record)',
      `${recordsText} × ${record.putPayloadUnits} = ${num(units)} M × ${usd(PRICES.kinesisPutPayloadUnitsMillion.usd)}`,
      units * PRICES.kinesisPutPayloadUnitsMillion.usd,
    );
    if (retentionHours > 24) {
      add(
        'Kinesis',
        `retention ${retentionHours} h`,
        `${shards} × ${HOURS_PER_MONTH} h × ${usd(PRICES.kinesisExtendedRetentionShardHour.usd)}`,
        shards * HOURS_PER_MONTH * PRICES.kinesisExtendedRetentionShardHour.usd,
      );
    }
  }

  // Firehose: ingestion billed per record in 5 KB steps, a Kinesis source included.
  const firehoseGb = (records * record.firehoseBilledBytes) / 1e9;
  if (kinesisGbMonth > 0) {
    add(
      'Firehose',
      'data ingested (each record rounded up to 5 KB)',
      `${recordsText} × ${num(record.firehoseBilledBytes / 1024)} KB = ${num(firehoseGb)} GB × ${usd(PRICES.firehoseIngestGb.usd)}`,
      firehoseGb * PRICES.firehoseIngestGb.usd,
    );
  }

  // Lambda: the transform gets one processor buffer per invocation (at least one record); the consumer a
  // batch of lines, or what arrived in its batching window.
  const batchMiB = Math.max(config.delivery.processorBufferSizeMiB, sizing.recordBytes / 2 ** 20);
  const transformInvocations = (kinesisGbMonth * 1e9) / (batchMiB * 2 ** 20);
  const kafkaLines = (kafkaGbMonth * 1e9) / ASSUMPTIONS.lineBytes;
  const consumerInvocations =
    kafkaLines === 0
      ? 0
      : Math.min(kafkaLines, Math.max(kafkaLines / kafka.batchSize, (HOURS_PER_MONTH * 3600) / Math.max(1, kafka.batchingWindowSeconds)));
  const transformGbSeconds = ((kinesisGbMonth * 1e9) / 2 ** 20) * ASSUMPTIONS.transformSecondsPerMiB; // at 1024 MB = 1 GB
  // The consumer's own rate (lib/capacity/plan.ts: the benchmark at its share of a vCPU, with the publish where
  // realtime is on) plus each invocation's overhead, billed at its memory.
  const consumerGbSeconds =
    (kafkaLines * consumerLineSeconds(config.realtime.enabled) + consumerInvocations * MEASURED.consumerInvocationOverheadSeconds) *
    (CONSUMER_MEMORY_MB / 1024);
  add(
    'Lambda',
    'transform duration',
    `${num(Math.round(transformGbSeconds))} GB-s × ${usd(PRICES.lambdaArmGbSecond.usd)}`,
    transformGbSeconds * PRICES.lambdaArmGbSecond.usd,
  );
  add(
    'Lambda',
    'transform requests',
    `${num(Math.round(transformInvocations))} × ${usd(PRICES.lambdaRequestsMillion.usd)}/M`,
    (transformInvocations / 1e6) * PRICES.lambdaRequestsMillion.usd,
  );
  if (kafkaGbMonth > 0) {
    add(
      'Lambda',
      `consumer duration (Kafka path: ${num(kafkaGbMonth)} GB)`,
      `${num(Math.round(consumerGbSeconds))} GB-s × ${usd(PRICES.lambdaArmGbSecond.usd)}`,
      consumerGbSeconds * PRICES.lambdaArmGbSecond.usd,
    );
    add(
      'Lambda',
      'consumer requests',
      `${num(Math.round(consumerInvocations))} × ${usd(PRICES.lambdaRequestsMillion.usd)}/M`,
      (consumerInvocations / 1e6) * PRICES.lambdaRequestsMillion.usd,
    );
  }
  const invocations = transformInvocations + consumerInvocations;

  // The log host.
  const hostPrice = INSTANCE_PRICES[config.host.instanceType];
  if (hostPrice === undefined)
    throw new Error(
      `the price table has no price for ${config.host.instanceType}; add it to ops/cost/prices.ts (priced: ${Object.keys(INSTANCE_PRICES).join(', ')})`,
    );
  add(
    'EC2',
    `${config.host.instanceType} host`,
    `${HOURS_PER_MONTH} h × ${usd(PRICES[hostPrice].usd)}`,
    HOURS_PER_MONTH * PRICES[hostPrice].usd,
  );
  add(
    'EBS',
    `gp3 root ${config.host.rootVolumeGiB} GiB`,
    `${config.host.rootVolumeGiB} GB × ${usd(PRICES.ebsGp3GbMonth.usd)}`,
    config.host.rootVolumeGiB * PRICES.ebsGp3GbMonth.usd,
  );
  if (config.host.subnet === 'public') {
    add(
      'VPC',
      'public IPv4 of the host',
      `${HOURS_PER_MONTH} h × ${usd(PRICES.publicIpv4Hour.usd)}`,
      HOURS_PER_MONTH * PRICES.publicIpv4Hour.usd,
    );
  }

  // Private egress (lib/constructs/network/network-config.ts).
  const azs = config.network.availabilityZones;
  if (config.network.privateEgress === 'nat-gateway') {
    add('VPC', 'NAT gateway', `${HOURS_PER_MONTH} h × ${usd(PRICES.natGatewayHour.usd)}`, HOURS_PER_MONTH * PRICES.natGatewayHour.usd);
    // A private host sends every line to Kinesis through the NAT gateway.
    const natGb = config.host.subnet === 'private-with-nat' ? kinesisGbMonth : 0;
    add('VPC', 'NAT data processed', `${num(natGb)} GB × ${usd(PRICES.natGatewayGb.usd)}`, natGb * PRICES.natGatewayGb.usd);
  } else if (config.network.privateEgress === 'interface-endpoints') {
    const endpoints = 2; // Lambda and STS (PRIVATE_INTERFACE_ENDPOINTS)
    add(
      'VPC',
      'interface endpoints',
      `${endpoints} × ${azs} AZ × ${HOURS_PER_MONTH} h × ${usd(PRICES.interfaceEndpointHour.usd)}`,
      endpoints * azs * HOURS_PER_MONTH * PRICES.interfaceEndpointHour.usd,
    );
  }

  // KMS.
  add('KMS', 'data key', `1 × ${usd(PRICES.kmsKeyMonth.usd)}`, PRICES.kmsKeyMonth.usd);
  add(
    'KMS',
    'requests',
    `${num(ASSUMPTIONS.kmsRequestsPerMonth)} × ${usd(PRICES.kmsRequests10k.usd)}/10k`,
    (ASSUMPTIONS.kmsRequestsPerMonth / 1e4) * PRICES.kmsRequests10k.usd,
  );

  // S3 by storage class, in month `month` of operation.
  const age = month * DAYS_PER_MONTH - DAYS_PER_MONTH / 2; // the month's mid-point
  const lake = config.lake;
  // Each path lands its own copy of the files it ships (a file shipped to both lands twice, on purpose: docs/guarantees.md).
  const landedShare = pathShares(config).kinesis + kafka.shareOfVolume;
  const rawPerDay = gbPerDay * landedShare * ASSUMPTIONS.rawGzipPerLogByte;
  const curatedPerDay = rawPerDay * ASSUMPTIONS.curatedPerRawGzip;
  // Firehose backs up the Kinesis path's source records; backup/ tiers like raw/ (lib/constructs/lake/lake.ts).
  const backupPerDay = config.delivery.backupSourceRecords ? kinesisGbPerDay * ASSUMPTIONS.backupGzipPerLogByte : 0;
  const rawLike = rawPerDay + backupPerDay;
  const rawIa = Math.min(lake.rawInfrequentAccessAfterDays, lake.rawExpireAfterDays ?? Infinity);
  const curatedIa = Math.min(lake.curatedInfrequentAccessAfterDays, lake.curatedExpireAfterDays ?? Infinity);
  const standard = gbMonthsInWindow(rawLike, age, 0, rawIa) + gbMonthsInWindow(curatedPerDay, age, 0, curatedIa);
  const ia =
    gbMonthsInWindow(
      rawLike,
      age,
      lake.rawInfrequentAccessAfterDays,
      Math.min(lake.rawGlacierAfterDays, lake.rawExpireAfterDays ?? Infinity),
    ) + gbMonthsInWindow(curatedPerDay, age, lake.curatedInfrequentAccessAfterDays, lake.curatedExpireAfterDays);
  const gir = gbMonthsInWindow(rawLike, age, lake.rawGlacierAfterDays, lake.rawExpireAfterDays);
  const backup = config.delivery.backupSourceRecords ? ', backup' : '';
  add(
    'S3',
    `Standard (raw${backup} < ${lake.rawInfrequentAccessAfterDays} d, curated < ${lake.curatedInfrequentAccessAfterDays} d), month ${month}`,
    `${num(standard)} GB × ${usd(PRICES.s3StandardGbMonth.usd)}`,
    standard * PRICES.s3StandardGbMonth.usd,
  );
  add(
    'S3',
    `Standard-IA (raw${backup} ${lake.rawInfrequentAccessAfterDays}–${lake.rawGlacierAfterDays} d, curated ≥ ${lake.curatedInfrequentAccessAfterDays} d${lake.curatedExpireAfterDays ? `, expired at ${lake.curatedExpireAfterDays} d` : ''}), month ${month}`,
    `${num(ia)} GB × ${usd(PRICES.s3StandardIaGbMonth.usd)}`,
    ia * PRICES.s3StandardIaGbMonth.usd,
  );
  add(
    'S3',
    `Glacier IR (raw${backup} ≥ ${lake.rawGlacierAfterDays} d${lake.rawExpireAfterDays ? `, expired at ${lake.rawExpireAfterDays} d` : ''}), month ${month}`,
    `${num(gir)} GB × ${usd(PRICES.s3GlacierIrGbMonth.usd)}`,
    gir * PRICES.s3GlacierIrGbMonth.usd,
  );
  const runs = runsPerDay(config.analytics.schedule) * DAYS_PER_MONTH;
  const firehoseObjects = (HOURS_PER_MONTH * 3600) / config.delivery.bufferIntervalSeconds;
  // Firehose objects (and their backups), the consumer's one object per batch, a run's few per partition.
  const puts = firehoseObjects * (config.delivery.backupSourceRecords ? 2 : 1) + consumerInvocations + runs * 20;
  add('S3', 'PUT requests', `${num(Math.round(puts))} × ${usd(PRICES.s3PutRequests1k.usd)}/1k`, (puts / 1000) * PRICES.s3PutRequests1k.usd);

  // Glue: every run bills its workers for overhead plus processing, at least a minute.
  const { dpus, runMinutes } = glueRun(config, gbPerDay * landedShare);
  const dpuHours = runs * dpus * (runMinutes / 60);
  const gluePrice = config.analytics.executionClass === 'FLEX' ? PRICES.glueFlexDpuHour : PRICES.glueDpuHour;
  const maxDpus = config.analytics.numberOfWorkers * GLUE_DPU_PER_WORKER[config.analytics.workerType];
  const glueSizing = config.analytics.autoScaling ? `auto scaled to ${dpus} of ${maxDpus}` : `${dpus}`;
  add(
    'Glue',
    `${num(Math.round(runs))} runs × ${glueSizing} DPU × ${num(runMinutes)} min (${config.analytics.executionClass})`,
    `${num(dpuHours)} DPU-h × ${usd(gluePrice.usd)}`,
    dpuHours * gluePrice.usd,
  );

  // Athena.
  // Athena bills at least 10 MB a query (0.01 GB).
  const hourShare = CURATED_PARTITION_HOURS / 24;
  const scannedTb =
    (ASSUMPTIONS.athenaQueriesPerDay *
      DAYS_PER_MONTH *
      Math.max(0.01, gbPerDay * hourShare * ASSUMPTIONS.rawGzipPerLogByte * ASSUMPTIONS.curatedPerRawGzip)) /
    1000;
  add(
    'Athena',
    `${ASSUMPTIONS.athenaQueriesPerDay} queries/day, each over one source's ${CURATED_PARTITION_HOURS === 1 ? 'hour' : `${CURATED_PARTITION_HOURS} h`} of curated data`,
    `${num(scannedTb)} TB × ${usd(PRICES.athenaTbScanned.usd)}`,
    scannedTb * PRICES.athenaTbScanned.usd,
  );

  // MSK and the event source mapping.
  if (kafka.brokers > 0) {
    const brokerPrice = PRICES[kafka.brokerHourPrice];
    add(
      'MSK',
      `${kafka.brokers} brokers (${brokerPrice.unit.replace('broker-hour ', '')})`,
      `${kafka.brokers} × ${HOURS_PER_MONTH} h × ${usd(brokerPrice.usd)}`,
      kafka.brokers * HOURS_PER_MONTH * brokerPrice.usd,
    );
    add(
      'MSK',
      'broker storage',
      `${kafka.brokers} × ${kafka.volumeGiBPerBroker} GB × ${usd(PRICES.mskStorageGbMonth.usd)}`,
      kafka.brokers * kafka.volumeGiBPerBroker * PRICES.mskStorageGbMonth.usd,
    );
    add(
      'Lambda',
      'provisioned pollers of the Kafka mapping',
      `${kafka.minimumPollers} × ${HOURS_PER_MONTH} h × ${usd(PRICES.lambdaKafkaProvisionedPollerHour.usd)}`,
      kafka.minimumPollers * HOURS_PER_MONTH * PRICES.lambdaKafkaProvisionedPollerHour.usd,
    );
  }

  // The stream analytics application: its KPUs at the parallelism's floor, plus "a single additional KPU per
  // application, used for orchestration", and running application storage ("Per second billing in Managed Service
  // for Apache Flink", https://docs.aws.amazon.com/managed-flink/latest/java/how-pricing.html; 50 GB per KPU,
  // "Implement application scaling", https://docs.aws.amazon.com/managed-flink/latest/java/how-scaling.html).
  // Snapshots (durable backups) are billed per GB-month of state: the job's state is one minute of windows, not priced.
  if (config.realtime.enabled) {
    const kpus = kpusFor(config.realtime.parallelism, config.realtime.parallelismPerKpu);
    const scaling = config.realtime.autoScaling ? `, scales up to ${config.realtime.maxKpus}` : '';
    add(
      'Managed Flink',
      `${kpus} KPU${kpus === 1 ? '' : 's'} + 1 orchestration KPU${scaling}`,
      `${kpus + 1} × ${HOURS_PER_MONTH} h × ${usd(PRICES.flinkKpuHour.usd)}`,
      (kpus + 1) * HOURS_PER_MONTH * PRICES.flinkKpuHour.usd,
    );
    const storageGb = kpus * FLINK_RUNNING_STORAGE_GB_PER_KPU;
    add(
      'Managed Flink',
      'running application storage',
      `${storageGb} GB × ${usd(PRICES.flinkRunningStorageGbMonth.usd)}`,
      storageGb * PRICES.flinkRunningStorageGbMonth.usd,
    );
    // The rows' mapping (lib/constructs/realtime/realtime-rows.ts) is provisioned too: its pollers bill around the clock.
    const rowsPollers = REALTIME_ROWS_MAPPING.minimumPollers;
    add(
      'Lambda',
      'provisioned poller of the rows mapping',
      `${rowsPollers} × ${HOURS_PER_MONTH} h × ${usd(PRICES.lambdaKafkaProvisionedPollerHour.usd)}`,
      rowsPollers * HOURS_PER_MONTH * PRICES.lambdaKafkaProvisionedPollerHour.usd,
    );
  }

  // CloudWatch: the dashboard, alarm metrics, custom metrics, logs.
  // ProcessingFailed share and Glue quarantine share read 2 metrics each; so does the on-failure alarm (sent + dropped).
  const alarmMetrics = 10 + (kafka.brokers > 0 ? 2 * kafka.brokers + 4 : 0);
  add('CloudWatch', 'dashboard', `1 × ${usd(PRICES.cloudwatchDashboardMonth.usd)}`, PRICES.cloudwatchDashboardMonth.usd);
  add(
    'CloudWatch',
    'alarms',
    `${alarmMetrics} metrics × ${usd(PRICES.cloudwatchAlarmMetricMonth.usd)}`,
    alarmMetrics * PRICES.cloudwatchAlarmMetricMonth.usd,
  );
  // The transform's, the agent's metric filters, the Glue job's run counts, the consumer's.
  const customMetrics = 7 + 2 + Object.keys(GLUE_RUN_METRICS.metrics).length + (kafka.brokers > 0 ? 6 : 0);
  add(
    'CloudWatch',
    'custom metrics',
    `${customMetrics} × ${usd(PRICES.cloudwatchCustomMetricMonth.usd)}`,
    customMetrics * PRICES.cloudwatchCustomMetricMonth.usd,
  );
  const logGb = ASSUMPTIONS.flowLogGbPerDay * DAYS_PER_MONTH + (invocations * ASSUMPTIONS.lambdaLogBytesPerInvocation) / 1e9;
  add(
    'CloudWatch',
    'logs ingested (flow logs, functions, agent)',
    `${num(logGb)} GB × ${usd(PRICES.cloudwatchLogsIngestGb.usd)}`,
    logGb * PRICES.cloudwatchLogsIngestGb.usd,
  );
  const keptLogGb = logGb * Math.min(month, config.logRetentionDays / DAYS_PER_MONTH);
  add(
    'CloudWatch',
    `logs stored (${config.logRetentionDays} d retention)`,
    `${num(keptLogGb)} GB × ${usd(PRICES.cloudwatchLogsStorageGbMonth.usd)}`,
    keptLogGb * PRICES.cloudwatchLogsStorageGbMonth.usd,
  );

  const totalUsd = items.reduce((sum, item) => sum + item.usd, 0);
  return {
    stage: config.stage,
    gbPerDay,
    items,
    totalUsd,
    record,
    shardsNeeded: shardsNeeded(kinesisGbPerDay, sizing.recordBytes),
    gbDeliveredPerMonth: gbMonth,
  };
}

/** Sum of the estimate's lines of these services. */
export function subtotal(e: Estimate, ...services: string[]): number {
  return e.items.filter((i) => services.includes(i.service)).reduce((sum, i) => sum + i.usd, 0);
}

/** The stage with its stream in the other capacity mode (provisioned: sized for the volume by shardsNeeded). */
export function withStreamMode(
  config: StageConfig,
  mode: 'on-demand' | 'provisioned',
  gbPerDay: number,
  recordBytes?: number,
): StageConfig {
  if (mode === 'on-demand') return { ...config, stream: { ...config.stream, capacity: { mode } } };
  const kinesisGbPerDay = gbPerDay * pathShares(config).kinesis;
  const shardCount = shardsNeeded(kinesisGbPerDay, recordSizing(config, kinesisGbPerDay, recordBytes).recordBytes);
  return { ...config, stream: { ...config.stream, capacity: { mode, shardCount } } };
}

/** Kinesis cost a month of each capacity mode at `gbPerDay`. */
export function streamModeCosts(
  config: StageConfig,
  gbPerDay: number,
  options: EstimateOptions = {},
): { onDemand: Estimate; provisioned: Estimate } {
  return {
    onDemand: estimate(withStreamMode(config, 'on-demand', gbPerDay, options.recordBytes), gbPerDay, options),
    provisioned: estimate(withStreamMode(config, 'provisioned', gbPerDay, options.recordBytes), gbPerDay, options),
  };
}

/** Volumes the flip search covers, GB/day. */
export const FLIP_SEARCH_GB_PER_DAY = { from: 0.01, to: 100_000 } as const;

/**
 * Which capacity mode costs less for the stream, and the volumes (GB/day, to 2 significant digits) where that
 * changes, searched over FLIP_SEARCH_GB_PER_DAY on a fine logarithmic grid.
 */
export function streamModeFlips(
  config: StageConfig,
  options: EstimateOptions = {},
): { atLowest: 'on-demand' | 'provisioned'; flips: { gbPerDay: number; cheaper: 'on-demand' | 'provisioned' }[] } {
  const cheaperAt = (v: number) => {
    const { onDemand, provisioned } = streamModeCosts(config, v, options);
    return subtotal(provisioned, 'Kinesis') < subtotal(onDemand, 'Kinesis') ? 'provisioned' : 'on-demand';
  };
  const steps = 600;
  const ratio = Math.pow(FLIP_SEARCH_GB_PER_DAY.to / FLIP_SEARCH_GB_PER_DAY.from, 1 / steps);
  const atLowest = cheaperAt(FLIP_SEARCH_GB_PER_DAY.from);
  const flips: { gbPerDay: number; cheaper: 'on-demand' | 'provisioned' }[] = [];
  let previous = atLowest;
  for (let i = 1, v = FLIP_SEARCH_GB_PER_DAY.from * ratio; i <= steps; i++, v *= ratio) {
    const now = cheaperAt(v);
    if (now !== previous) flips.push({ gbPerDay: Number(v.toPrecision(2)), cheaper: now });
    previous = now;
  }
  return { atLowest, flips };
}

/**
 * The DPUs and billed minutes of one Glue run over `gbPerDay` of landed lines (both paths' copies): all configured workers, or with auto scaling
 * one worker per ASSUMPTIONS.glueRawGbPerAutoScaledWorker of raw input, between 2 and the ceiling.
 */
export function glueRun(config: StageConfig, gbPerDay: number): { dpus: number; runMinutes: number } {
  const { analytics } = config;
  const perDay = runsPerDay(analytics.schedule);
  const rawGbPerRun = (gbPerDay * ASSUMPTIONS.rawGzipPerLogByte) / perDay;
  const workers = analytics.autoScaling
    ? Math.min(analytics.numberOfWorkers, Math.max(2, Math.ceil(rawGbPerRun / ASSUMPTIONS.glueRawGbPerAutoScaledWorker)))
    : analytics.numberOfWorkers;
  const dpus = workers * GLUE_DPU_PER_WORKER[analytics.workerType];
  const rowsPerRun = (gbPerDay * 1e9) / ASSUMPTIONS.lineBytes / perDay;
  const runMinutes = Math.max(1, ASSUMPTIONS.glueRunOverheadMinutes + rowsPerRun / (ASSUMPTIONS.glueRowsPerSecondPerDpu * dpus) / 60);
  return { dpus, runMinutes };
}

/** The most GB of log lines a day the stage's Glue settings curate (lib/capacity/plan.ts). */
export function glueCapacityGbPerDay(config: StageConfig): number {
  return glueCapacityOf(config.analytics);
}

/** One line per stage: what its Glue settings serve. */
export function renderGlueCapacity(configs: readonly StageConfig[]): string {
  return configs
    .map((c) => {
      const a = c.analytics;
      const workers = a.autoScaling ? `auto scaling up to ${a.numberOfWorkers}` : `${a.numberOfWorkers}`;
      return `- **${c.stage}**: ${runsPerDay(a.schedule)} runs a day, ${workers} ${a.workerType} workers, ${a.executionClass}: curates up to about ${num(Math.round(glueCapacityGbPerDay(c)))} GB of logs a day.`;
    })
    .join('\n');
}

/** A Markdown table of an estimate: one row per line item and the total. */
export function renderEstimate(e: Estimate): string {
  const lines = [`| service | item | basis | USD/month |`, '|---|---|---|---:|'];
  for (const item of e.items) lines.push(`| ${item.service} | ${item.item} | ${item.basis} | ${item.usd.toFixed(2)} |`);
  lines.push(`| **total** | ${e.stage}, ${num(e.gbPerDay)} GB/day | | **${e.totalUsd.toFixed(2)}** |`);
  return lines.join('\n');
}

/** Totals per service and stage for a few volumes: the cost table in docs/costs.md. */
export function renderVolumeTable(configs: readonly StageConfig[], volumes: readonly number[]): string {
  const estimates = configs.flatMap((c) => volumes.map((v) => estimate(c, v)));
  const services = [...new Set(estimates.flatMap((e) => e.items.map((i) => i.service)))];
  const header = estimates.map((e) => `${e.stage} ${num(e.gbPerDay)} GB/d`);
  const lines = [`| service | ${header.join(' | ')} |`, `|---|${header.map(() => '---:|').join('')}`];
  for (const service of services) {
    const cells = estimates.map((e) =>
      e.items
        .filter((i) => i.service === service)
        .reduce((s, i) => s + i.usd, 0)
        .toFixed(2),
    );
    lines.push(`| ${service} | ${cells.join(' | ')} |`);
  }
  lines.push(`| **total** | ${estimates.map((e) => `**${e.totalUsd.toFixed(2)}**`).join(' | ')} |`);
  return lines.join('\n');
}
