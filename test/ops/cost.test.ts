import { STAGE_CONFIGS } from '../../lib/config';
import { costReport } from '../../ops/cost/cli';
import { estimate, glueCapacityGbPerDay, runsPerDay } from '../../ops/cost/model';
import { PRICES, renderPriceTable } from '../../ops/cost/prices';
import { UsageError } from '../../ops/cli-args';

const byItem = (e: ReturnType<typeof estimate>, service: string, item: string | RegExp) => {
  const found = e.items.filter((i) => i.service === service && (typeof item === 'string' ? i.item === item : item.test(i.item)));
  expect(found).toHaveLength(1);
  return found[0].usd;
};

describe('dev at 1 GB/day, month 12, checked by hand against the price table', () => {
  const e = estimate(STAGE_CONFIGS.dev, 1);
  const gbMonth = 730 / 24; // 30.4167 GB a month

  test('Kinesis on demand: 730 stream-hours, GB written and read', () => {
    expect(byItem(e, 'Kinesis', 'stream-hours')).toBeCloseTo(730 * 0.04, 6); // $29.20
    expect(byItem(e, 'Kinesis', 'data written')).toBeCloseTo(30.4167 * 0.08, 3); // $2.43
    expect(byItem(e, 'Kinesis', 'data read by Firehose')).toBeCloseTo(30.4167 * 0.04, 3); // $1.22
    expect(e.items.some((i) => i.item.startsWith('retention'))).toBe(false); // dev keeps 24 h, included
  });

  test('Firehose, host, endpoints, key', () => {
    expect(byItem(e, 'Firehose', 'data ingested')).toBeCloseTo(30.4167 * 0.029, 3); // $0.88
    expect(byItem(e, 'EC2', 't4g.small host')).toBeCloseTo(730 * 0.0168, 6); // $12.26
    expect(byItem(e, 'EBS', 'gp3 root 16 GiB')).toBeCloseTo(16 * 0.08, 6); // $1.28
    expect(byItem(e, 'VPC', 'public IPv4 of the host')).toBeCloseTo(730 * 0.005, 6); // $3.65
    // dev: no NAT gateway and no interface endpoints (the provisioned-mode mapping needs neither; S3's
    // gateway endpoint is free).
    expect(e.items.some((i) => i.item === 'interface endpoints')).toBe(false);
    expect(e.items.some((i) => i.item === 'NAT gateway')).toBe(false);
    expect(byItem(e, 'KMS', 'data key')).toBe(1);
  });

  test('S3 by storage class in month 12 (day 350 of data): 30 d Standard, 30–90 d IA, 90–180 d Glacier IR', () => {
    const rawPerDay = 1 * 0.31;
    const age = 12 * gbMonth - gbMonth / 2; // 349.8 days
    // Raw: 30 days Standard; curated (never expires) for the whole age.
    expect(byItem(e, 'S3', /^Standard \(/)).toBeCloseTo((30 * rawPerDay + age * rawPerDay * 0.85) * 0.023, 6);
    expect(byItem(e, 'S3', /^Standard-IA/)).toBeCloseTo(60 * rawPerDay * 0.0125, 6);
    expect(byItem(e, 'S3', /^Glacier IR/)).toBeCloseTo(90 * rawPerDay * 0.004, 6);
  });

  test('Glue: 4 runs a day × 2 G.1X DPU × (1.5 min overhead + rows / 97,000 per DPU-second), Flex price', () => {
    expect(runsPerDay(STAGE_CONFIGS.dev.analytics.schedule)).toBe(4);
    const rowsPerRun = 1e9 / 154 / 4;
    const minutes = 1.5 + rowsPerRun / (97_000 * 2) / 60;
    expect(byItem(e, 'Glue', /runs/)).toBeCloseTo(4 * gbMonth * 2 * (minutes / 60) * 0.29, 6); // Flex: $1.93
  });

  test('the total is the sum of the lines', () => {
    expect(e.totalUsd).toBeCloseTo(e.items.reduce((s, i) => s + i.usd, 0), 9);
  });
});

test('prod\'s Glue job auto scales to 2 of its 10 workers at 5 GB a day; dev pays the Flex price', () => {
  const prod = estimate(STAGE_CONFIGS.prod, 5);
  const rowsPerRun = 5e9 / 154 / 24;
  const minutes = 1.5 + rowsPerRun / (97_000 * 2) / 60;
  expect(prod.items.find((i) => i.service === 'Glue')!.item).toBe(`730 runs × auto scaled to 2 of 10 DPU × ${Number(minutes.toFixed(2))} min (STANDARD)`);
  expect(byItem(prod, 'Glue', /runs/)).toBeCloseTo(730 * 2 * (minutes / 60) * PRICES.glueDpuHour.usd, 6);
  // At 1 TB a day a run has 13 GB of raw input: the ceiling.
  expect(estimate(STAGE_CONFIGS.prod, 1000).items.find((i) => i.service === 'Glue')!.item).toMatch(/auto scaled to 10 of 10 DPU/);
  expect(estimate(STAGE_CONFIGS.dev, 1).items.find((i) => i.service === 'Glue')!.basis).toMatch(/× \$0\.29$/);
});

test('prod: NAT gateway carries the private host\'s lines, 168 h retention is charged, Glue is hourly on 10 DPU', () => {
  const e = estimate(STAGE_CONFIGS.prod, 5);
  expect(byItem(e, 'VPC', 'NAT gateway')).toBeCloseTo(730 * PRICES.natGatewayHour.usd, 6);
  expect(byItem(e, 'VPC', 'NAT data processed')).toBeCloseTo(5 * (730 / 24) * PRICES.natGatewayGb.usd, 6);
  expect(byItem(e, 'Kinesis', 'retention 168 h')).toBeCloseTo(5 * 6 * PRICES.kinesisOnDemandExtendedRetentionGbMonth.usd, 6);
  expect(runsPerDay(STAGE_CONFIGS.prod.analytics.schedule)).toBe(24);
  expect(byItem(e, 'MSK', 'broker storage')).toBeCloseTo(3 * 100 * PRICES.mskStorageGbMonth.usd, 6);
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
  expect(() => costReport(['-c', 'stage=dev'])).toThrow(new UsageError('--gb-per-day N is required: the log volume shipped per day, in GB (e.g. --gb-per-day 5)'));
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
