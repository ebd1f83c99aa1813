/**
 * The lines a local run sends: the generator's realistic lines with a few malformed ones mixed in at
 * fixed positions, packed into Kinesis record payloads the way a log agent does.
 */
import { generateLogLines, type LogFormat } from '../generator/log-lines';

/**
 * Lines no parser should recognise, each a way real logs go wrong. They must come out as 'unparsed'
 * records (or ProcessingFailed), never vanish.
 */
export const MALFORMED_LINES: readonly Buffer[] = [
  Buffer.from('this is not a log line at all'),
  // Access log cut off before status and size (agent read a half-written line).
  Buffer.from('10.0.0.7 - - [01/Jan/2026:00:00:01 +0000] "GET /index.html HTTP/1.1'),
  Buffer.from('{"level":"info","msg":"unterminated json'),
  Buffer.from('<999>Jan  1 00:00:00 host app: priority out of range'),
  Buffer.from('\u0000\u0001\u0002 control characters \u001b[31m in a line'),
  // Not UTF-8 at all (Latin-1 bytes from a legacy app).
  Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe, 0x20, 0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31]),
  Buffer.from(`oversized line ${'x'.repeat(64 * 1024)}`),
];

export type ExpectedKind = LogFormat | 'malformed';

export interface Corpus {
  /** One entry per line, in send order. */
  readonly lines: readonly Buffer[];
  /** What each line is: the generator's format, or 'malformed'. */
  readonly expected: readonly ExpectedKind[];
  /** Kinesis record payloads: `linesPerRecord` lines each, '\n'-terminated. */
  readonly payloads: readonly Buffer[];
}

export interface CorpusOptions {
  /** Lines in total, malformed ones included. */
  readonly lines: number;
  /** @default 1 */
  readonly seed?: number;
  /** Mix in MALFORMED_LINES. @default true */
  readonly malformed?: boolean;
  /** Lines per Kinesis record (agents may pack several). @default 1 */
  readonly linesPerRecord?: number;
  /** Time of the first generated line. @default the generator's default */
  readonly start?: Date;
}

export function buildCorpus(options: CorpusOptions): Corpus {
  const linesPerRecord = options.linesPerRecord ?? 1;
  if (!Number.isInteger(linesPerRecord) || linesPerRecord < 1) {
    throw new RangeError(`linesPerRecord must be a positive integer, got ${linesPerRecord}`);
  }
  const malformed = options.malformed === false ? [] : MALFORMED_LINES.slice(0, Math.max(0, options.lines));
  const generated = generateLogLines({ count: options.lines - malformed.length, seed: options.seed, start: options.start });

  const lines: Buffer[] = generated.map((g) => Buffer.from(g.line));
  const expected: ExpectedKind[] = generated.map((g) => g.format);
  // Spread the malformed lines evenly so they land in different records, shards and batches.
  malformed.forEach((line, i) => {
    const at = Math.floor(((i + 1) * lines.length) / (malformed.length + 1));
    lines.splice(at, 0, line);
    expected.splice(at, 0, 'malformed');
  });

  const payloads: Buffer[] = [];
  for (let i = 0; i < lines.length; i += linesPerRecord) {
    payloads.push(Buffer.concat(lines.slice(i, i + linesPerRecord).flatMap((line) => [line, Buffer.from('\n')])));
  }
  return { lines, expected, payloads };
}
