/**
 * Bundles the demo log generator (generator/cli.ts) into one JavaScript file for the host, with esbuild's
 * JS API at synth (no Docker). The host runs it with AL2023's Node.js; the bundle uses the standard library only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { PROJECT_ROOT } from '../../project-paths';
import { GENERATOR_NODE_MAJOR } from './boot-script';

/** Entry of the generator's command line. */
export const GENERATOR_ENTRY = path.join(PROJECT_ROOT, 'generator', 'cli.ts');

/** File name of the bundle inside its directory (and on the host, see DEMO_PATHS.bundle). */
export const GENERATOR_BUNDLE_FILE = 'generator.js';

/** Bundles built in this process, by entry: one synth of several stages bundles once. */
const built = new Map<string, string>();

/**
 * Builds the bundle into a fresh temporary directory and returns the directory. The output depends only on
 * the sources, so the S3 asset's content hash changes only when the generator does.
 */
export function bundleGenerator(entry: string = GENERATOR_ENTRY): string {
  const cached = built.get(entry);
  if (cached && fs.existsSync(path.join(cached, GENERATOR_BUNDLE_FILE))) return cached;
  if (!fs.existsSync(entry)) {
    throw new Error(`The demo log generator's entry ${entry} does not exist; it is bundled for the log host at synth`);
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-generator-'));
  const result = buildSync({
    entryPoints: [entry],
    outfile: path.join(outdir, GENERATOR_BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    target: `node${GENERATOR_NODE_MAJOR}`,
    format: 'cjs',
    minify: false, // readable on the host, and small anyway
    legalComments: 'none',
    logLevel: 'silent',
  });
  if (result.errors.length > 0) {
    throw new Error(`Bundling ${entry} failed:\n${result.errors.map((e) => e.text).join('\n')}`);
  }
  built.set(entry, outdir);
  return outdir;
}
