/**
 * What a local run sends down both paths: the generator's corpus (formats known line by line, so each path's
 * records per format are checked against what was sent), or the user's files (--logs: streamed in batches,
 * formats found only by the parsers, so records per format are reported and the total is checked).
 */
import { buildCorpus, type ExpectedKind } from './corpus';
import { readLogLines, type LogFilesScan } from './log-files';
import { withErrorBurst } from './realtime/burst';

export interface LogsInput {
  /** PATH as given to --logs. */
  readonly spec: string;
  readonly scan: LogFilesScan;
}

export interface LineSource {
  /** For progress lines: "5,000 generated lines" or "12,345 lines of 3 files (--logs logs/)". */
  readonly description: string;
  readonly lines: number;
  readonly bytes: number;
  /** The format of each line sent, when known (the generator's); undefined for the user's own logs. */
  readonly expected: readonly ExpectedKind[] | undefined;
  /** The lines in send order, in batches (the generator's in one). A new pass over them on each call. */
  batches(): AsyncIterable<Buffer[]>;
}

export interface LineSourceOptions {
  readonly lines: number;
  readonly seed: number;
  readonly malformed: boolean;
  readonly logs: LogsInput | undefined;
  /**
   * Insert the realtime step's burst of 5xx lines into the generator's lines (never into the user's own logs).
   * The burst's lines are not in `expected`, so a source with them reports no line-by-line formats.
   * @default false
   */
  readonly errorBurst?: boolean;
}

export function lineSource(options: LineSourceOptions): LineSource {
  const { logs } = options;
  if (logs) {
    const files = logs.scan.files.length;
    return {
      description: `${logs.scan.lines.toLocaleString('en-US')} lines of ${files} file${files === 1 ? '' : 's'} (--logs ${logs.spec})`,
      lines: logs.scan.lines,
      bytes: logs.scan.bytes,
      expected: undefined,
      batches: () => readLogLines(logs.scan.files),
    };
  }
  const corpus = buildCorpus({ lines: options.lines, seed: options.seed, malformed: options.malformed, linesPerRecord: 1 });
  const lines = options.errorBurst === true ? withErrorBurst(corpus) : (corpus.lines as Buffer[]);
  return {
    description: `${lines.length.toLocaleString('en-US')} generated lines${options.errorBurst === true ? ' (with a burst of 5xx lines)' : ''}`,
    lines: lines.length,
    bytes: lines.reduce((sum, l) => sum + l.length, 0),
    expected: options.errorBurst === true ? undefined : corpus.expected,
    batches: async function* () {
      yield lines;
    },
  };
}
