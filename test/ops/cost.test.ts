import { STAGE_CONFIGS } from '../../lib/config';
import { MEASURED } from '../../lib/capacity/rates';
import { costReport } from '../../ops/cost/cli';
import {
  billedRecordBytes,
  BILLING_UNITS,
  estimate,
  glueCapacityGbPerDay,
  pathShares,
  putPayloadUnits,
  recordSizing,
  runsPerDay,
  shardsNeeded,
  streamModeCosts,
  streamModeFlips,
  subtotal,
  withStreamMode,
} from '../../ops/cost/model';
import { KINESIS_AGGREGATED_RECORD_MAX_BYTES } from '../../lib/constructs/log-host/agent-config';
import { PRICES, renderPriceTable } from '../../ops/cost/prices';
import { UsageError } from '../../lib/cli/args';

const byItem = (e: ReturnType<typeof estimate>, service: string, item: string | RegExp) => {
  const found = e.items.filter((i) => i.service === service && (typeof item === 'string' ? i.item === item : item.test(i.item)));
  expect(found).toHaveLength(1);
  return found[0].usd;
};

// AWS's own worked examples, from the pricing pages the rules are read from.
describe('what AWS bills per record', () => {
  const KB = 1024;
  // Amazon Kinesis Data Streams pricing, https://aws.amazon.com/kinesis/data-streams/pricing/ (On-Demand, Data-In):
  // "if your data records are 4.5 KB each, Kinesis Data Streams will count each record as 5 KB of data ingested".
  test('Kinesis on-demand counts each record rounded up to the nearest 1 KB (1,024 bytes): 4.5 KB is 5 KB', () => {
    expect(billedRecordBytes(4.5 * KB, BILLING_UNITS.kinesisOnDemandRecordBytes)).toBe(5 * KB);
    expect(billedRecordBytes(154, BILLING_UNITS.kinesisOnDemandRecordBytes)).toBe(KB); // one log line: 6.6× its size
  });
  // Same page (Provisioned, PUT Payload Unit): "a 5KB record contains one PUT Payload Unit, a 45KB record contains
  // two PUT Payload Units, and a 1MB record contains 40 PUT Payload Units"; and its example of 100 records/s of 35 KB.
  test('Kinesis provisioned counts 25 KB PUT payload units per record: 5 KB is 1, 45 KB is 2, 1 MB is 40, 35 KB is 2', () => {
    expect(putPayloadUnits(5 * KB)).toBe(1);
    expect(putPayloadUnits(45 * KB)).toBe(2);
    expect(putPayloadUnits(1000 * KB)).toBe(40);
    expect(100 * putPayloadUnits(35 * KB)).toBe(200); // 100 records/s of 35 KB: 200 units a second
  });
  // Amazon Data Firehose pricing, https://aws.amazon.com/firehose/pricing/: ingestion "in 5 KB increments (a 3 KB
  // record is billed as 5 KB, a 12 KB record is billed as 15 KB)"; the rounding is per record, not per API call
  // ("a PutRecordBatch call containing two 1 KB records is billed as 10 KB").
  test('Firehose bills ingestion in 5 KB steps per record: 3 KB is 5 KB, 12 KB is 15 KB, two 1 KB records are 10 KB', () => {
    expect(billedRecordBytes(3 * KB, BILLING_UNITS.firehoseRecordBytes)).toBe(5 * KB);
    expect(billedRecordBytes(12 * KB, BILLING_UNITS.firehoseRecordBytes)).toBe(15 * KB);
    expect(2 * billedRecordBytes(1 * KB, BILLING_UNITS.firehoseRecordBytes)).toBe(10 * KB);
  });
  test('the estimate bills what the rules give for the record it assumes: one 154-byte line a record costs 1 KB and 5 KB', () => {
    const e = estimate({ ...STAGE_CONFIGS.dev, stream: { ...STAGE_CONFIGS.dev.stream, capacity: { mode: 'on-demand' } } }, 1, {
      recordBytes: 154,
    });
    const records = (1e9 * (730 / 24)) / 154;
    expect(e.record).toMatchObject({ recordBytes: 154, kinesisOnDemandBilledBytes: 1024, putPayloadUnits: 1, firehoseBilledBytes: 5120 });
    expect(byItem(e, 'Kinesis', /^data written/)).toBeCloseTo(((records * 1024) / 1e9) * PRICES.kinesisOnDemandIngestGb.usd, 6);
    expect(byItem(e, 'Firehose', /^data ingested/)).toBeCloseTo(((records * 5120) / 1e9) * PRICES.firehoseIngestGb.usd, 6);
  });
});

describe('the record the agent packs (simple_aggregation: one flush of one file, up to the record limit)', () => {
  test('dev at 1 GB/day: five demo files flushed every 5 s make records of 11.6 kB', () => {
    const sizing = recordSizing(STAGE_CONFIGS.dev, 1);
    expect(STAGE_CONFIGS.dev.host.agent.flushSeconds).toBe(5);
    expect(sizing.recordBytes).toBeCloseTo(((1e9 / 86_400) * 5) / 5, 6);
  });
  test('prod at 100 GB/day: 1.16 MB a flush from one file splits into two records under the limit', () => {
    const perFlush = (100e9 / 86_400) * STAGE_CONFIGS.prod.host.agent.flushSeconds;
    expect(recordSizing(STAGE_CONFIGS.prod, 100).recordBytes).toBeCloseTo(perFlush / 2, 6);
    expect(perFlush / 2).toBeLessThan(KINESIS_AGGREGATED_RECORD_MAX_BYTES);
  });
  test('a flush with less than a line still sends a whole line', () => {
    expect(recordSizing(STAGE_CONFIGS.prod, 0.001).recordBytes).toBe(154);
  });
  test('both stages ship every file to both paths, so each path carries the whole volume', () => {
    for (const config of Object.values(STAGE_CONFIGS)) expect(pathShares(config)).toMatchObject({ kinesis: 1, kafka: 1 });
  });
});

describe('dev at 1 GB/day, month 12, checked by hand against the price table', () => {
  const e = estimate(STAGE_CONFIGS.dev, 1);
  const gbMonth = 730 / 24; // 30.4167 GB a month
  const recordBytes = 1e9 / 86_400; // 11,574 B: 5 s of 1 GB/day over 5 files
  const records = (gbMonth * 1e9) / recordBytes;

  test('Kinesis, one provisioned shard: 730 shard-hours and one 25 KB PUT payload unit per 11.6 kB record', () => {
    expect(STAGE_CONFIGS.dev.stream.capacity).toEqual({ mode: 'provisioned', shardCount: 1 });
    expect(byItem(e, 'Kinesis', 'shard-hours (1 provisioned)')).toBeCloseTo(730 * 0.015, 6); // $10.95
    expect(byItem(e, 'Kinesis', /^PUT payload units/)).toBeCloseTo((records / 1e6) * 0.014, 6); // 2.6 M units: $0.04
    expect(e.items.some((i) => i.item.startsWith('retention'))).toBe(false); // dev keeps 24 h, included
    expect(e.shardsNeeded).toBe(1);
  });

  test('Firehose bills each 11.6 kB record as 15 KB', () => {
    expect(e.record.firehoseBilledBytes).toBe(15 * 1024);
    expect(byItem(e, 'Firehose', /^data ingested/)).toBeCloseTo(((records * 15 * 1024) / 1e9) * 0.029, 6); // $1.17
  });

  test("the Kafka path carries the same volume: the consumer's duration and one request per 5 s window", () => {
    // Each line at the consumer benchmark's 36.5 µs on one core, at 1024 of 1769 MB (0.58 vCPU), plus 80 ms a call;
    // billed at 1 GB. Dev does not publish to a records topic.
    const lines = (gbMonth * 1e9) / MEASURED.lineBytes;
    const calls = (730 * 3600) / 5;
    const gbSeconds = lines * (730.2e-3 / 20_000) * (1769 / 1024) + calls * 0.08;
    expect(byItem(e, 'Lambda', /^consumer duration/)).toBeCloseTo(gbSeconds * PRICES.lambdaArmGbSecond.usd, 6); // $0.73
    expect(byItem(e, 'Lambda', 'consumer requests')).toBeCloseTo(((730 * 3600) / 5 / 1e6) * 0.2, 6);
  });

  test('host, endpoints, key', () => {
    expect(byItem(e, 'EC2', 't4g.small host')).toBeCloseTo(730 * 0.0168, 6); // $12.26
    expect(byItem(e, 'EBS', 'gp3 root 16 GiB')).toBeCloseTo(16 * 0.08, 6); // $1.28
    expect(byItem(e, 'VPC', 'public IPv4 of the host')).toBeCloseTo(730 * 0.005, 6); // $3.65
    // dev: no NAT gateway and no interface endpoints (the provisioned-mode mapping needs neither; S3's
    // gateway endpoint is free).
    expect(e.items.some((i) => i.item === 'interface endpoints')).toBe(false);
    expect(e.items.some((i) => i.item === 'NAT gateway')).toBe(false);
    expect(byItem(e, 'KMS', 'data key')).toBe(1);
  });

  test('S3 by storage class in month 12 (day 350 of data): raw 30 d Standard, 30–90 d IA, 90–180 d Glacier IR; curated 30 d Standard, 30–180 d IA', () => {
    // Dev ships its demo files to both paths: each lands its own copy in raw/ and curated/.
    const rawPerDay = 2 * 1 * 0.31;
    const curatedPerDay = rawPerDay * 0.85;
    expect(byItem(e, 'S3', /^Standard \(/)).toBeCloseTo((30 * rawPerDay + 30 * curatedPerDay) * 0.023, 6);
    expect(byItem(e, 'S3', /^Standard-IA/)).toBeCloseTo((60 * rawPerDay + 150 * curatedPerDay) * 0.0125, 6);
    expect(byItem(e, 'S3', /^Glacier IR/)).toBeCloseTo(90 * rawPerDay * 0.004, 6);
  });

  test('Glue: 4 runs a day × 2 G.1X DPU × (1.5 min overhead + rows / 97,000 per DPU-second), Flex price', () => {
    expect(runsPerDay(STAGE_CONFIGS.dev.analytics.schedule)).toBe(4);
    const rowsPerRun = (2 * 1e9) / 154 / 4; // both paths' copies
    const minutes = 1.5 + rowsPerRun / (97_000 * 2) / 60;
    expect(byItem(e, 'Glue', /runs/)).toBeCloseTo(4 * gbMonth * 2 * (minutes / 60) * 0.29, 6); // Flex: $2.09
  });

  test('the total is the sum of the lines', () => {
    expect(e.totalUsd).toBeCloseTo(
      e.items.reduce((s, i) => s + i.usd, 0),
      9,
    );
  });
});

test("prod's Glue job auto scales to 2 of its 10 workers at 5 GB a day; dev pays the Flex price", () => {
  const prod = estimate(STAGE_CONFIGS.prod, 5);
  const rowsPerRun = (2 * 5e9) / 154 / 24; // prod ships its access log to both paths
  const minutes = 1.5 + rowsPerRun / (97_000 * 2) / 60;
  expect(prod.items.find((i) => i.service === 'Glue')!.item).toBe(
    `730 runs × auto scaled to 2 of 10 DPU × ${Number(minutes.toFixed(2))} min (STANDARD)`,
  );
  expect(byItem(prod, 'Glue', /runs/)).toBeCloseTo(730 * 2 * (minutes / 60) * PRICES.glueDpuHour.usd, 6);
  // At 1 TB a day a run has 13 GB of raw input: the ceiling.
  expect(estimate(STAGE_CONFIGS.prod, 1000).items.find((i) => i.service === 'Glue')!.item).toMatch(/auto scaled to 10 of 10 DPU/);
  expect(estimate(STAGE_CONFIGS.dev, 1).items.find((i) => i.service === 'Glue')!.basis).toMatch(/× \$0\.29$/);
});

test("prod: NAT gateway carries the private host's lines, 168 h retention is charged per shard, Glue is hourly on 10 DPU", () => {
  const e = estimate(STAGE_CONFIGS.prod, 5);
  expect(byItem(e, 'VPC', 'NAT gateway')).toBeCloseTo(730 * PRICES.natGatewayHour.usd, 6);
  expect(byItem(e, 'VPC', 'NAT data processed')).toBeCloseTo(5 * (730 / 24) * PRICES.natGatewayGb.usd, 6);
  expect(byItem(e, 'Kinesis', 'retention 168 h')).toBeCloseTo(34 * 730 * PRICES.kinesisExtendedRetentionShardHour.usd, 6);
  const onDemand = estimate({ ...STAGE_CONFIGS.prod, stream: { ...STAGE_CONFIGS.prod.stream, capacity: { mode: 'on-demand' } } }, 5);
  expect(byItem(onDemand, 'Kinesis', 'retention 168 h')).toBeCloseTo(5 * 6 * PRICES.kinesisOnDemandExtendedRetentionGbMonth.usd, 6);
  expect(runsPerDay(STAGE_CONFIGS.prod.analytics.schedule)).toBe(24);
  expect(byItem(e, 'MSK', 'broker storage')).toBeCloseTo(3 * 4100 * PRICES.mskStorageGbMonth.usd, 6);
});

test('runsPerDay counts Glue cron hours and minutes', () => {
  expect(runsPerDay('cron(15 * * * ? *)')).toBe(24);
  expect(runsPerDay('cron(15 0/6 * * ? *)')).toBe(4);
  expect(runsPerDay('cron(0,30 8-17 * * ? *)')).toBe(20);
  expect(runsPerDay('cron(0 3 * * ? *)')).toBe(1);
  expect(() => runsPerDay('rate(1 hour)')).toThrow(/six-field/);
});

test('every price names its AWS pricing page and the date it was entered, and the report says they are unchecked', () => {
  for (const price of Object.values(PRICES)) {
    expect(price.page).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z0-9/-]+\/pricing\/([a-z-]+\/)?$/);
    expect(price.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  }
  expect(costReport(['-c', 'stage=dev', '--gb-per-day', '1'])).toContain('not checked against the live pricing pages');
  expect(renderPriceTable()).toContain('not checked against the live page');
});

test('npm run cost prints a table with a total for both stages, and says what is wrong with bad input', () => {
  for (const stage of ['dev', 'prod']) {
    const out = costReport(['-c', `stage=${stage}`, '--gb-per-day', '2']);
    expect(out).toMatch(new RegExp(`\\| \\*\\*total\\*\\* \\| ${stage}, 2 GB/day \\| \\| \\*\\*\\d+\\.\\d\\d\\*\\* \\|`));
  }
  expect(() => costReport(['-c', 'stage=dev'])).toThrow(
    new UsageError('--gb-per-day N is required: the log volume shipped per day, in GB (e.g. --gb-per-day 5)'),
  );
  expect(() => costReport(['-c', 'stage=dev', '--gb-per-day', '-3'])).toThrow(/--gb-per-day must be a positive number \(got '-3'\)/);
  expect(() => costReport(['-c', 'stage=qa', '--gb-per-day', '1'])).toThrow(/stage must be one of dev, prod/);
  expect(() => costReport(['--gb-per-days', '1'])).toThrow(/unknown option --gb-per-days/);
});

test("what each stage's Glue settings serve: every ceiling worker busy for each run's budget", () => {
  // dev: 4 runs, budget = the 60-minute timeout (runs are 6 h apart), minus 1.5 min overhead.
  expect(glueCapacityGbPerDay(STAGE_CONFIGS.dev)).toBeCloseTo((4 * 2 * 97_000 * (3600 - 90) * 154) / 1e9, 6); // ~419 GB
  // prod: 24 runs, budget = the hour to the next run (the timeout is 180 min).
  expect(glueCapacityGbPerDay(STAGE_CONFIGS.prod)).toBeCloseTo((24 * 10 * 97_000 * (3600 - 90) * 154) / 1e9, 6); // ~12.6 TB
});

describe('stream capacity: shards from the volume, and which mode costs less', () => {
  test('a shard takes 1 MB/s and 1,000 records/s; provisioned streams are sized for a 3× peak', () => {
    expect(shardsNeeded(1, 11_574)).toBe(1);
    expect(shardsNeeded(28, 500_000)).toBe(1); // 0.97 MB/s at the peak
    expect(shardsNeeded(100, 578_704)).toBe(4); // 3.5 MB/s at the peak
    expect(shardsNeeded(1, 154)).toBe(1); // 676 records/s at the peak, one line a record
    expect(shardsNeeded(10, 154)).toBe(3); // 2,255 records/s at the peak: 3 shards by count, where the bytes need 1
  });
  test("each stage's configured shards take 1 GB/day (dev) and 100 GB/day (prod) with room", () => {
    expect(estimate(STAGE_CONFIGS.dev, 1).shardsNeeded).toBeLessThanOrEqual(1);
    expect(estimate(STAGE_CONFIGS.prod, 100).shardsNeeded).toBeLessThanOrEqual(4);
  });
  test('--compare: provisioned sized for the volume costs less than on-demand at every volume searched', () => {
    const { onDemand, provisioned } = streamModeCosts(STAGE_CONFIGS.prod, 100);
    expect(subtotal(onDemand, 'Kinesis')).toBeCloseTo(
      29.2 +
        ((onDemand.record.kinesisOnDemandBilledBytes * ((100e9 * 730) / 24 / onDemand.record.recordBytes)) / 1e9) * 0.08 +
        3041.6667 * 0.04 +
        600 * 0.1,
      2,
    );
    expect(subtotal(provisioned, 'Kinesis')).toBeLessThan(subtotal(onDemand, 'Kinesis'));
    expect(streamModeFlips(STAGE_CONFIGS.dev)).toEqual({ atLowest: 'provisioned', flips: [] });
    const report = costReport(['-c', 'stage=prod', '--gb-per-day', '100', '--compare']);
    expect(report).toMatch(/\| \*\*on-demand\*\* \| Kinesis \| \| \*\*\d+\.\d\d\*\* \|/);
    expect(report).toMatch(/\| \*\*provisioned, 4 shards\*\* \| Kinesis \| \| \*\*\d+\.\d\d\*\* \|/);
    expect(report).toContain('provisioned is cheaper at every volume');
  });
  test('too few shards for the volume is said, with the count to set', () => {
    expect(costReport(['-c', 'stage=dev', '--gb-per-day', '100'])).toContain('TOO FEW: raise stream.capacity.shardCount to 4');
  });
});

describe('the targets of issue 17, as npm run cost prints them', () => {
  test('dev at 1 GB/day (no interface endpoints: its provisioned-mode mapping needs none): at most $260 a month', () => {
    expect(STAGE_CONFIGS.dev.network.privateEgress).toBe('none');
    expect(estimate(STAGE_CONFIGS.dev, 1).totalUsd).toBeLessThanOrEqual(260);
    expect(costReport(['-c', 'stage=dev', '--gb-per-day', '1', '--private-egress', 'interface-endpoints'])).toContain(
      "What if: network.privateEgress 'interface-endpoints' instead of 'none'.",
    );
  });
  test('prod with its stream sized for 100 GB/day: Kinesis and Firehose together at most $600 a month', () => {
    // Prod's preset stream is sized for 1 TB a day (34 shards); issue 17's target was at 4 shards.
    expect(subtotal(estimate(withStreamMode(STAGE_CONFIGS.prod, 'provisioned', 100), 100), 'Kinesis', 'Firehose')).toBeLessThanOrEqual(600);
    // The sizing plan for 100 GB/day prices that stream: it sizes the shards down as well as up.
    expect(costReport(['-c', 'stage=prod', '--plan', '--gb-per-day', '100'])).toContain('stream.capacity: 34 shards → 4 shards');
    expect(costReport(['-c', 'stage=prod', '--gb-per-day', '100'])).toMatch(
      /Kinesis \+ Firehose: \$\d+\.\d\d a month\. Per GB delivered: \$\d+\.\d\d/,
    );
  });
  test('the report states the record it assumed and what each service bills for it', () => {
    const report = costReport(['-c', 'stage=dev', '--gb-per-day', '1']);
    expect(report).toContain('Kinesis record: 11.3 KiB on average, 75.2 lines of 154 B (1 GB/day over 5 files, flushed every 5 s');
    expect(report).toContain(
      'Billed per record: Kinesis on-demand 12 KB written, provisioned 1 PUT payload unit of 25 KB, Firehose 15 KB ingested.',
    );
  });
  test('bad what-if values say what is allowed', () => {
    expect(() => costReport(['-c', 'stage=dev', '--gb-per-day', '1', '--record-bytes', '2000000'])).toThrow(
      /--record-bytes must be an integer from 1 to 1048576/,
    );
    expect(() => costReport(['-c', 'stage=dev', '--gb-per-day', '1', '--private-egress', 'vpn'])).toThrow(
      /--private-egress must be one of nat-gateway, interface-endpoints, none \(got 'vpn'\)/,
    );
  });
});

test("Managed Flink bills the application's KPUs plus one orchestration KPU around the clock, and 50 GB of running storage per KPU; dev has none", () => {
  // prod: 1 KPU at the floor (parallelism 1, 1 per KPU) + 1 orchestration KPU, 730 h at $0.11: $160.60; 50 GB at $0.10.
  const prod = estimate(STAGE_CONFIGS.prod, 5);
  expect(estimate(STAGE_CONFIGS.dev, 5).items.filter((i) => i.service === 'Managed Flink')).toEqual([]);
  expect(byItem(prod, 'Managed Flink', '1 KPU + 1 orchestration KPU, scales up to 12')).toBeCloseTo(2 * 730 * PRICES.flinkKpuHour.usd, 6);
  expect(byItem(prod, 'Managed Flink', 'running application storage')).toBeCloseTo(50 * PRICES.flinkRunningStorageGbMonth.usd, 6);
  expect(subtotal(prod, 'Managed Flink')).toBeCloseTo(165.6, 6);
  // The rows' mapping keeps one provisioned poller; dev, with the application off, has none.
  expect(byItem(prod, 'Lambda', 'provisioned poller of the rows mapping')).toBeCloseTo(
    730 * PRICES.lambdaKafkaProvisionedPollerHour.usd,
    6,
  );
  expect(estimate(STAGE_CONFIGS.dev, 5).items.filter((i) => i.item === 'provisioned poller of the rows mapping')).toEqual([]);
  // 5 tasks at 2 per KPU take 3 KPUs: 4 KPU-hours an hour, 150 GB.
  const wider = estimate(
    {
      ...STAGE_CONFIGS.prod,
      realtime: { ...STAGE_CONFIGS.prod.realtime, enabled: true, parallelism: 5, parallelismPerKpu: 2, autoScaling: false, maxKpus: 3 },
    },
    5,
  );
  expect(byItem(wider, 'Managed Flink', '3 KPUs + 1 orchestration KPU')).toBeCloseTo(4 * 730 * PRICES.flinkKpuHour.usd, 6);
  expect(byItem(wider, 'Managed Flink', 'running application storage')).toBeCloseTo(150 * PRICES.flinkRunningStorageGbMonth.usd, 6);
  expect(estimate(STAGE_CONFIGS.dev, 1).items.filter((i) => i.service === 'Managed Flink')).toEqual([]);
});
