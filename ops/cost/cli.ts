/**
 * `npm run cost -- -c stage=<stage> --gb-per-day N [--month M] [--compare] [--record-bytes B]
 * [--private-egress MODE] [--prices] [--plan [--peak-factor F]]`: with `--plan`, the sizing plan of
 * ops/cost/plan.ts (every hop against its limit, the configuration that carries N, priced), at the stage's
 * declared volume unless --gb-per-day and --peak-factor say otherwise. Otherwise the monthly estimate of a stage at a log volume, one row per line item,
 * from ops/cost/prices.ts and the stage config; the Kinesis record it bills and what each service counts it
 * as; the cost per GB delivered. `--compare` sets the stream's on-demand and provisioned modes side by side
 * and says at what volume the cheaper one changes. `--record-bytes` and `--private-egress` ask "what if"
 * without editing the config (e.g. 154 for one line per record, 'none' for no interface endpoints).
 */
import { ConfigError, stageConfig, type StageConfig } from '../../lib/config';
import { PRIVATE_EGRESS_CHOICES, type PrivateEgress } from '../../lib/constructs/network/network-config';
import { answerHelp, parseArgs, renderHelp, UsageError, type CommandHelp } from '../../lib/cli/args';
import {
  ASSUMPTIONS,
  estimate,
  FLIP_SEARCH_GB_PER_DAY,
  kafkaSizingOf,
  renderEstimate,
  streamModeCosts,
  streamModeFlips,
  subtotal,
  type Estimate,
  type EstimateOptions,
} from './model';
import { renderSizingPlan } from './plan';
import { capacityPlan } from '../../lib/capacity/plan';
import { PRICE_REGION, PRICES, renderPriceTable } from './prices';

const money = (n: number) => `$${n.toFixed(2)}`;
const bytes = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 2 ** 20).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${Math.round(n)} B`;

export function costReport(argv: readonly string[]): string {
  const { context, options } = parseArgs(
    argv,
    ['gb-per-day', 'month', 'record-bytes', 'private-egress', 'peak-factor'],
    ['prices', 'compare', 'plan'],
  );
  if (options.prices === true) return renderPriceTable();
  let config: StageConfig = stageConfig(context.stage);
  const plan = options.plan === true;
  const gbText = options['gb-per-day'] ?? (plan ? String(config.volume.gbPerDay) : undefined);
  if (typeof gbText !== 'string')
    throw new UsageError('--gb-per-day N is required: the log volume shipped per day, in GB (e.g. --gb-per-day 5)');
  const gbPerDay = Number(gbText);
  if (!(gbPerDay > 0) || !Number.isFinite(gbPerDay)) throw new UsageError(`--gb-per-day must be a positive number (got '${gbText}')`);
  const monthText = options.month ?? '12';
  const month = Number(monthText);
  if (!Number.isInteger(month) || month < 1 || month > 120)
    throw new UsageError(`--month must be an integer from 1 to 120 (got '${String(monthText)}')`);
  let recordBytes: number | undefined;
  if (options['record-bytes'] !== undefined) {
    recordBytes = Number(options['record-bytes']);
    if (!Number.isInteger(recordBytes) || recordBytes < 1 || recordBytes > 1024 * 1024) {
      throw new UsageError(
        `--record-bytes must be an integer from 1 to 1048576, a Kinesis record's limit (got '${String(options['record-bytes'])}')`,
      );
    }
  }
  const egress = options['private-egress'];
  if (egress !== undefined) {
    if (!(PRIVATE_EGRESS_CHOICES as readonly unknown[]).includes(egress)) {
      throw new UsageError(`--private-egress must be one of ${PRIVATE_EGRESS_CHOICES.join(', ')} (got '${String(egress)}')`);
    }
    config = { ...config, network: { ...config.network, privateEgress: egress as PrivateEgress } };
  }
  const peakText = options['peak-factor'];
  if (peakText !== undefined && !plan) throw new UsageError('--peak-factor goes with --plan');
  const peakFactor = peakText === undefined ? config.volume.peakFactor : Number(peakText);
  if (!(peakFactor >= 1 && peakFactor <= 24))
    throw new UsageError(`--peak-factor must be a number from 1 to 24 (got '${String(peakText)}')`);
  const estimateOptions: EstimateOptions = { month, recordBytes };
  if (plan) return renderSizingPlan(config, { gbPerDay, peakFactor }, estimateOptions);
  const result = estimate(config, gbPerDay, estimateOptions);
  const dates = [...new Set(Object.values(PRICES).map((p) => p.date))].join(', ');
  const whatIf = [
    egress === undefined
      ? ''
      : `network.privateEgress '${String(egress)}' instead of '${stageConfig(context.stage).network.privateEgress}'`,
    recordBytes === undefined ? '' : `${recordBytes}-byte Kinesis records instead of what the agent packs`,
  ].filter((s) => s !== '');
  const lines = [
    `Monthly estimate, stage ${config.stage}, ${gbPerDay} GB of logs a day, month ${month} of operation (storage grows until lifecycle rules expire it)`,
    ...(whatIf.length > 0 ? [`What if: ${whatIf.join('; ')}.`] : []),
    `List prices in ${PRICE_REGION} as entered ${dates}, not checked against the live pricing pages (ops/cost/prices.ts; --prices prints them with their pages). No free tier, no data transfer out.`,
    '',
    renderEstimate(result),
    '',
    ...recordLines(result),
    `Kinesis + Firehose: ${money(subtotal(result, 'Kinesis', 'Firehose'))} a month. Per GB delivered: ${money(result.totalUsd / result.gbDeliveredPerMonth)} (${result.gbDeliveredPerMonth.toFixed(2)} GB of logs a month).`,
    streamNote(config, result),
    capacityNote(config, gbPerDay),
  ];
  if (options.compare === true) lines.push('', ...renderComparison(config, gbPerDay, estimateOptions));
  lines.push(
    '',
    `Assumptions: ${Object.entries(ASSUMPTIONS)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
    `Kafka path from the stage config: ${JSON.stringify(kafkaSizingOf(config))}.`,
  );
  return lines.join('\n');
}

/** The record the estimate bills, and what each service counts it as. */
function recordLines(e: Estimate): string[] {
  const r = e.record;
  return [
    `Kinesis record: ${bytes(r.recordBytes)} on average, ${r.linesPerRecord.toFixed(1)} lines of ${ASSUMPTIONS.lineBytes} B (${r.basis}).`,
    `Billed per record: Kinesis on-demand ${r.kinesisOnDemandBilledBytes / 1024} KB written, provisioned ${r.putPayloadUnits} PUT payload unit${r.putPayloadUnits === 1 ? '' : 's'} of 25 KB, Firehose ${r.firehoseBilledBytes / 1024} KB ingested.`,
  ];
}

function streamNote(config: StageConfig, e: Estimate): string {
  const capacity = config.stream.capacity;
  const need = `${e.shardsNeeded} shard${e.shardsNeeded === 1 ? '' : 's'}`;
  if (capacity.mode === 'on-demand')
    return `Stream: on-demand; provisioned would need ${need} at this volume (peak ${ASSUMPTIONS.peakToAverage}× the average; --compare prices both).`;
  const verdict =
    capacity.shardCount >= e.shardsNeeded
      ? 'enough'
      : `TOO FEW: raise stream.capacity.shardCount to ${e.shardsNeeded} or the agent's PutRecords are throttled at peaks`;
  return `Stream: ${capacity.shardCount} provisioned shard${capacity.shardCount === 1 ? '' : 's'}; this volume needs ${need} at a peak of ${ASSUMPTIONS.peakToAverage}× the average: ${verdict}.`;
}

/** Whether the stage as configured carries the volume at its declared peak (lib/capacity/plan.ts). */
function capacityNote(config: StageConfig, gbPerDay: number): string {
  const short = capacityPlan(config, { gbPerDay, peakFactor: config.volume.peakFactor }).filter((h) => !h.ok);
  if (short.length === 0) return `Capacity: the stage as configured carries ${gbPerDay} GB/day at a ${config.volume.peakFactor}× peak.`;
  return `Capacity: NOT carried at a ${config.volume.peakFactor}× peak by ${short.map((h) => h.hop).join(', ')}; this prices the stage as configured (--plan sizes and prices what carries it).`;
}

/** The stream's Kinesis lines in each capacity mode, and where the cheaper mode changes. */
export function renderComparison(config: StageConfig, gbPerDay: number, options: EstimateOptions = {}): string[] {
  const { onDemand, provisioned } = streamModeCosts(config, gbPerDay, options);
  const kinesis = (e: Estimate) => e.items.filter((i) => i.service === 'Kinesis');
  const shards = provisioned.shardsNeeded;
  const rows = ['| mode | item | basis | USD/month |', '|---|---|---|---:|'];
  for (const [name, e] of [
    ['on-demand', onDemand],
    [`provisioned, ${shards} shard${shards === 1 ? '' : 's'}`, provisioned],
  ] as const) {
    for (const item of kinesis(e)) rows.push(`| ${name} | ${item.item} | ${item.basis} | ${item.usd.toFixed(2)} |`);
    rows.push(`| **${name}** | Kinesis | | **${subtotal(e, 'Kinesis').toFixed(2)}** |`);
  }
  const cheaper = subtotal(provisioned, 'Kinesis') < subtotal(onDemand, 'Kinesis') ? 'provisioned' : 'on-demand';
  const { atLowest, flips } = streamModeFlips(config, options);
  const range = `${FLIP_SEARCH_GB_PER_DAY.from}–${FLIP_SEARCH_GB_PER_DAY.to.toLocaleString('en-US')} GB/day`;
  const flipText =
    flips.length === 0
      ? `${atLowest} is cheaper at every volume from ${range} (provisioned sized for a peak of ${ASSUMPTIONS.peakToAverage}× the average).`
      : `${atLowest} is cheaper from ${FLIP_SEARCH_GB_PER_DAY.from} GB/day; ${flips.map((f) => `${f.cheaper} from about ${f.gbPerDay} GB/day`).join(', then ')} (searched ${range}).`;
  return [
    `Stream capacity modes at ${gbPerDay} GB/day (the other lines do not change with the mode):`,
    '',
    ...rows,
    '',
    `Cheaper here: ${cheaper}, by ${money(Math.abs(subtotal(onDemand, 'Kinesis') - subtotal(provisioned, 'Kinesis')))} a month. ${flipText}`,
  ];
}

export const COST_HELP: CommandHelp = {
  usage: 'npm run cost -- -c stage=<stage> --gb-per-day N [options]',
  summary:
    "A stage's monthly AWS bill at a log volume, one row per line item with what it multiplies, at the list\n" +
    'prices in ops/cost/prices.ts (us-east-1). Kinesis and Firehose are billed per record, as AWS bills them.',
  options: [
    { name: '-c stage=<stage>', description: 'the stage config to price (default dev)' },
    {
      name: '--gb-per-day N',
      description: "log volume shipped per day, in GB (required, except with --prices, and with --plan: the stage's volume.gbPerDay)",
    },
    { name: '--month M', description: 'month of operation, 1-120 (default 12): the lake grows until lifecycle rules expire data' },
    { name: '--compare', description: 'the stream on-demand and provisioned (sized for the volume), side by side' },
    { name: '--record-bytes B', description: 'price Kinesis records of B bytes instead of what the agent packs (154: one line a record)' },
    { name: '--private-egress MODE', description: 'price another network.privateEgress without editing the config' },
    { name: '--plan', description: "the sizing plan: each hop's load at the average and the peak, its limit, and what carries the volume" },
    {
      name: '--peak-factor F',
      description: "with --plan: the busiest hour over the day's average (default: the stage's volume.peakFactor)",
    },
    { name: '--prices', description: 'print the price table and exit' },
  ],
};

if (require.main === module) {
  answerHelp(process.argv.slice(2), COST_HELP);
  try {
    console.log(costReport(process.argv.slice(2)));
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`npm run cost: ${err.message}\n${renderHelp(COST_HELP)}`);
      process.exit(2);
    }
    throw err;
  }
}
