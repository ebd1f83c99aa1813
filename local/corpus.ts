/**
 * The lines a local run sends: the generator's realistic lines with a few malformed ones mixed in at
 * fixed positions, packed into Kinesis record payloads the way a log agent does.
 */
import { DEFAULT_LINES_PER_SECOND, generateLogLines, type LogFormat } from '../generator/log-lines';
import { STAGE_CONFIGS } from '../lib/config';
import { KINESIS_AGGREGATED_RECORD_MAX_BYTES } from '../lib/constructs/log-host/agent-config';

/**
 * Lines in one agent flush by default: the generator stamps lines at DEFAULT_LINES_PER_SECOND and the dev
 * agent flushes every `host.agent.flushSeconds`, so a flush holds that many seconds of lines.
 */
export const DEFAULT_LINES_PER_FLUSH = DEFAULT_LINES_PER_SECOND * STAGE_CONFIGS.dev.host.agent.flushSeconds;

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
  /** Kinesis record payloads: lines each followed by '\n', packed as `CorpusOptions.linesPerRecord` says. */
  readonly payloads: readonly Buffer[];
}

export interface CorpusOptions {
  /** Lines in total, malformed ones included. */
  readonly lines: number;
  /** @default 1 */
  readonly seed?: number;
  /** Mix in MALFORMED_LINES. @default true */
  readonly malformed?: boolean;
  /**
   * Lines per Kinesis record, for experiments.
   * @default - packed as the agent packs them (packLikeAgent): each flush of DEFAULT_LINES_PER_FLUSH lines
   * into records of up to KINESIS_AGGREGATED_RECORD_MAX_BYTES
   */
  readonly linesPerRecord?: number;
  /** Lines per agent flush when packing like the agent. @default DEFAULT_LINES_PER_FLUSH */
  readonly linesPerFlush?: number;
  /** Time of the first generated line. @default the generator's default */
  readonly start?: Date;
}

export function buildCorpus(options: CorpusOptions): Corpus {
  const { linesPerRecord } = options;
  if (linesPerRecord !== undefined && (!Number.isInteger(linesPerRecord) || linesPerRecord < 1)) {
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

  return { lines, expected, payloads: packLines(lines, linesPerRecord, options.linesPerFlush) };
}

/**
 * Kinesis record payloads of `lines`: `linesPerRecord` lines each, or, when undefined, packed as the agent
 * packs them (packLikeAgent, flushes of `linesPerFlush` lines).
 */
export function packLines(
  lines: readonly Buffer[],
  linesPerRecord: number | undefined,
  linesPerFlush: number = DEFAULT_LINES_PER_FLUSH,
): Buffer[] {
  if (linesPerRecord === undefined) return packLikeAgent(lines, linesPerFlush);
  const payloads: Buffer[] = [];
  for (let i = 0; i < lines.length; i += linesPerRecord) {
    payloads.push(Buffer.concat(lines.slice(i, i + linesPerRecord).flatMap((line) => [line, NEWLINE])));
  }
  return payloads;
}

const NEWLINE = Buffer.from('\n');

/**
 * Packs lines into record payloads as Fluent Bit's kinesis_streams output does with `simple_aggregation`: each
 * line followed by '\n' into the current record until the next would pass `maxRecordBytes`, and what a flush
 * holds sent at its end (a flush never shares a record with the next). A line that cannot fit a record alone is
 * an error here (the agent would discard it with a warning; the local run must lose nothing).
 */
export function packLikeAgent(
  lines: readonly Buffer[],
  linesPerFlush: number,
  maxRecordBytes: number = KINESIS_AGGREGATED_RECORD_MAX_BYTES,
): Buffer[] {
  if (!Number.isInteger(linesPerFlush) || linesPerFlush < 1)
    throw new RangeError(`linesPerFlush must be a positive integer, got ${linesPerFlush}`);
  const payloads: Buffer[] = [];
  for (let flush = 0; flush < lines.length; flush += linesPerFlush) {
    let record: Buffer[] = [];
    let size = 0;
    for (const [offset, line] of lines.slice(flush, flush + linesPerFlush).entries()) {
      if (line.length + 1 > maxRecordBytes) {
        throw new RangeError(
          `line ${flush + offset} is ${line.length + 1} bytes with its newline; a packed record holds at most ${maxRecordBytes}`,
        );
      }
      if (size + line.length + 1 > maxRecordBytes) {
        payloads.push(Buffer.concat(record));
        record = [];
        size = 0;
      }
      record.push(line, NEWLINE);
      size += line.length + 1;
    }
    if (record.length > 0) payloads.push(Buffer.concat(record));
  }
  return payloads;
}
