/**
 * What the project's commands share on their command line:
 *   - `--help` / `-h`: every command answers it the same way (renderHelp: usage, what it does, options;
 *     printed to stdout, exit 0), before it parses anything else or starts work;
 *   - the options `npm run cost` and `npm run verify` share with the CDK CLI's spelling: `-c stage=<stage>`
 *     (or `--context stage=<stage>`), plus `--name value` / `--name=value` and bare flags (parseArgs).
 * Node's standard library only: the demo generator, bundled for the EC2 host, uses it too.
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

/** One option of a command's help: its spelling ('--lines N') and what it does (may span lines with '\n'). */
export interface CommandOption {
  readonly name: string;
  readonly description: string;
}

/** What `--help` prints for a command. */
export interface CommandHelp {
  /** The command line, after 'usage: ' (e.g. 'npm run verify -- -c stage=<stage> [options]'). */
  readonly usage: string;
  /** What the command does, in a sentence or two. */
  readonly summary: string;
  /** Its options, without --help (every command has that one; renderHelp adds it). */
  readonly options: readonly CommandOption[];
}

const HELP_OPTION: CommandOption = { name: '-h, --help', description: 'print this help and exit' };

/**
 * The help text every command prints the same way:
 *
 *   usage: <usage>
 *
 *   <summary>
 *
 *   options:
 *     <name>  <description>
 *     -h, --help  print this help and exit
 */
export function renderHelp(help: CommandHelp): string {
  const options = [...help.options, HELP_OPTION];
  const width = Math.max(...options.map((o) => o.name.length));
  const lines = options.flatMap((o) =>
    o.description.split('\n').map((text, i) => `  ${(i === 0 ? o.name : '').padEnd(width)}  ${text}`.trimEnd()),
  );
  return [`usage: ${help.usage}`, '', help.summary, '', 'options:', ...lines].join('\n');
}

/** Whether the arguments ask for help: '--help' or '-h' anywhere. */
export function asksForHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * When the arguments ask for help: prints renderHelp(help) to stdout and exits 0. Call it first, so help
 * never depends on the other arguments being valid and never starts any work.
 */
export function answerHelp(argv: readonly string[], help: CommandHelp): void {
  if (!asksForHelp(argv)) return;
  process.stdout.write(`${renderHelp(help)}\n`);
  process.exit(0);
}
