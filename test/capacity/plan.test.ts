import * as cxapi from 'aws-cdk-lib/cx-api';
import { Template } from 'aws-cdk-lib/assertions';
import { addPipelineStacks } from '../../lib/app-stacks';
import { capacityPlan, CURATED_PARTITION_HOURS, partitionBytesPerSecond, sizeFor } from '../../lib/capacity/plan';
import { ConfigError, PROD_10_TB_A_DAY, STAGE_CONFIGS, validateStageConfig, type StageConfig } from '../../lib/config';
import { CURATED_PARTITION_KEYS } from '../../contracts/lake-layout';
import { costReport } from '../../ops/cost/cli';
import { projectApp } from '../helpers/app';

const { dev, prod } = STAGE_CONFIGS;

function problemsOf(config: StageConfig): readonly string[] {
  try {
    validateStageConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('each stage carries the volume it declares', () => {
  test('prod declares at least 1 TB a day with a 3× peak hour, and every hop carries it', () => {
    expect(prod.volume.gbPerDay).toBeGreaterThanOrEqual(1000);
    expect(prod.volume.peakFactor).toBeGreaterThanOrEqual(3);
    expect(capacityPlan(prod).filter((h) => !h.ok)).toEqual([]);
    expect(problemsOf(prod)).toEqual([]);
  });

  test('dev carries its 1 GB a day and is as small as the config allows where the volume does not bind', () => {
    expect(capacityPlan(dev).filter((h) => !h.ok)).toEqual([]);
    expect(dev.stream.capacity).toEqual({ mode: 'provisioned', shardCount: 1 });
    expect(dev.kafka.brokerCount).toBe(2);
    expect(dev.analytics.numberOfWorkers).toBe(2);
    // Nothing sizeFor would raise at dev's volume.
    expect(sizeFor(dev, dev.volume).changes).toEqual([]);
  });

  test('the 10 TB a day recipe passes every check', () => {
    expect(PROD_10_TB_A_DAY.volume).toEqual({ gbPerDay: 10_000, peakFactor: 3 });
    expect(capacityPlan(PROD_10_TB_A_DAY).filter((h) => !h.ok)).toEqual([]);
    expect(problemsOf(PROD_10_TB_A_DAY)).toEqual([]);
  });

  test("the 10 TB a day recipe synthesizes: the stream has its 340 shards, MSK its 12 brokers of 10,200 GiB (more brokers than an alarm's math may name)", () => {
    const app = projectApp({ context: { [cxapi.BUNDLING_STACKS]: [] } });
    const stacks = addPipelineStacks(app, validateStageConfig(PROD_10_TB_A_DAY));
    Template.fromStack(stacks.data).hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 340 });
    Template.fromStack(stacks.kafka).hasResourceProperties('AWS::MSK::Cluster', {
      NumberOfBrokerNodes: 12,
      BrokerNodeGroupInfo: { StorageInfo: { EBSStorageInfo: { VolumeSize: 10_200 } } },
    });
  });

  test('curated partitions hold an hour, as the capacity plan assumes for Athena', () => {
    // Without the hour key a partition would hold a day: CURATED_PARTITION_HOURS must then be 24.
    expect(CURATED_PARTITION_KEYS).toContain('hour');
    expect(CURATED_PARTITION_HOURS).toBe(1);
  });
});

describe('synth refuses a config that cannot carry its volume, naming the setting, what it needs and why', () => {
  const at = (volume: number) => ({ ...prod, volume: { gbPerDay: volume, peakFactor: 3 } });

  test('Kinesis: too few shards; on-demand past 200 MB/s', () => {
    expect(problemsOf({ ...prod, stream: { ...prod.stream, capacity: { mode: 'provisioned', shardCount: 4 } } })).toEqual([
      "stream.capacity.shardCount must be at least 34 to carry volume.gbPerDay 1,000 at a 3× peak (got 4): a shard takes 1 MiB/s or 1,000 records/s (records here average 997 KiB); or set stream.capacity.mode 'on-demand' below 200 MB/s",
    ]);
    expect(problemsOf({ ...PROD_10_TB_A_DAY, stream: { ...prod.stream, capacity: { mode: 'on-demand' } } })).toEqual([
      "stream.capacity.mode must be 'provisioned' to carry volume.gbPerDay 10,000 at a 3× peak (got 'on-demand'): 347 MB/s at the peak passes on-demand's default 200 MB/s; set shardCount 332",
    ]);
  });

  test('MSK storage over the retention at the replication factor', () => {
    expect(problemsOf({ ...prod, kafka: { ...prod.kafka, ebsVolumeGiB: 100 } })).toEqual([
      "kafka.ebsVolumeGiB must be at least 4,052 to carry volume.gbPerDay 1,000 at a 3× peak (got 100): brokers keep logs 168 h × 0.43 + log-records 24 h × 0.47 of the log bytes (retention × compressed share) at replication 3 on 3 brokers below the 80% disk alarm (at most 16384 GiB a broker); or add brokers, or shorten the topics' retentionHours",
    ]);
    // Without the stream analytics, only the log topic's 7 days of lz4 batches.
    expect(problemsOf({ ...prod, realtime: { ...prod.realtime, enabled: false }, kafka: { ...prod.kafka, ebsVolumeGiB: 100 } })).toEqual([
      "kafka.ebsVolumeGiB must be at least 3,505 to carry volume.gbPerDay 1,000 at a 3× peak (got 100): brokers keep logs 168 h × 0.43 of the log bytes (retention × compressed share) at replication 3 on 3 brokers below the 80% disk alarm (at most 16384 GiB a broker); or add brokers, or shorten the topics' retentionHours",
    ]);
  });

  test('MSK throughput of the broker type, and partitions per broker', () => {
    const small = {
      ...prod,
      realtime: { ...prod.realtime, enabled: false },
      kafka: { ...prod.kafka, brokerInstanceType: 'kafka.t3.small' },
    };
    // Three t3.small brokers take 16 MB/s of compressed data (their network baseline ÷ 3): 1 TB a day needs 14.9 of
    // lz4 log batches, 1.5 TB 22.4; the records topic's gzipped records (realtime on) double what 1 TB writes.
    expect(problemsOf(small)).toEqual([]);
    expect(problemsOf({ ...small, realtime: prod.realtime })).toContain(
      "kafka.brokerCount must be at least 6 to carry volume.gbPerDay 1,000 at a 3× peak (got 3): a kafka.t3.small broker sustains its EBS and network baselines (AWS's right-sizing formula); or a larger kafka.brokerInstanceType",
    );
    expect(problemsOf({ ...small, volume: { gbPerDay: 1500, peakFactor: 3 } })).toContain(
      "kafka.brokerCount must be at least 6 to carry volume.gbPerDay 1,500 at a 3× peak (got 3): a kafka.t3.small broker sustains its EBS and network baselines (AWS's right-sizing formula); or a larger kafka.brokerInstanceType",
    );
    const crowded = {
      ...small,
      volume: { gbPerDay: 1, peakFactor: 3 },
      kafka: {
        ...small.kafka,
        topics: [{ name: 'logs', partitions: 400, retentionHours: 168 }],
        consumer: { ...small.kafka.consumer, maximumPollers: 12 },
      },
    };
    expect(problemsOf(crowded)).toEqual([
      'kafka.brokerCount must be at least 4 to hold 400 partitions at replication 3 (got 3): AWS recommends at most 300 partition replicas on a kafka.t3.small',
    ]);
    expect(problemsOf({ ...prod, kafka: { ...prod.kafka, brokerInstanceType: 'kafka.m5.24xlarge' } })).toEqual([
      "kafka.brokerInstanceType must be one whose throughput lib/capacity/limits.ts knows, kafka.t3.small, kafka.m5.large, kafka.m5.xlarge, kafka.m5.2xlarge, kafka.m5.4xlarge, kafka.m7g.large, kafka.m7g.xlarge, kafka.m7g.2xlarge, kafka.m7g.4xlarge, to check the volume (got 'kafka.m5.24xlarge'): add its EBS and network baselines there",
    ]);
  });

  test("the Kafka mapping: partitions at the consumer benchmark's rate, pollers at 5 MB/s or 5 invocations", () => {
    expect(problemsOf({ ...prod, kafka: { ...prod.kafka, consumer: { ...prod.kafka.consumer, batchSize: 1000 } } })).toEqual([
      'kafka.topics[0].partitions must be at least 35 to carry volume.gbPerDay 1,000 at a 3× peak (got 24): one batch at a time per partition moves 1.01 MB/s at batch 1000 (consumer benchmark); or raise kafka.consumer.batchSize (up to 10000)',
    ]);
    expect(problemsOf({ ...prod, kafka: { ...prod.kafka, consumer: { ...prod.kafka.consumer, maximumPollers: 6 } } })).toEqual([
      "kafka.consumer.maximumPollers must be at least 7 to carry volume.gbPerDay 1,000 at a 3× peak (got 6): a poller moves up to 5 MB/s in up to 5 invocations at a time, and Lambda holds the pollers to the topic's partitions (and to 2000)",
    ]);
    // Small batches: each invocation moves less, so the pollers' 5 invocations at a time bind before their 5 MB/s.
    const smallBatches = {
      ...prod,
      kafka: {
        ...prod.kafka,
        topics: prod.kafka.topics.map((t) => (t.partitions === 24 ? { ...t, partitions: 60 } : t)),
        consumer: { ...prod.kafka.consumer, batchSize: 500, maximumPollers: 8 },
      },
    };
    expect(problemsOf(smallBatches)).toEqual([
      "kafka.consumer.maximumPollers must be at least 11 to carry volume.gbPerDay 1,000 at a 3× peak (got 8): a poller moves up to 5 MB/s in up to 5 invocations at a time, and Lambda holds the pollers to the topic's partitions (and to 2000)",
    ]);
  });

  test("S3 PUTs per prefix: the consumer's one object per batch", () => {
    const config = {
      ...PROD_10_TB_A_DAY,
      kafka: {
        ...PROD_10_TB_A_DAY.kafka,
        topics: PROD_10_TB_A_DAY.kafka.topics
          .map((t) => (t.partitions === 192 ? { ...t, partitions: 600 } : t))
          .map((t, i) => (i === 0 ? { ...t, partitions: 400 } : t)),
        consumer: { ...PROD_10_TB_A_DAY.kafka.consumer, batchSize: 500, maximumPollers: 400 },
      },
    };
    expect(problemsOf(config)).toEqual([
      'kafka.topics[0].partitions must be at least 524 to carry volume.gbPerDay 10,000 at a 3× peak (got 400): one batch at a time per partition moves 0.66 MB/s at batch 500 (consumer benchmark); or raise kafka.consumer.batchSize (up to 10000)',
      'kafka.consumer.batchSize must be at least 645 to carry volume.gbPerDay 10,000 at a 3× peak (got 500): the consumer writes one object per batch under one prefix a day, and S3 takes 3,500 PUTs a second per prefix',
    ]);
  });

  test("Lambda concurrency, Glue workers, Athena's cutoff", () => {
    const slowConsumer = at(100_000);
    expect(problemsOf(slowConsumer)).toContain(
      'the account\'s Lambda concurrent executions quota must be at least 2,008 to carry volume.gbPerDay 100,000 at a 3× peak (got 1,000): request a quota increase (Service Quotas, Lambda "Concurrent executions") before deploying',
    );
    expect(problemsOf({ ...prod, analytics: { ...prod.analytics, numberOfWorkers: 4 } })).toEqual([
      "analytics.numberOfWorkers must be at least 5 to carry volume.gbPerDay 1,000 at a 3× peak (got 4): at the Glue benchmark's 97,000 rows/s per DPU a run over the peak hour must end before the next; or a larger analytics.workerType",
    ]);
    expect(problemsOf({ ...prod, analytics: { ...prod.analytics, bytesScannedCutoffPerQuery: 10 * 1024 ** 3 } })).toEqual([
      "analytics.bytesScannedCutoffPerQuery must be at least 33,285,996,544 to carry volume.gbPerDay 1,000 at a 3× peak (got 10,737,418,240): an all-column query over one source's peak hour of curated data scans 30.68 GiB and Athena cancels it at the cutoff",
    ]);
  });

  test('a bad volume is said once, and no capacity check runs on it', () => {
    expect(problemsOf({ ...prod, volume: { gbPerDay: 0, peakFactor: 0.5 } })).toEqual([
      'volume.gbPerDay must be a number above 0 and at most 1000000 (got 0)',
      "volume.peakFactor must be a number from 1 to 24, the busiest hour over the day's average (got 0.5)",
    ]);
  });
});

describe('the sizing plan', () => {
  test("a partition moves the consumer benchmark's lines at the function's 1024/1769 of a vCPU, plus the invocation overhead", () => {
    // 36.5 µs a line on one core becomes 63.1 µs at 0.58 vCPU: 10,000 lines of 154 B in 0.08 + 0.63 s.
    expect(partitionBytesPerSecond(1000, false) / 1e6).toBeCloseTo(1.08, 2);
    expect(partitionBytesPerSecond(10_000, false) / 1e6).toBeCloseTo(2.17, 2);
    // Publishing to the records topic adds 5.3 µs a line (9.2 µs at 0.58 vCPU).
    expect(partitionBytesPerSecond(1000, true) / 1e6).toBeCloseTo(1.01, 2);
    expect(partitionBytesPerSecond(10_000, true) / 1e6).toBeCloseTo(1.92, 2);
  });

  test('--plan prints each hop with its average, peak, limit, headroom and what carries the volume, then prices that configuration', () => {
    const report = costReport(['-c', 'stage=prod', '--plan', '--gb-per-day', '10000']);
    expect(report).toContain('| hop | unit | average | peak | limit (as configured) | headroom | carries it? | what carries the volume |');
    expect(report).toContain(
      '| Kinesis stream writes | MB/s | 116 | 347 | 35.7 (34 shards × 1.05 MB/s) | 0.10× | **no** | stream.capacity.shardCount 332 |',
    );
    expect(report).toContain('To carry it, change: stream.capacity: 34 shards → 332 shards; kafka.brokerCount: 3 → 12;');
    expect(report).toMatch(/Monthly cost of the configuration that carries it: \$\d+\.\d\d \(the stage as configured: \$\d+\.\d\d\)/);
    expect(report).toMatch(/runs × auto scaled to \d+ of 48 DPU/);
    expect(report).toContain('| Kinesis | shard-hours (332 provisioned) |');
  });

  test('at 100 TB a day the plan says what no setting carries', () => {
    const report = costReport(['-c', 'stage=prod', '--plan', '--gb-per-day', '100000']);
    expect(report).toContain('No setting carries these (the stage cannot take 100,000 GB/day as one deployment):');
    expect(report).toContain("- Kinesis stream writes: 3312 shards: more than the config's 500, and on-demand's 200 MB/s is less");
    // What it prices is the nearest configuration, and it says so.
    expect(report).toMatch(/Monthly cost of the nearest configuration, which does not carry it: \$\d+\.\d\d/);
    expect(report).not.toContain('Monthly cost of the configuration that carries it');
    // 239 G.2X workers are 478 DPU: the Glue line counts DPU on both sides.
    expect(report).toMatch(/runs × auto scaled to \d+ of 478 DPU/);
  });

  test('the plain estimate says when the stage as configured does not carry the volume', () => {
    expect(costReport(['-c', 'stage=prod', '--gb-per-day', '1000'])).toContain(
      'Capacity: the stage as configured carries 1000 GB/day at a 3× peak.',
    );
    expect(costReport(['-c', 'stage=dev', '--gb-per-day', '100'])).toMatch(
      /Capacity: NOT carried at a 3× peak by Kinesis stream writes, .*--plan sizes and prices what carries it/,
    );
  });
});
