/**
 * List prices in us-east-1 (USD) that `npm run cost` multiplies, one line per price, each naming the AWS
 * pricing page it belongs to and the date it was entered. Update a line together with its date; the cost
 * tests recompute one stage by hand from these figures, so a changed price shows up there too.
 *
 * Not read off the live pages: the pricing pages fill in their figures in the browser and this project's
 * machines reach no AWS site, so the stored copies it could search held the prices' structure (units,
 * tiers) but rarely the numbers. The figures are first-tier list prices as the project knew them on the
 * date given; `npm run cost` says so on every report. Check them on the page before relying on a total.
 */
export const PRICE_REGION = 'us-east-1';

export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly page: string;
  readonly date: string;
}

const READ = '2026-12-01';
const p = (usd: number, unit: string, page: string): Price => ({ usd, unit, page, date: READ });

export const PRICES = {
  kinesisOnDemandStreamHour: p(0.04, 'stream-hour (on-demand)', 'https://aws.amazon.com/kinesis/data-streams/pricing/'),
  kinesisOnDemandIngestGb: p(0.08, 'GB written (on-demand)', 'https://aws.amazon.com/kinesis/data-streams/pricing/'),
  kinesisOnDemandRetrievalGb: p(0.04, 'GB read (on-demand)', 'https://aws.amazon.com/kinesis/data-streams/pricing/'),
  kinesisOnDemandExtendedRetentionGbMonth: p(
    0.1,
    'GB-month kept beyond 24 h (on-demand)',
    'https://aws.amazon.com/kinesis/data-streams/pricing/',
  ),
  kinesisShardHour: p(0.015, 'shard-hour (provisioned)', 'https://aws.amazon.com/kinesis/data-streams/pricing/'),
  kinesisPutPayloadUnitsMillion: p(
    0.014,
    'million 25 KB PUT payload units (provisioned)',
    'https://aws.amazon.com/kinesis/data-streams/pricing/',
  ),
  kinesisExtendedRetentionShardHour: p(
    0.02,
    'shard-hour beyond 24 h retention (provisioned)',
    'https://aws.amazon.com/kinesis/data-streams/pricing/',
  ),
  firehoseIngestGb: p(0.029, 'GB ingested (first 500 TB/month)', 'https://aws.amazon.com/firehose/pricing/'),
  lambdaArmGbSecond: p(0.0000133334, 'GB-second (Arm, first tier)', 'https://aws.amazon.com/lambda/pricing/'),
  lambdaRequestsMillion: p(0.2, 'million requests', 'https://aws.amazon.com/lambda/pricing/'),
  lambdaKafkaProvisionedPollerHour: p(0.185, 'event poller unit-hour (Kafka provisioned mode)', 'https://aws.amazon.com/lambda/pricing/'),
  ec2T4gMicroHour: p(0.0084, 'instance-hour t4g.micro (Linux, on-demand)', 'https://aws.amazon.com/ec2/pricing/on-demand/'),
  ec2T4gSmallHour: p(0.0168, 'instance-hour t4g.small (Linux, on-demand)', 'https://aws.amazon.com/ec2/pricing/on-demand/'),
  ebsGp3GbMonth: p(0.08, 'GB-month gp3', 'https://aws.amazon.com/ebs/pricing/'),
  publicIpv4Hour: p(0.005, 'public IPv4 address-hour', 'https://aws.amazon.com/vpc/pricing/'),
  natGatewayHour: p(0.045, 'NAT gateway-hour', 'https://aws.amazon.com/vpc/pricing/'),
  natGatewayGb: p(0.045, 'GB processed by a NAT gateway', 'https://aws.amazon.com/vpc/pricing/'),
  interfaceEndpointHour: p(0.01, 'interface endpoint-hour per AZ', 'https://aws.amazon.com/privatelink/pricing/'),
  interfaceEndpointGb: p(0.01, 'GB processed by interface endpoints (first PB)', 'https://aws.amazon.com/privatelink/pricing/'),
  kmsKeyMonth: p(1, 'customer managed key-month', 'https://aws.amazon.com/kms/pricing/'),
  kmsRequests10k: p(0.03, '10,000 requests', 'https://aws.amazon.com/kms/pricing/'),
  s3StandardGbMonth: p(0.023, 'GB-month S3 Standard (first 50 TB)', 'https://aws.amazon.com/s3/pricing/'),
  s3StandardIaGbMonth: p(0.0125, 'GB-month S3 Standard-IA', 'https://aws.amazon.com/s3/pricing/'),
  s3GlacierIrGbMonth: p(0.004, 'GB-month S3 Glacier Instant Retrieval', 'https://aws.amazon.com/s3/pricing/'),
  s3PutRequests1k: p(0.005, '1,000 PUT/COPY/POST/LIST requests (Standard)', 'https://aws.amazon.com/s3/pricing/'),
  glueDpuHour: p(0.44, 'DPU-hour (Spark job, standard execution)', 'https://aws.amazon.com/glue/pricing/'),
  glueFlexDpuHour: p(0.29, 'DPU-hour (Spark job, Flex execution)', 'https://aws.amazon.com/glue/pricing/'),
  athenaTbScanned: p(5, 'TB scanned (10 MB minimum per query)', 'https://aws.amazon.com/athena/pricing/'),
  mskM7gLargeBrokerHour: p(0.204, 'broker-hour kafka.m7g.large (Standard brokers)', 'https://aws.amazon.com/msk/pricing/'),
  mskT3SmallBrokerHour: p(0.0456, 'broker-hour kafka.t3.small (Standard brokers)', 'https://aws.amazon.com/msk/pricing/'),
  mskStorageGbMonth: p(0.1, 'GB-month broker storage', 'https://aws.amazon.com/msk/pricing/'),
  // "Amazon Managed Service for Apache Flink pricing": KPUs (1 vCPU, 4 GB) per hour, one more per application for
  // orchestration, and 50 GB of running application storage per KPU.
  flinkKpuHour: p(0.11, 'KPU-hour (Managed Service for Apache Flink)', 'https://aws.amazon.com/managed-service-apache-flink/pricing/'),
  flinkRunningStorageGbMonth: p(
    0.1,
    'GB-month running application storage (50 GB per KPU)',
    'https://aws.amazon.com/managed-service-apache-flink/pricing/',
  ),
  cloudwatchDashboardMonth: p(3, 'dashboard-month (beyond 3 free)', 'https://aws.amazon.com/cloudwatch/pricing/'),
  cloudwatchAlarmMetricMonth: p(0.1, 'standard-resolution alarm metric-month', 'https://aws.amazon.com/cloudwatch/pricing/'),
  cloudwatchCustomMetricMonth: p(0.3, 'custom metric-month (first 10,000)', 'https://aws.amazon.com/cloudwatch/pricing/'),
  cloudwatchLogsIngestGb: p(
    0.5,
    'GB of logs ingested (standard class; vended logs first tier)',
    'https://aws.amazon.com/cloudwatch/pricing/',
  ),
  cloudwatchLogsStorageGbMonth: p(0.03, 'GB-month of logs stored', 'https://aws.amazon.com/cloudwatch/pricing/'),
} as const satisfies Record<string, Price>;

export type PriceId = keyof typeof PRICES;

/** The price table as printed by `npm run cost -- --prices`. */
export function renderPriceTable(): string {
  const lines = ['| price | USD | per | page (entered on, not checked against the live page) |', '|---|---:|---|---|'];
  for (const [id, price] of Object.entries(PRICES)) lines.push(`| ${id} | ${price.usd} | ${price.unit} | ${price.page} (${price.date}) |`);
  return lines.join('\n');
}
