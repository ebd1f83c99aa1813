/**
 * How every Lambda in this app is bundled. The CDK construct (lib/constructs/pipeline-function/pipeline-function.ts) and the
 * local tools (`npm run local`, `npm run bench`, integration tests) both call bundleFunction below, so what
 * runs on this machine is the same set of files that `cdk deploy` ships.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { METRICS_NAMESPACE } from '../contracts/metric-names';
import { CUSTOM_FORMATS_FILE, type CustomFormatDefinition } from '../lambda/shared/parsers/custom-format';
import { PROJECT_ROOT } from './project-paths';

/** Node.js major version of the Lambda runtime; esbuild targets the same. */
export const LAMBDA_NODE_MAJOR = 24;

export const LAMBDA_BUNDLING = {
  target: `node${LAMBDA_NODE_MAJOR}`,
  format: 'cjs' as const,
  platform: 'node' as const,
  minify: true,
  // Kept, with NODE_OPTIONS=--enable-source-maps (lib/constructs/pipeline-function/pipeline-function.ts), so stack traces in
  // the logs point at the TypeScript. Its cost, `npm run bench -- --only cold-start`: 0.5-3 ms more per
  // transform cold start (Node parses index.js's 0.4 MiB map at load; it was 27 ms with the SDK in the same
  // file), the overflow path's 1.8 MiB map only when that file loads, and nothing on warm invocations,
  // which are nearly all of a Firehose-fed function's calls. See docs/benchmarks.md.
  sourcemap: true,
  // Lambda's Node.js runtime ships AWS SDK v3, but pinning our own copy keeps local runs and Lambda identical.
  external: [] as string[],
};

/**
 * Modules a function loads with a runtime `require('./<name>')` only when it needs them, built as files of
 * their own next to its index.js (each an esbuild entry point, external to index.js), so a cold start
 * neither compiles nor runs them. The transform's overflow path: the Kinesis client and re-ingest (the AWS
 * SDK, ~90% of its code) are needed only when a batch does not fit in one response. Measured with
 * `npm run bench -- --only cold-start` (docs/benchmarks.md).
 */
export const SEPARATE_MODULES: Readonly<Record<string, readonly string[]>> = {
  'firehose-transform': ['kinesis-client'],
  // kafkajs and the MSK IAM signer (with its STS client), loaded only when RECORDS_TOPIC is set.
  'kafka-consumer': ['records-producer'],
};

/** Entry file of a function, by its folder name under lambda/. */
export function lambdaEntry(functionName: string): string {
  return path.join(PROJECT_ROOT, 'lambda', functionName, 'index.ts');
}

/** The files bundleFunction writes for a function: index.js, then its separate modules, each with its source map. */
export function bundleFiles(functionName: string): string[] {
  const names = ['index', ...(SEPARATE_MODULES[functionName] ?? [])];
  return names.flatMap((name) => [`${name}.js`, ...(LAMBDA_BUNDLING.sourcemap ? [`${name}.js.map`] : [])]);
}

/** Thrown when a function's entry (or one of its separate modules) is missing. */
export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

/**
 * The esbuild entry points of a function: lambda/<functionName>/index.ts, then its separate modules;
 * a missing one is refused, named.
 */
export function functionEntries(functionName: string): string[] {
  const entries = [
    lambdaEntry(functionName),
    ...(SEPARATE_MODULES[functionName] ?? []).map((name) => path.join(PROJECT_ROOT, 'lambda', functionName, `${name}.ts`)),
  ];
  for (const entry of entries) {
    if (!fs.existsSync(entry)) throw new BundleError(`Lambda entry ${path.relative(PROJECT_ROOT, entry)} does not exist`);
  }
  return entries;
}

/**
 * Bundles lambda/<functionName>/index.ts and its separate modules into `outdir` (index.js, <module>.js and
 * their maps): what the CDK asset holds and what the local tools load. One esbuild run, one entry point
 * per file and no code splitting (CJS), so each file is whole on its own.
 */
export function bundleFunction(functionName: string, outdir: string, customFormats: readonly CustomFormatDefinition[] = []): void {
  buildSync(functionBuildOptions(functionName, outdir));
  writeCustomFormats(outdir, customFormats);
}

/**
 * The stage's custom formats as a file next to index.js (CUSTOM_FORMATS_FILE), which the parsers load at
 * cold start: in the asset, so nothing is fetched at run time, and not in an environment variable, where
 * all of a function's variables share 4 KB ("Lambda quotas", environment variables "4 KB, total",
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * No formats, no file (a stale one from an earlier local build is removed).
 */
export function writeCustomFormats(outdir: string, customFormats: readonly CustomFormatDefinition[]): void {
  const file = path.join(outdir, CUSTOM_FORMATS_FILE);
  if (customFormats.length === 0) fs.rmSync(file, { force: true });
  else fs.writeFileSync(file, `${JSON.stringify(customFormats, null, 2)}\n`);
}

/** bundleFunction's esbuild options. */
function functionBuildOptions(functionName: string, outdir: string): BuildOptions {
  return {
    ...LAMBDA_BUNDLING,
    // As index.ts writes it: esbuild leaves `require('./kinesis-client')` for Node to resolve at run time.
    external: [...LAMBDA_BUNDLING.external, ...(SEPARATE_MODULES[functionName] ?? []).map((name) => `./${name}`)],
    entryPoints: functionEntries(functionName),
    outdir,
    bundle: true,
    // Warnings and errors only: no size summary at every synth.
    logLevel: 'warning',
  };
}

/** Namespace of every function's Powertools metrics (named once, in contracts/metric-names.ts). */
export { METRICS_NAMESPACE };

/**
 * The Powertools environment every function gets, deployed (lib/constructs/pipeline-function/pipeline-function.ts) or
 * loaded locally (local/bundle.ts): service named after the function's folder, one metrics namespace.
 */
export function functionEnvironment(functionDir: string, metricsNamespace: string = METRICS_NAMESPACE): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: functionDir,
    POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
  };
}
