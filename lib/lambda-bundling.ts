/**
 * How every Lambda in this app is bundled. The CDK construct (lib/constructs/pipeline-function.ts) and the
 * local tools (`npm run local`, `npm run bench`, integration tests) read the same settings, so what runs
 * on this machine is the same bundle that `cdk deploy` ships.
 */
import * as path from 'node:path';
import { METRICS_NAMESPACE } from '../lambda/shared/metric-names';
import { PROJECT_ROOT } from './project-paths';

/** Node.js major version of the Lambda runtime; esbuild targets the same. */
export const LAMBDA_NODE_MAJOR = 24;

export const LAMBDA_BUNDLING = {
  target: `node${LAMBDA_NODE_MAJOR}`,
  format: 'cjs' as const,
  platform: 'node' as const,
  minify: true,
  // Kept, with NODE_OPTIONS=--enable-source-maps (lib/constructs/pipeline-function.ts), so stack traces in
  // the logs point at the TypeScript. Its cost, `npm run bench -- --only cold-start`: 18-40 ms more per
  // cold start on this loaded machine (Node parses the 2.2 MB map at load) and nothing on warm
  // invocations, which are nearly all of a Firehose-fed function's calls. See README (Benchmarks).
  sourcemap: true,
  // Lambda's Node.js runtime ships AWS SDK v3, but pinning our own copy keeps local runs and Lambda identical.
  external: [] as string[],
};

/** Entry file of a function, by its folder name under lambda/. */
export function lambdaEntry(functionName: string): string {
  return path.join(PROJECT_ROOT, 'lambda', functionName, 'index.ts');
}

/** Namespace of every function's Powertools metrics (named once, in lambda/shared/metric-names.ts). */
export { METRICS_NAMESPACE };

/**
 * The Powertools environment every function gets, deployed (lib/constructs/pipeline-function.ts) or
 * loaded locally (local/bundle.ts): service named after the function's folder, one metrics namespace.
 */
export function functionEnvironment(functionDir: string, metricsNamespace: string = METRICS_NAMESPACE): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: functionDir,
    POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
  };
}
