/**
 * `npm run cost -- -c stage=<stage> --gb-per-day N [--month M] [--prices]`: the monthly estimate of a
 * stage at a log volume, one row per line item, from ops/cost/prices.ts and the stage config.
 */
import { ConfigError, stageConfig } from '../../lib/config';
import { parseArgs, UsageError } from '../cli-args';
import { ASSUMPTIONS, estimate, kafkaSizingOf, renderEstimate } from './model';
import { PRICE_REGION, PRICES, renderPriceTable } from './prices';

export function costReport(argv: readonly string[]): string {
  const { context, options } = parseArgs(argv, ['gb-per-day', 'month'], ['prices']);
  if (options.prices === true) return renderPriceTable();
  const config = stageConfig(context.stage);
  const gbText = options['gb-per-day'];
  if (typeof gbText !== 'string') throw new UsageError('--gb-per-day N is required: the log volume shipped per day, in GB (e.g. --gb-per-day 5)');
  const gbPerDay = Number(gbText);
  if (!(gbPerDay > 0) || !Number.isFinite(gbPerDay)) throw new UsageError(`--gb-per-day must be a positive number (got '${gbText}')`);
  const monthText = options.month ?? '12';
  const month = Number(monthText);
  if (!Number.isInteger(month) || month < 1 || month > 120) throw new UsageError(`--month must be an integer from 1 to 120 (got '${String(monthText)}')`);
  const result = estimate(config, gbPerDay, { month });
  const dates = [...new Set(Object.values(PRICES).map((p) => p.date))].join(', ');
  return [
    `Monthly estimate, stage ${config.stage}, ${gbPerDay} GB of logs a day, month ${month} of operation (storage grows until lifecycle rules expire it)`,
    `List prices in ${PRICE_REGION} as entered ${dates}, not checked against the live pricing pages (ops/cost/prices.ts; --prices prints them with their pages). No free tier, no data transfer out.`,
    '',
    renderEstimate(result),
    '',
    `Assumptions: ${Object.entries(ASSUMPTIONS).map(([k, v]) => `${k}=${v}`).join(', ')}.`,
    `Kafka path from the stage config: ${JSON.stringify(kafkaSizingOf(config))}.`,
  ].join('\n');
}

if (require.main === module) {
  try {
    console.log(costReport(process.argv.slice(2)));
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`npm run cost: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}
