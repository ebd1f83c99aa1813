/**
 * Python, shell and Java lines are at most 140 characters, except the counts .line-length-allow names; the
 * project itself passes, and a temporary project shows each way to break the rule is reported.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ALLOW_LIST, checkedFiles, lineLengthProblems, MAX_LINE_LENGTH, parseAllowList } from '../../ops/line-length';

test('the project has no line over the limit beyond what the allow-list counts, and the list is exact', () => {
  expect(checkedFiles()).toEqual(expect.arrayContaining(['.ci/run', 'scripts/python-env.sh', 'glue/log_etl/transform.py']));
  expect(lineLengthProblems()).toEqual([]);
});

describe('in a temporary project', () => {
  let root: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  const long = 'x'.repeat(MAX_LINE_LENGTH + 1);

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'line-length-'));
    write('ok.py', `${'y'.repeat(MAX_LINE_LENGTH)}\n`);
    write('node_modules/dep/skip.py', `${long}\n`);
    write('.venv/lib/skip.py', `${long}\n`);
    write('src/Long.ts', `${long}\n`);
  });
  afterEach(() => fs.rmSync(root, { recursive: true }));

  test('checks .py, .sh, .java and .ci/run outside installed folders; a line at the limit passes', () => {
    write('a.sh', 'echo\n');
    write('B.java', 'class B {}\n');
    write('.ci/run', 'echo\n');
    expect(checkedFiles(root)).toEqual(['.ci/run', 'B.java', 'a.sh', 'ok.py']);
    expect(lineLengthProblems(root)).toEqual([]);
  });

  test('a long line in a file the list does not name is reported with its place and length', () => {
    write('scripts/run.sh', `echo\n${long}\n`);
    expect(lineLengthProblems(root)).toEqual([`scripts/run.sh:2 has ${MAX_LINE_LENGTH + 1} characters`]);
  });

  test('the list allows its count exactly: one more fails, one fewer asks to lower it, none asks to remove it', () => {
    write('a.py', `${long}\n${long}\n`);
    write('b.py', `${long}\n`);
    write('c.py', 'pass\n');
    write(ALLOW_LIST, '# comment\na.py 1\nb.py 2\nc.py 1\ngone.py 3\n');
    expect(lineLengthProblems(root)).toEqual([
      `a.py has 2 lines over ${MAX_LINE_LENGTH} characters, ${ALLOW_LIST} allows 1:`,
      `a.py:1 has ${MAX_LINE_LENGTH + 1} characters`,
      `a.py:2 has ${MAX_LINE_LENGTH + 1} characters`,
      `b.py has 1 lines over ${MAX_LINE_LENGTH} characters: lower its count in ${ALLOW_LIST} from 2 to 1`,
      `c.py has no line over ${MAX_LINE_LENGTH} characters: remove its line from ${ALLOW_LIST}`,
      `${ALLOW_LIST} names gone.py, which is not a checked file: remove the line`,
    ]);
  });
});

test('a malformed allow-list line is an error naming the line', () => {
  expect(() => parseAllowList('a.py 1\na.py many\n')).toThrow(
    `${ALLOW_LIST} line 2: expected '<path> <count of long lines>', got 'a.py many'`,
  );
});
