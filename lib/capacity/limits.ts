/**
 * AWS's documented limits each hop of the pipeline runs into as volume grows, one constant per limit, the page
 * that gives it next to it. No CDK: the capacity plan (plan.ts) reads these at synth and in `npm run cost`.
 */

/**
 * Kinesis Data Streams, "Quotas and limits", https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html:
 * a shard takes up to 1 MB/s or 1,000 records/s of writes (provisioned and on-demand alike); an on-demand stream
 * scales up to 200 MB/s of writes, or 10 GB/s in US East (N. Virginia), US West (Oregon) and Europe (Ireland).
 * The stage configs are region-agnostic, so the plan holds on-demand to the 200 MB/s every region gives.
 */
export const KINESIS = {
  shardWriteBytesPerSecond: 1024 * 1024,
  shardWriteRecordsPerSecond: 1000,
  onDemandWriteBytesPerSecond: 200 * 1e6,
  onDemandWriteBytesPerSecondLargestRegions: 10 * 1e9,
  /** The project's own cap on stream.capacity.shardCount (lib/constructs/ingest-stream/ingest-stream-config.ts). */
  maxConfiguredShards: 500,
  /** A record's data, 1 MiB (same page); the agent packs lines up to just under it. */
  recordMaxBytes: 1024 * 1024,
} as const;

/**
 * Lambda, "Event poller scaling modes" (provisioned mode), https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html:
 * an event poller handles up to 5 MB/s; MaximumPollers is 1–2,000 and MinimumPollers 1–200; Lambda holds the
 * pollers to the topic's partitions, one partition being processed in order by one poller.
 */
export const KAFKA_MAPPING = {
  pollerBytesPerSecond: 5 * 1e6,
  /**
   * "Each event poller supports up to 5 concurrent invocations" ("Low latency processing for Kafka event sources",
   * https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-low-latency.html): one per partition it serves at a time.
   */
  pollerConcurrentInvocations: 5,
  maxPollers: 2000,
  maxMinimumPollers: 200,
  /** Kafka event source mapping: BatchSize up to 10,000 records. */
  maxBatchSize: 10_000,
} as const;

/**
 * Lambda, "Lambda quotas", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html: 1,000
 * concurrent executions per Region by default (raised on request); every function of the account shares them.
 */
export const LAMBDA_CONCURRENT_EXECUTIONS = 1000;

/**
 * Lambda, "Configure Lambda function memory", https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html:
 * CPU is allocated in proportion to memory; "at 1,769 MB, a function has the equivalent of one vCPU".
 */
export const LAMBDA_MB_PER_VCPU = 1769;

/**
 * Amazon S3, "Best practices design patterns: optimizing Amazon S3 performance",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html: at least 3,500
 * PUT/COPY/POST/DELETE requests per second per partitioned prefix.
 */
export const S3_PUTS_PER_SECOND_PER_PREFIX = 3500;

/**
 * MSK Standard brokers.
 * - Storage: up to 16 TiB (16,384 GiB) of EBS per broker — "Auto-scaling policy details for Amazon MSK",
 *   https://docs.aws.amazon.com/msk/latest/developerguide/msk-autoexpand-details.html, and "Amazon MSK quota".
 * - Partitions per broker, leaders and followers counted — "Best practices for Standard brokers", Right-size
 *   your cluster: Number of partitions per Standard broker,
 *   https://docs.aws.amazon.com/msk/latest/developerguide/bestpractices.html
 * - Throughput: a cluster sustains at most min(storage × brokers ÷ r, EBS network × brokers ÷ r, EC2 network ×
 *   brokers ÷ (consumer groups + r − 1)) — AWS Big Data Blog, "Best practices for right-sizing your Apache Kafka
 *   clusters to optimize performance and cost", https://aws.amazon.com/blogs/big-data/best-practices-for-right-sizing-your-apache-kafka-clusters-to-optimize-performance-and-cost/
 *   Storage throughput is 250 MiB/s per volume unless provisioned ("Manage storage throughput for Standard
 *   brokers", https://docs.aws.amazon.com/msk/latest/developerguide/msk-provision-throughput-management.html,
 *   whose per-type maxima equal the EBS baselines below); the EBS and network baselines (not burst) are the
 *   underlying EC2 instance's, "Amazon EBS-optimized instance types",
 *   https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html (network and EBS specifications). Those
 *   per-type figures were entered as the project knew them, not read off a stored copy of that page (as with
 *   ops/cost/prices.ts); MSK's storage-throughput maxima confirm three (m5.4xlarge 593, m7g.2xlarge 312.5,
 *   m7g.4xlarge 625 MiB/s). Check a type's line before relying on a plan that it binds.
 */
export const MSK = {
  maxVolumeGiB: 16_384,
  storageThroughputBytesPerSecond: 250 * 2 ** 20,
  /** The mapping's consumer group; the stream analytics app, when deployed, adds one. */
  consumerGroups: 1,
} as const;

export interface BrokerLimits {
  /** Recommended partitions per broker, leaders and followers. */
  readonly partitions: number;
  /** EBS baseline bandwidth of the instance, bytes/s. */
  readonly ebsBytesPerSecond: number;
  /** Network baseline bandwidth of the instance, bytes/s. */
  readonly networkBytesPerSecond: number;
}

const mbps = (megabits: number) => (megabits * 1e6) / 8;

/** Per broker type (see MSK's comment for the pages); a type not listed cannot be checked and is refused. */
export const BROKER_LIMITS: Readonly<Record<string, BrokerLimits>> = {
  'kafka.t3.small': { partitions: 300, ebsBytesPerSecond: mbps(174), networkBytesPerSecond: mbps(128) },
  'kafka.m5.large': { partitions: 1000, ebsBytesPerSecond: mbps(650), networkBytesPerSecond: mbps(750) },
  'kafka.m5.xlarge': { partitions: 1000, ebsBytesPerSecond: mbps(1150), networkBytesPerSecond: mbps(1250) },
  'kafka.m5.2xlarge': { partitions: 2000, ebsBytesPerSecond: mbps(2300), networkBytesPerSecond: mbps(2500) },
  'kafka.m5.4xlarge': { partitions: 4000, ebsBytesPerSecond: mbps(4750), networkBytesPerSecond: mbps(5000) },
  'kafka.m7g.large': { partitions: 1000, ebsBytesPerSecond: mbps(630), networkBytesPerSecond: mbps(937) },
  'kafka.m7g.xlarge': { partitions: 1000, ebsBytesPerSecond: mbps(1250), networkBytesPerSecond: mbps(1876) },
  'kafka.m7g.2xlarge': { partitions: 2000, ebsBytesPerSecond: mbps(2500), networkBytesPerSecond: mbps(3750) },
  'kafka.m7g.4xlarge': { partitions: 4000, ebsBytesPerSecond: mbps(5000), networkBytesPerSecond: mbps(7500) },
};

/** The broker types the sizing plan steps through when the count alone cannot carry the volume. */
export const BROKER_LADDER = ['kafka.t3.small', 'kafka.m7g.large', 'kafka.m7g.xlarge', 'kafka.m7g.2xlarge', 'kafka.m7g.4xlarge'] as const;

/** The project's own cap on kafka.brokerCount (lib/constructs/kafka/kafka-config.ts; MSK's default is 30 per cluster). */
export const MAX_BROKERS = 30;

/** Glue workers per job, the project's cap on analytics.numberOfWorkers (lib/constructs/analytics/analytics-config.ts). */
export const MAX_GLUE_WORKERS = 299;
