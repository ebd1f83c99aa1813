/**
 * `npm run local -- --logs PATH`: a user's own log files instead of the generator's lines. PATH is a file, a
 * folder (every file under it) or a glob (`*`, `**`, `?`). Files are streamed, never read whole, and lines
 * keep their bytes (invalid UTF-8 included): a line ends where the pipeline's line splitting ends it
 * (lambda/shared/lines.ts: \n, \r\n or \r) and empty lines are skipped there too, so each line read here is
 * one record (or one failed line) out of either path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class LogFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogFilesError';
  }
}

const GLOB_CHARS = /[*?[]/;

/** The files PATH names, sorted; throws LogFilesError when it names none. */
export function resolveLogFiles(spec: string, cwd: string = process.cwd()): string[] {
  const absolute = path.resolve(cwd, spec);
  if (!GLOB_CHARS.test(spec)) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      throw new LogFilesError(`--logs ${spec}: no such file or folder`);
    }
    const files = stat.isDirectory() ? filesUnder(absolute) : [absolute];
    if (files.length === 0) throw new LogFilesError(`--logs ${spec}: the folder holds no file`);
    return files;
  }
  // The glob's fixed leading folders are walked; the rest is matched against each file's path.
  const segments = absolute.split(path.sep);
  const firstGlob = segments.findIndex((s) => GLOB_CHARS.test(s));
  const base = segments.slice(0, firstGlob).join(path.sep) || path.sep;
  const pattern = globToRegExp(segments.slice(firstGlob).join('/'));
  const files = fs.existsSync(base)
    ? filesUnder(base).filter((file) => pattern.test(path.relative(base, file).split(path.sep).join('/')))
    : [];
  if (files.length === 0) throw new LogFilesError(`--logs ${spec}: the pattern matches no file (quote it so the shell does not expand it)`);
  return files;
}

/** `**` any folders (or none), `*` any characters but '/', `?` one of them, `[…]` a class. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i += 1;
      if (glob[i + 1] === '/') {
        i += 1;
        out += '(?:.*/)?';
      } else out += '.*';
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        out += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Every file under `dir`, at any depth, sorted. */
export function filesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(full));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

/** Where a line came from, for messages: file and 1-based line number, as an editor counts them. */
export interface LinePosition {
  readonly file: string;
  readonly line: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The non-empty lines of `files`, in order, in batches of about `batchBytes` (a line is never cut). Reads
 * each file as a stream: memory holds one batch and one read buffer, whatever the files' size.
 */
export async function* readLogLines(files: readonly string[], batchBytes = 4 * 1024 * 1024): AsyncGenerator<Buffer[]> {
  let batch: Buffer[] = [];
  let size = 0;
  for (const file of files) {
    for await (const line of linesOfFile(file)) {
      batch.push(line);
      size += line.length;
      if (size >= batchBytes) {
        yield batch;
        batch = [];
        size = 0;
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/** Each non-empty line of `file` with its line number in the file (1-based; \r\n is one line break). */
async function* numberedLinesOfFile(file: string): AsyncGenerator<[Buffer, number]> {
  let carry: Buffer[] = [];
  let afterCR = false;
  let number = 1;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== LF && byte !== CR) continue;
      if (byte === LF && afterCR && i === start && carry.length === 0) {
        // The \n of a \r\n (possibly split across reads): the same line break.
        afterCR = false;
        start = i + 1;
        continue;
      }
      const line = carry.length > 0 ? Buffer.concat([...carry, chunk.subarray(start, i)]) : Buffer.from(chunk.subarray(start, i));
      carry = [];
      if (line.length > 0) yield [line, number];
      number += 1;
      afterCR = byte === CR;
      start = i + 1;
    }
    if (start < chunk.length) {
      carry.push(Buffer.from(chunk.subarray(start)));
      afterCR = false;
    }
  }
  if (carry.length > 0) {
    const line = Buffer.concat(carry);
    if (line.length > 0) yield [line, number];
  }
}

async function* linesOfFile(file: string): AsyncGenerator<Buffer> {
  for await (const [line] of numberedLinesOfFile(file)) yield line;
}

export interface LogFilesScan {
  readonly files: readonly string[];
  readonly lines: number;
  readonly bytes: number;
  /** The longest line and where it is. */
  readonly longest: { readonly bytes: number; readonly at: LinePosition | undefined };
}

/** One streaming pass over the files: counts and the longest line, to refuse what cannot travel before anything starts. */
export async function scanLogFiles(files: readonly string[]): Promise<LogFilesScan> {
  let lines = 0;
  let bytes = 0;
  let longest: { bytes: number; at: LinePosition | undefined } = { bytes: 0, at: undefined };
  for (const file of files) {
    for await (const [line, lineNumber] of numberedLinesOfFile(file)) {
      lines += 1;
      bytes += line.length;
      if (line.length > longest.bytes) longest = { bytes: line.length, at: { file, line: lineNumber } };
    }
  }
  return { files, lines, bytes, longest };
}
