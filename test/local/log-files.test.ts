/**
 * --logs: which files a PATH names, and the lines read from them. Lines end where the pipeline's own splitting
 * (lambda/shared/lines.ts) ends them and keep their bytes, invalid UTF-8 included, across read boundaries.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { splitLines } from '../../lambda/shared/lines';
import { globToRegExp, LogFilesError, readLogLines, resolveLogFiles, scanLogFiles } from '../../local/log-files';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-files-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(relative: string, content: string | Buffer): string {
  const file = path.join(dir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

async function allLines(files: readonly string[], batchBytes?: number): Promise<Buffer[]> {
  const lines: Buffer[] = [];
  for await (const batch of readLogLines(files, batchBytes)) lines.push(...batch);
  return lines;
}

describe('resolveLogFiles', () => {
  test('a file is itself; a folder is every file under it, sorted; a glob matches paths under its fixed folders', () => {
    const a = write('a.log', 'x\n');
    const b = write('sub/b.log', 'y\n');
    const c = write('sub/deeper/c.txt', 'z\n');
    expect(resolveLogFiles(a)).toEqual([a]);
    expect(resolveLogFiles(dir)).toEqual([a, b, c]);
    expect(resolveLogFiles(path.join(dir, '**/*.log'))).toEqual([a, b]);
    expect(resolveLogFiles(path.join(dir, 'sub/*'))).toEqual([b]);
    expect(resolveLogFiles('a.log', dir)).toEqual([a]);
  });

  test('a PATH that names nothing is an error that says so', () => {
    expect(() => resolveLogFiles(path.join(dir, 'missing.log'))).toThrow(
      new LogFilesError(`--logs ${path.join(dir, 'missing.log')}: no such file or folder`),
    );
    expect(() => resolveLogFiles(path.join(dir, '*.gz'))).toThrow(/matches no file \(quote it so the shell does not expand it\)/);
    fs.mkdirSync(path.join(dir, 'empty'));
    expect(() => resolveLogFiles(path.join(dir, 'empty'))).toThrow(/the folder holds no file/);
  });

  test('glob syntax: ** spans folders (or none), * and ? stay within one', () => {
    expect(globToRegExp('**/*.log').test('a.log')).toBe(true);
    expect(globToRegExp('**/*.log').test('x/y/a.log')).toBe(true);
    expect(globToRegExp('*.log').test('x/a.log')).toBe(false);
    expect(globToRegExp('app-?.log').test('app-1.log')).toBe(true);
    expect(globToRegExp('app-[12].log').test('app-3.log')).toBe(false);
    expect(globToRegExp('a.log').test('aXlog')).toBe(false);
  });
});

describe('readLogLines', () => {
  test('splits at \\n, \\r\\n and \\r, skips empty lines, and keeps every other byte (invalid UTF-8 too)', async () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe]);
    const file = write(
      'mixed.log',
      Buffer.concat([Buffer.from('one\r\ntwo\rthree\n\n\n'), latin1, Buffer.from('\n  \nlast without newline')]),
    );
    const lines = await allLines([file]);
    expect(lines.map((l) => l.toString('latin1'))).toEqual([
      'one',
      'two',
      'three',
      latin1.toString('latin1'),
      '  ',
      'last without newline',
    ]);
    expect(lines[3].equals(latin1)).toBe(true);
  });

  test('lines across read-buffer boundaries (64 KiB) come out whole, in order, in batches of about the given size', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`);
    const file = write('big.log', `${lines.join('\r\n')}\r\n`);
    const batches: number[] = [];
    const got: string[] = [];
    for await (const batch of readLogLines([file, file], 16 * 1024)) {
      batches.push(batch.length);
      got.push(...batch.map((b) => b.toString('utf8')));
    }
    expect(got).toEqual([...lines, ...lines]);
    expect(batches.length).toBeGreaterThan(5);
  });

  test("on any text, the lines are exactly the pipeline's (lambda/shared/lines.ts splitLines)", async () => {
    const piece = fc.constantFrom('a', 'é', ' ', '\n', '\r', '\r\n', 'word', '{"k":1}');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 60 }), async (pieces) => {
        const text = pieces.join('');
        const file = write('prop.log', text);
        const lines = await allLines([file]);
        expect(lines.map((l) => l.toString('utf8'))).toEqual(splitLines(text));
      }),
      { numRuns: 200 },
    );
  });

  test('scanLogFiles counts lines and bytes and finds the longest line with its file and line number (as an editor numbers lines)', async () => {
    const a = write('a.log', 'short\nlonger line\n');
    const b = write('b.log', '\r\n\nthe longest line of all\nx\n');
    const scan = await scanLogFiles([a, b]);
    expect(scan.lines).toBe(4);
    expect(scan.bytes).toBe(5 + 11 + 23 + 1);
    // Line 3 as an editor shows it: the empty lines before it count.
    expect(scan.longest).toEqual({ bytes: 23, at: { file: b, line: 3 } });
  });
});
