/**
 * Demo log writer: emits generated log lines to stdout or appends them to a file.
 *
 *   node generator.js --format combined --file /var/log/demo/access.log --rate 5     # forever, 5 lines/s
 *   node generator.js --format syslog_rfc3164,json --count 1000                      # 1000 lines, then exit
 *
 * Bundled by esbuild into one file and run by Node on the demo EC2 host, so standard library only.
 * Lines are stamped with the wall clock. SIGTERM/SIGINT stop it cleanly (exit 0) after the current write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { answerHelp, renderHelp, type CommandHelp } from '../lib/cli/args';
import { DEFAULT_SEED, LOG_FORMATS, LogFormat, LogLineStream, isLogFormat } from './log-lines';

export interface CliOptions {
  readonly formats: readonly LogFormat[];
  /** Append to this file; undefined writes to stdout. */
  readonly file?: string;
  /** Lines per second when running forever or with --count. */
  readonly rate: number;
  /** Stop after this many lines; undefined runs until signalled. */
  readonly count?: number;
  readonly seed: number;
}

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export const GENERATOR_HELP: CommandHelp = {
  usage: 'generator [--format <fmt>[,<fmt>...]|all] [--file <path>] [--rate <lines/s>] [--count <n>] [--seed <n>]',
  summary: 'Demo log writer: writes generated log lines, stamped with the wall clock, to stdout or appends them to a file.',
  options: [
    { name: '--format', description: `one or more of ${LOG_FORMATS.join(', ')} (default: all)` },
    { name: '--file', description: 'append to this file, creating it and its directory (default: stdout)' },
    { name: '--rate', description: 'lines per second (default: 5; with --count and no --rate, writes as fast as possible)' },
    { name: '--count', description: 'write this many lines, then exit (default: run until SIGTERM/SIGINT)' },
    { name: '--seed', description: `seed of the deterministic sequence (default: ${DEFAULT_SEED})` },
  ],
};

/** Parses argv (without node and script); throws CliUsageError with a message for the user. */
export function parseCliArgs(argv: readonly string[]): CliOptions & { rateGiven: boolean } {
  let formats: LogFormat[] = [...LOG_FORMATS];
  let file: string | undefined;
  let rate = 5;
  let rateGiven = false;
  let count: number | undefined;
  let seed = DEFAULT_SEED;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inlineValue] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg, '=') : [arg, undefined];
    const value = (): string => {
      const v = inlineValue ?? argv[++i];
      if (v === undefined || v === '') throw new CliUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--format': {
        const raw = value();
        if (raw === 'all') {
          formats = [...LOG_FORMATS];
          break;
        }
        formats = raw.split(',').map((name) => {
          if (!isLogFormat(name)) {
            throw new CliUsageError(`unknown format '${name}'; expected one of ${LOG_FORMATS.join(', ')} or 'all'`);
          }
          return name;
        });
        break;
      }
      case '--file':
        file = value();
        break;
      case '--rate':
        rate = Number(value());
        rateGiven = true;
        if (!Number.isFinite(rate) || rate <= 0) throw new CliUsageError('--rate must be a positive number');
        break;
      case '--count':
        count = Number(value());
        if (!Number.isInteger(count) || count < 0) throw new CliUsageError('--count must be a non-negative integer');
        break;
      case '--seed':
        seed = Number(value());
        if (!Number.isInteger(seed)) throw new CliUsageError('--seed must be an integer');
        break;
      default:
        throw new CliUsageError(`unknown argument '${arg}'`);
    }
  }
  return { formats, file, rate, rateGiven, count, seed };
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** Writes lines in batches; appendFileSync reopens the file each time, so logrotate's moves are followed. */
function makeSink(file: string | undefined): (text: string) => void {
  if (file === undefined) {
    return (text) => {
      process.stdout.write(text);
    };
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return (text) => fs.appendFileSync(file, text);
}

const MAX_BATCH_LINES = 10_000;
const TICK_MS = 100;

export async function runCli(options: CliOptions & { rateGiven: boolean }): Promise<void> {
  const stream = new LogLineStream({ seed: options.seed, formats: options.formats });
  const write = makeSink(options.file);
  let written = 0;
  const remaining = (): number => (options.count === undefined ? Infinity : options.count - written);

  const writeBatch = (n: number): void => {
    let text = '';
    const now = new Date();
    for (let i = 0; i < n; i++) text += `${stream.next(now).line}\n`;
    if (text !== '') write(text);
    written += n;
  };

  // --count without --rate: a one-shot dump, as fast as the sink takes it.
  if (options.count !== undefined && !options.rateGiven) {
    while (remaining() > 0) writeBatch(Math.min(MAX_BATCH_LINES, remaining()));
    return;
  }

  await new Promise<void>((resolve) => {
    const startedAt = Date.now();
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    const tick = (): void => {
      // Catch up to the rate from the start time, so timer jitter does not drift the average.
      const due = Math.floor(((Date.now() - startedAt) / 1000) * options.rate) - written;
      const n = Math.min(due, MAX_BATCH_LINES, remaining());
      if (n > 0) writeBatch(n);
      if (remaining() <= 0) stop();
    };
    const timer = setInterval(tick, Math.min(TICK_MS, 1000 / options.rate));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    tick();
  });
}

/** Waits for stdout to flush, so a piped consumer gets every line before exit. */
function flushStdout(): Promise<void> {
  return new Promise((resolve) => process.stdout.write('', () => resolve()));
}

async function main(): Promise<number> {
  answerHelp(process.argv.slice(2), GENERATOR_HELP);
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`generator: ${error.message}\n${renderHelp(GENERATOR_HELP)}\n`);
      return 2;
    }
    throw error;
  }
  // A closed pipe (e.g. `| head`) is a normal way to stop, not a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  await runCli(options);
  if (options.file === undefined) await flushStdout();
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`generator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
