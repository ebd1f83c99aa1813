/**
 * Builds a Lambda exactly as the CDK app does (bundleFunction of lib/lambda-bundling.ts: the same esbuild
 * run, the same files) into .local/build/<function>/ and loads its index.js, so local runs exercise the
 * shipped artifact, not the TypeScript sources.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { BundleError, bundleFiles, bundleFunction, functionEnvironment } from '../lib/lambda-bundling';
import { PROJECT_ROOT } from '../lib/project-paths';
import type { CustomFormatDefinition } from '../lambda/shared/parsers/custom-format';

export { BundleError };

export const LOCAL_BUILD_DIR = path.join(PROJECT_ROOT, '.local', 'build');

/**
 * Bundles lambda/<functionName>/ (index.js and its separate modules, and the custom formats as the CDK
 * asset holds them); returns the path of index.js.
 */
export async function bundleLambda(functionName: string, customFormats: readonly CustomFormatDefinition[] = []): Promise<string> {
  const outdir = path.join(LOCAL_BUILD_DIR, functionName);
  bundleFunction(functionName, outdir, customFormats);
  return path.join(outdir, 'index.js');
}

export interface LoadOptions {
  /**
   * Send the function's log output (Powertools logs and metrics) to this file instead of the terminal.
   * @default output goes to the terminal unchanged
   */
  readonly logFile?: string;
}

/**
 * Loads a bundle's `handler` in this process. The function's environment (functionEnvironment) is set
 * where not already set. Set the SDK environment (endpoints, region, credentials) before calling: the
 * handler's module-scope clients read it when the module loads. Each call loads a fresh copy, so a new
 * endpoint takes effect.
 */
export function loadBundledHandler<Event, Result>(bundlePath: string, options: LoadOptions = {}): (event: Event) => Promise<Result> {
  for (const [name, value] of Object.entries(functionEnvironment(path.basename(path.dirname(bundlePath))))) {
    process.env[name] ??= value;
  }
  const { logFile } = options;
  if (logFile !== undefined) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    // Dev mode makes Powertools write through the global console, which withConsoleTo redirects; dev
    // mode would also silence metrics, so keep them explicitly (they land in the file too).
    process.env.POWERTOOLS_DEV = 'true';
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  }
  const requireBundle = createRequire(bundlePath);
  const resolved = requireBundle.resolve(bundlePath);
  // The separate modules next to it too (bundleFiles), loaded again when the fresh copy first needs them.
  for (const file of bundleFiles(path.basename(path.dirname(bundlePath))))
    delete requireBundle.cache[path.join(path.dirname(resolved), file)];
  delete requireBundle.cache[resolved];
  const loaded: unknown = requireBundle(resolved);
  const handler = (loaded as { handler?: unknown }).handler;
  if (typeof handler !== 'function') {
    throw new BundleError(`${path.relative(PROJECT_ROOT, bundlePath)} does not export a 'handler' function`);
  }
  const invoke = handler as (event: Event) => Promise<Result>;
  return logFile === undefined ? invoke : (event) => withConsoleTo(logFile, () => invoke(event));
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Runs `action` with console output appended to `file` (one invocation at a time, as Lambda runs them). */
async function withConsoleTo<T>(file: string, action: () => Promise<T>): Promise<T> {
  const saved = CONSOLE_METHODS.map((method) => console[method]);
  const write = (...args: unknown[]) =>
    fs.appendFileSync(file, `${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
  for (const method of CONSOLE_METHODS) console[method] = write;
  try {
    return await action();
  } finally {
    CONSOLE_METHODS.forEach((method, i) => (console[method] = saved[i]));
  }
}
