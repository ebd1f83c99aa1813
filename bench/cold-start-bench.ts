/**
 * Cold start of the bundled Firehose transform: loading its bundle as a whole fresh `node` process (what a
 * Lambda cold start pays before the first event, runtime start-up aside), against an empty handler bundled
 * with the same settings, in the same run. Rounds interleave every variant and the report takes medians, so
 * the ratio holds on a loaded machine. The source map's cost is the same load with --enable-source-maps
 * (what NODE_OPTIONS would turn on in Lambda) against the load without it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUNDLING } from '../lib/lambda-bundling';
import { bundleLambda, LOCAL_BUILD_DIR } from '../local/bundle';
import { median } from './transform-bench';

export interface ColdStartResult {
  readonly rounds: number;
  /** Median whole-process wall time of loading each variant's bundle, in ms. */
  readonly medianMs: Record<'empty' | 'handler' | 'emptyWithMaps' | 'handlerWithMaps', number>;
  readonly ratio: number;
  readonly ratioWithMaps: number;
  readonly sourceMapCostMs: number;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
}

const TARGET_RATIO = 1.3;

/** The empty handler: same bundling settings, nothing imported. */
async function bundleEmptyHandler(): Promise<string> {
  const outfile = path.join(LOCAL_BUILD_DIR, 'empty-handler', 'index.js');
  await build({
    ...LAMBDA_BUNDLING,
    external: [...LAMBDA_BUNDLING.external],
    stdin: { contents: 'export const handler = async () => ({ records: [] });', loader: 'ts', resolveDir: LOCAL_BUILD_DIR },
    outfile,
    bundle: true,
    logLevel: 'warning',
  });
  return outfile;
}

/** One fresh process that loads the bundle and checks it exports a handler; its wall time in ms. */
function loadInFreshProcess(bundle: string, sourceMaps: boolean): number {
  const script = `if (typeof require(${JSON.stringify(bundle)}).handler !== 'function') process.exit(3);`;
  const args = [...(sourceMaps ? ['--enable-source-maps'] : []), '-e', script];
  const env = {
    ...process.env,
    NODE_OPTIONS: '',
    POWERTOOLS_SERVICE_NAME: 'firehose-transform',
    POWERTOOLS_METRICS_NAMESPACE: 'Bench',
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  };
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`loading ${bundle} failed (exit ${run.status}): ${run.stderr.toString().trim()}`);
  return ms;
}

export async function runColdStartBench(options: { rounds?: number } = {}): Promise<ColdStartResult> {
  const rounds = options.rounds ?? 21;
  const handler = await bundleLambda('firehose-transform');
  const empty = await bundleEmptyHandler();
  const variants: Record<keyof ColdStartResult['medianMs'], [string, boolean]> = {
    empty: [empty, false],
    handler: [handler, false],
    emptyWithMaps: [empty, true],
    handlerWithMaps: [handler, true],
  };
  const times: Record<keyof typeof variants, number[]> = { empty: [], handler: [], emptyWithMaps: [], handlerWithMaps: [] };
  const names = Object.keys(variants) as (keyof typeof variants)[];
  // One warm-up round (file cache), then interleaved rounds, the order rotating so none always goes first.
  for (const name of names) loadInFreshProcess(...variants[name]);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      times[name].push(loadInFreshProcess(...variants[name]));
    }
  }
  const medianMs = { empty: median(times.empty), handler: median(times.handler), emptyWithMaps: median(times.emptyWithMaps), handlerWithMaps: median(times.handlerWithMaps) };
  return {
    rounds,
    medianMs,
    ratio: medianMs.handler / medianMs.empty,
    ratioWithMaps: medianMs.handlerWithMaps / medianMs.emptyWithMaps,
    sourceMapCostMs: medianMs.handlerWithMaps - medianMs.handler,
    bundleBytes: fs.statSync(handler).size,
    sourceMapBytes: fs.existsSync(`${handler}.map`) ? fs.statSync(`${handler}.map`).size : 0,
  };
}

export function formatColdStartReport(r: ColdStartResult): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const verdict = r.ratio <= TARGET_RATIO ? 'within' : 'OVER';
  return [
    `Cold start: module load of the bundled transform as a fresh node process vs an empty handler (${r.rounds} interleaved rounds, medians)`,
    `  empty handler        ${ms(r.medianMs.empty)}`,
    `  transform handler    ${ms(r.medianMs.handler)}   (bundle ${(r.bundleBytes / 1024).toFixed(0)} KiB)`,
    `  ratio                ${r.ratio.toFixed(2)}x the empty handler (target <= ${TARGET_RATIO}x: ${verdict})`,
    `  with source maps     ${ms(r.medianMs.handlerWithMaps)} vs ${ms(r.medianMs.emptyWithMaps)} empty: ${r.ratioWithMaps.toFixed(2)}x`,
    `  source map cost      ${ms(r.sourceMapCostMs)} per cold start with --enable-source-maps (map ${(r.sourceMapBytes / 1024 / 1024).toFixed(1)} MiB)`,
  ].join('\n');
}
