/**
 * Cold start of the bundled Firehose transform: loading its bundle as a whole fresh `node` process (what a
 * Lambda cold start pays before the first event, runtime start-up aside), against an empty handler bundled
 * with the same settings, in the same run. Rounds interleave every variant and the report takes medians, so
 * the ratio holds on a loaded machine. The source map's cost is the same load with --enable-source-maps
 * (what NODE_OPTIONS would turn on in Lambda) against the load without it. The overflow path's file
 * (kinesis-client.js, loaded on a batch's first overflow) is timed too: what that first overflow pays.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUNDLING, SEPARATE_MODULES } from '../lib/lambda-bundling';
import { bundleLambda, LOCAL_BUILD_DIR } from '../local/bundle';
import { median } from './transform-bench';

export interface ColdStartResult {
  readonly rounds: number;
  /** Median whole-process wall time of loading each variant's bundle, in ms. */
  readonly medianMs: Record<Variant, number>;
  readonly ratio: number;
  readonly ratioWithMaps: number;
  readonly sourceMapCostMs: number;
  /** What loading the overflow path's file adds, once, on the first batch that overflows (with source maps). */
  readonly overflowLoadMs: number;
  /** index.js, the file a cold start loads. */
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  /** kinesis-client.js, loaded on the first overflow. */
  readonly overflowBytes: number;
}

type Variant = 'empty' | 'handler' | 'emptyWithMaps' | 'handlerWithMaps' | 'handlerAndOverflowWithMaps';

/** The transform's file that only the overflow path loads (lib/lambda-bundling.ts SEPARATE_MODULES). */
const OVERFLOW_MODULE = SEPARATE_MODULES['firehose-transform'][0];

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

/**
 * One fresh process that loads the bundle and checks it exports a handler (and, with `alsoRequire`, loads
 * that file next to it and checks what it exports); its wall time in ms.
 */
function loadInFreshProcess(bundle: string, sourceMaps: boolean, alsoRequire?: string): number {
  const also =
    alsoRequire === undefined
      ? ''
      : `if (typeof require(${JSON.stringify(path.join(path.dirname(bundle), alsoRequire))}).reingestRecords !== 'function') process.exit(4);`;
  const script = `if (typeof require(${JSON.stringify(bundle)}).handler !== 'function') process.exit(3);${also}`;
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
  const variants: Record<Variant, [string, boolean, string?]> = {
    empty: [empty, false],
    handler: [handler, false],
    emptyWithMaps: [empty, true],
    handlerWithMaps: [handler, true],
    handlerAndOverflowWithMaps: [handler, true, OVERFLOW_MODULE],
  };
  const times: Record<Variant, number[]> = {
    empty: [],
    handler: [],
    emptyWithMaps: [],
    handlerWithMaps: [],
    handlerAndOverflowWithMaps: [],
  };
  const names = Object.keys(variants) as (keyof typeof variants)[];
  // One warm-up round (file cache), then interleaved rounds, the order rotating so none always goes first.
  for (const name of names) loadInFreshProcess(...variants[name]);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      times[name].push(loadInFreshProcess(...variants[name]));
    }
  }
  const medianMs = Object.fromEntries(names.map((name) => [name, median(times[name])])) as Record<Variant, number>;
  return {
    rounds,
    medianMs,
    ratio: medianMs.handler / medianMs.empty,
    ratioWithMaps: medianMs.handlerWithMaps / medianMs.emptyWithMaps,
    sourceMapCostMs: medianMs.handlerWithMaps - medianMs.handler,
    overflowLoadMs: medianMs.handlerAndOverflowWithMaps - medianMs.handlerWithMaps,
    bundleBytes: fs.statSync(handler).size,
    sourceMapBytes: fs.existsSync(`${handler}.map`) ? fs.statSync(`${handler}.map`).size : 0,
    overflowBytes: fs.statSync(path.join(path.dirname(handler), `${OVERFLOW_MODULE}.js`)).size,
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
    `  first overflow       ${ms(r.overflowLoadMs)} more, once, to load ${OVERFLOW_MODULE}.js (${(r.overflowBytes / 1024).toFixed(0)} KiB, with source maps)`,
  ].join('\n');
}
