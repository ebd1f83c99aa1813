/**
 * The options `npm run cost` and `npm run verify` share with the CDK CLI's spelling: `-c stage=<stage>`
 * (or `--context stage=<stage>`), plus `--name value` / `--name=value` and bare flags.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  readonly context: Record<string, string>;
  readonly options: Record<string, string | true>;
}

export function parseArgs(argv: readonly string[], valued: readonly string[], flags: readonly string[]): ParsedArgs {
  const context: Record<string, string> = {};
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-c' || arg === '--context') {
      const pair = argv[++i];
      const eq = pair?.indexOf('=') ?? -1;
      if (pair === undefined || eq <= 0) throw new UsageError(`${arg} needs key=value, e.g. ${arg} stage=dev`);
      context[pair.slice(0, eq)] = pair.slice(eq + 1);
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new UsageError(`unexpected argument '${arg}'`);
    const [, name, inline] = match;
    if (flags.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else if (valued.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      options[name] = value;
    } else {
      throw new UsageError(`unknown option --${name} (known: ${[...valued, ...flags].map((o) => `--${o}`).join(', ')})`);
    }
  }
  return { context, options };
}
