/**
 * CDK writes "Bundling asset <construct path>..." to stderr for every asset it bundles, straight to the
 * stream rather than through console, so jest prints a few dozen of them between the results. Drop exactly
 * those lines; everything else (esbuild's warnings and errors included) still shows. Guarded so the
 * wrapper is installed once per worker, not once per test file.
 */
const BUNDLING_NOTICE = /^Bundling asset [^\n]*\.\.\.\n$/;
const installed = Symbol.for('log-pipeline.quiet-bundling');
const stderr = process.stderr as NodeJS.WriteStream & { [installed]?: true };

if (!stderr[installed]) {
  const write = stderr.write.bind(stderr) as (...args: unknown[]) => boolean;
  stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && BUNDLING_NOTICE.test(chunk) ? true : write(chunk, ...rest)) as typeof stderr.write;
  stderr[installed] = true;
}
