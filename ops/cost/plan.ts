/**
 * The sizing plan `npm run cost -- --plan` prints: every hop's load at the average and the peak against what
 * the stage as configured allows, the configuration that carries the volume (lib/capacity/plan.ts sizeFor),
 * and that configuration priced by the cost model.
 */
import { capacityPlan, sizeFor, type HopCheck, type VolumeConfig } from '../../lib/capacity/plan';
import type { StageConfig } from '../../lib/config';
import { estimate, renderEstimate, type EstimateOptions } from './model';

const n = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 1 ? x.toFixed(1) : Number(x.toPrecision(2)).toString());

/** limit ÷ peak, as the headroom column shows it ('—' for no load). */
export function headroom(h: HopCheck): string {
  return h.peak > 0 ? `${(h.limit / h.peak).toFixed(2)}×` : '—';
}

/** One row per hop: load at the average and the peak, the configured limit, the headroom, what carries the volume. */
export function renderPlanTable(hops: readonly HopCheck[]): string {
  const rows = [
    '| hop | unit | average | peak | limit (as configured) | headroom | carries it? | what carries the volume |',
    '|---|---|---:|---:|---:|---:|---|---|',
  ];
  for (const h of hops)
    rows.push(
      `| ${h.hop} | ${h.unit} | ${n(h.average)} | ${n(h.peak)} | ${n(h.limit)} (${h.basis}) | ${headroom(h)} | ${h.ok ? 'yes' : '**no**'} | ${h.need} |`,
    );
  return rows.join('\n');
}

export interface SizingPlan {
  readonly volume: VolumeConfig;
  readonly hops: readonly HopCheck[];
  readonly sized: StageConfig;
  readonly changes: readonly string[];
  /** Hops the sized configuration still cannot carry: no setting of the config fixes them. */
  readonly unfixable: readonly HopCheck[];
}

export function sizingPlan(config: StageConfig, volume: VolumeConfig): SizingPlan {
  const { config: sized, changes } = sizeFor(config, volume);
  return { volume, hops: capacityPlan(config, volume), sized, changes, unfixable: capacityPlan(sized, volume).filter((h) => !h.ok) };
}

/** The plan as `npm run cost -- --plan` prints it, priced for month `options.month`. */
export function renderSizingPlan(config: StageConfig, volume: VolumeConfig, options: EstimateOptions = {}): string {
  const plan = sizingPlan(config, volume);
  const asConfigured = estimate(config, volume.gbPerDay, options);
  const sized = estimate(plan.sized, volume.gbPerDay, options);
  const lines = [
    `Sizing plan, stage ${config.stage}, ${n(volume.gbPerDay)} GB of logs a day, busiest hour ${volume.peakFactor}× the average (the stage declares ${n(config.volume.gbPerDay)} GB/day at ${config.volume.peakFactor}×)`,
    'Limits: AWS documentation (lib/capacity/limits.ts names each page) and the project benchmarks (lib/capacity/rates.ts).',
    '',
    renderPlanTable(plan.hops),
    '',
    plan.changes.length === 0 ? 'The stage as configured carries this volume.' : `To carry it, change: ${plan.changes.join('; ')}.`,
    ...(plan.unfixable.length === 0
      ? []
      : [
          '',
          `No setting carries these (the stage cannot take ${n(volume.gbPerDay)} GB/day as one deployment):`,
          ...plan.unfixable.map((h) => `- ${h.hop}: ${h.need}`),
        ]),
    '',
    plan.unfixable.length === 0
      ? `Monthly cost of the configuration that carries it: $${sized.totalUsd.toFixed(2)} (the stage as configured: $${asConfigured.totalUsd.toFixed(2)}).`
      : `Monthly cost of the nearest configuration, which does not carry it: $${sized.totalUsd.toFixed(2)} (the stage as configured: $${asConfigured.totalUsd.toFixed(2)}).`,
    '',
    renderEstimate(sized),
  ];
  return lines.join('\n');
}

/** One row per volume: whether the stage carries it as configured, what to change, what no setting carries, the sized cost. */
export function renderPlanSummary(config: StageConfig, volumesGbPerDay: readonly number[], options: EstimateOptions = {}): string {
  const rows = [
    `| ${config.stage} at | carries it as configured | changes the plan makes | no setting carries | USD/month, as changed |`,
    '|---:|---|---|---|---:|',
  ];
  for (const gbPerDay of volumesGbPerDay) {
    const plan = sizingPlan(config, { gbPerDay, peakFactor: config.volume.peakFactor });
    const short = plan.hops.filter((h) => !h.ok);
    rows.push(
      `| ${(gbPerDay / 1000).toLocaleString('en-US')} TB/day | ${short.length === 0 ? 'yes' : `no: ${short.map((h) => h.hop).join(', ')}`} | ${plan.changes.join('; ') || 'as configured'} | ${plan.unfixable.map((h) => `${h.hop} (${h.need})`).join('; ') || '—'} | ${estimate(plan.sized, gbPerDay, options).totalUsd.toFixed(2)} |`,
    );
  }
  return rows.join('\n');
}
