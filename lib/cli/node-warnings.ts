/**
 * The AWS SDK warns, once per loaded copy (ours and every fresh load of a bundled handler), that it will
 * need Node 22 from January 2027. Lambda already runs Node 22 (lib/lambda-bundling.ts); this machine may
 * run 20. Shown once, on one line, instead of a multi-line block per copy.
 */
const NODE_VERSION_WARNING = 'NodeVersionSupportWarning';

let installed = false;

export function showNodeVersionWarningOnce(print: (line: string) => void = console.log): void {
  if (installed) return;
  installed = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  let shown = false;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith(NODE_VERSION_WARNING)) {
      if (!shown) print(`note: this is Node ${process.version}; the AWS SDK will need Node >= 22 from January 2027`);
      shown = true;
      return;
    }
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
