/**
 * The synth-time checks of custom formats: each problem names the format (and the example), and a
 * catastrophically backtracking expression is caught, statically or by running it on 64 KiB lines.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, STAGE_CONFIGS, validateStageConfig } from '../../../lib/config';
import {
  backtrackingTrial,
  customFormatsProblems,
  FormatsFileError,
  loadFormatsFile,
  nestedQuantifier,
  TRIAL_LINE_BYTES,
  trialLines,
  type CustomFormatDefinition,
} from '../../../lib/constructs/custom-formats/custom-formats-config';
import { Problems } from '../../../lib/problems';
import { PROJECT_ROOT } from '../../../lib/project-paths';

const EXAMPLE_FILE = path.join(PROJECT_ROOT, 'examples', 'formats', 'hdfs-apache-error.json');
const EXAMPLE_FORMATS = (JSON.parse(fs.readFileSync(EXAMPLE_FILE, 'utf8')) as { formats: CustomFormatDefinition[] }).formats;
const [HDFS, APACHE_ERROR] = EXAMPLE_FORMATS;

function problemsOf(formats: unknown): string[] {
  const problems = new Problems();
  customFormatsProblems(formats, problems);
  return problems.list;
}

test('the example file (HDFS and Apache error logs) passes, and goes into a stage config as it is', () => {
  expect(loadFormatsFile(EXAMPLE_FILE).map((f) => f.name)).toEqual(['hdfs', 'apache_error']);
  expect(validateStageConfig({ ...STAGE_CONFIGS.prod, formats: EXAMPLE_FORMATS }).formats).toBe(EXAMPLE_FORMATS);
});

test('a stage config with a broken format names it among the stage problems', () => {
  const broken = { ...HDFS, pattern: '^(?<message>.*' };
  expect(() => validateStageConfig({ ...STAGE_CONFIGS.dev, formats: [broken] })).toThrow(ConfigError);
  expect(() => validateStageConfig({ ...STAGE_CONFIGS.dev, formats: [broken] })).toThrow(
    /formats\[0\] 'hdfs': pattern does not compile: Invalid regular expression/,
  );
});

test("a host log file may name one of the stage's custom formats, and no other name", () => {
  const host = { ...STAGE_CONFIGS.prod.host, logFiles: [{ path: '/var/log/hadoop/hdfs.log', format: 'hdfs' }] };
  expect(validateStageConfig({ ...STAGE_CONFIGS.prod, host, formats: EXAMPLE_FORMATS }).host).toBe(host);
  expect(() => validateStageConfig({ ...STAGE_CONFIGS.prod, host })).toThrow(
    "host.logFiles[0].format must be one of common, combined, syslog_rfc3164, syslog_rfc5424, json (got 'hdfs')",
  );
});

describe('each problem names the format', () => {
  test.each<[string, Partial<CustomFormatDefinition> | Record<string, unknown>, RegExp]>([
    [
      'a name that is not lower case',
      { name: 'HDFS' },
      /^formats\[0\]\.name must be lower case letters, digits and '_', starting with a letter, at most 40 characters \(got "HDFS"\)$/,
    ],
    [
      'a built-in name',
      { name: 'json' },
      /^formats\[0\]\.name must not be a built-in format \(common, combined, syslog_rfc3164, syslog_rfc5424, json, unparsed\) \(got 'json'\)$/,
    ],
    [
      'an unanchored pattern',
      { pattern: '(?<message>.*)' },
      /^formats\[0\]\.pattern must be a regular expression starting with '\^'.* \(got "\(\?<message>\.\*\)"\)$/,
    ],
    ['no examples', { examples: [] }, /^formats\[0\]\.examples must list at least one line .* \(got \[\]\)$/],
    [
      'a group filling a field the pipeline writes',
      { pattern: '^(?<timestamp>\\d{6} \\d{6}) (?<source>\\S+) (?<message>.*)$' },
      /^formats\[0\] 'hdfs': group 'source' names a field the pipeline writes itself/,
    ],
    ['an unknown time layout', { time: { layout: '%Y%m%d %k' } }, /^formats\[0\] 'hdfs': time.layout '%Y%m%d %k': unknown directive '%k'/],
  ])('%s', (_, change, message) => {
    const problems = problemsOf([{ ...HDFS, ...change }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  test('a name used twice', () => {
    expect(problemsOf([HDFS, { ...APACHE_ERROR, name: 'hdfs' }])).toEqual([
      `formats[1].name must be unique: an earlier format has it (got 'hdfs')`,
    ]);
  });

  test('not a list, not an object', () => {
    expect(problemsOf({ name: 'x' })).toEqual(['formats must be a list of formats (got object)']);
    expect(problemsOf(['hdfs'])).toEqual([`formats[0] must be an object with name, pattern, time and examples (got "hdfs")`]);
  });
});

describe('each example problem names the format and the example', () => {
  const withExample = (line: string, fields: Record<string, unknown>) =>
    problemsOf([{ ...HDFS, examples: [HDFS.examples[0], { line, fields }] }]);

  test('a field the line does not give as listed', () => {
    expect(withExample('261206 031502 35 WARN dfs.FSNamesystem: queue long', { severity: 'warning', app: 'dfs.FSNamesystem' })).toEqual([
      `formats[0] 'hdfs': example 2 ("261206 031502 35 WARN dfs.FSNamesystem: queue long"): severity is "warn", expected "warning"`,
    ]);
  });

  test('attributes compare as maps, in any order', () => {
    expect(withExample('261206 031502 35 WARN dfs.X: blk_1 gone', { attributes: { block: 'blk_1' } })).toEqual([]);
    expect(withExample('261206 031502 35 WARN dfs.X: blk_1 gone', { attributes: { block: 'blk_2' } })).toEqual([
      `formats[0] 'hdfs': example 2 ("261206 031502 35 WARN dfs.X: blk_1 gone"): attributes is {"block":"blk_1"}, expected {"block":"blk_2"}`,
    ]);
  });

  test('a line the pattern does not match, or whose time cannot exist', () => {
    expect(withExample('not hdfs', {})).toEqual([
      `formats[0] 'hdfs': example 2 ("not hdfs") does not match the pattern (or its time, status or bytes cannot be read)`,
    ]);
    expect(withExample('261332 031502 35 WARN dfs.X: m', {})[0]).toMatch(/example 2 .* does not match the pattern \(or its time/);
  });

  test('a line a built-in reads first (the built-ins win, so the format would never see it)', () => {
    const anything: CustomFormatDefinition = {
      name: 'anything',
      pattern: '^(?<message>.+)$',
      examples: [{ line: '<13>Dec  6 03:12:30 web1 app: hi', fields: { message: 'hi' } }],
    };
    expect(problemsOf([anything])).toEqual([
      `formats[0] 'anything': example 1 ("<13>Dec  6 03:12:30 web1 app: hi") is read by the built-in format 'syslog_rfc3164', which is tried first`,
    ]);
  });

  test('a line an earlier custom format reads first', () => {
    const anything: CustomFormatDefinition = {
      name: 'anything',
      pattern: '^(?<message>.+)$',
      examples: [{ line: 'x', fields: { message: 'x' } }],
    };
    expect(problemsOf([anything, HDFS])[0]).toMatch(
      /^formats\[1\] 'hdfs': example 1 \(.*\) is read by the earlier custom format 'anything', which is tried first$/,
    );
  });

  test('a field that is no record field', () => {
    expect(withExample('261206 031502 35 WARN dfs.X: m', { level: 'warn', block: 'x' })).toEqual([
      `formats[0] 'hdfs': example 2 ("261206 031502 35 WARN dfs.X: m"): fields level, block are not record fields a format gives (timestamp, host, client_ip, user, method, path, protocol, status, bytes, referrer, user_agent, severity, facility, app, proc_id, message, attributes); other groups are checked under attributes`,
    ]);
  });
});

describe('catastrophic backtracking', () => {
  test.each([
    ['^(a+)+$', "the group at offset 1, '(a+)+'"],
    ['^(?<message>(\\S+\\s*)*)$', "the group at offset 12, '(\\S+\\s*)*'"],
    ['^(?:x(?:y+))*$', "the group at offset 1, '(?:x(?:y+))*'"],
    ['^((ab)*c){2,}', "the group at offset 1, '((ab)*c){2,}'"],
    ['^(\\d{1,3}\\.){3}\\d+ (?<message>.*)$', null],
    ['^(?<message>[(+*]+)(?:x)?$', null],
    ['^(?<a>\\w+)? (?<message>.*)$', null],
  ])('static check of %s', (pattern, found) => {
    expect(nestedQuantifier(pattern)).toBe(found);
  });

  test('a nested quantifier is refused before anything runs, with what to write instead', () => {
    const problems = problemsOf([{ ...HDFS, pattern: '^(?<timestamp>\\d{6} \\d{6}) (?<message>(\\S+\\s?)+)$' }]);
    expect(problems).toEqual([
      expect.stringMatching(
        /^formats\[0\] 'hdfs': pattern repeats a group that itself repeats \(the group at offset 38, '\(\\S\+\\s\?\)\+'\), which backtracks catastrophically/,
      ),
    ]);
  });

  test('the trial lines are 64 KiB: generic runs, each example repeated, and each example pumped where its characters change kind', () => {
    const lines = trialLines(['ab 12']);
    expect(lines.every((l) => l.line.length >= TRIAL_LINE_BYTES)).toBe(true);
    expect(lines.map((l) => l.description)).toEqual(
      expect.arrayContaining([
        '65536 bytes of "a"',
        'example 1 repeated to 65536 bytes',
        `example 1's first 3 characters, then "1" to 65536 bytes, then \\u0001`,
      ]),
    );
    expect(lines.find((l) => l.description.startsWith('example 1\'s first 3 characters, then "1"'))?.line.startsWith('ab 111')).toBe(true);
  });

  // Overlapping alternatives (\w|\d): no nested quantifier, exponential all the same; only running it shows it.
  test('the timed trial catches what the static check cannot see: an exponential alternation', () => {
    const pattern = '^(?<message>(?:\\w|\\d)+)$';
    expect(nestedQuantifier(pattern)).toBeNull();
    const started = Date.now();
    expect(backtrackingTrial(pattern, ['12345'])).toMatch(
      /^(did not finish within 5 s|takes \d+ ms \(budget 100 ms\)) on example 1's first 0 characters, then "1" to 65536 bytes, then \\u0001$/,
    );
    expect(Date.now() - started).toBeLessThan(8_000);
  }, 15_000);

  test('and a polynomial one: two unbounded parts that can match the same spaces', () => {
    const problems = problemsOf([
      {
        name: 'slow',
        pattern: '^(?<host>\\S+)\\s+(?<message>.*)x$',
        examples: [{ line: 'h1 messagex', fields: { host: 'h1', message: 'message' } }],
      },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(
        /^formats\[0\] 'slow': pattern (did not finish within 5 s|takes \d+ ms \(budget 100 ms\)) on .*; make the parts of the expression unable to match the same text/,
      ),
    ]);
  }, 15_000);

  test('the example formats read every trial line within the budget', () => {
    for (const format of EXAMPLE_FORMATS)
      expect(
        backtrackingTrial(
          format.pattern,
          format.examples.map((e) => e.line),
        ),
      ).toBeNull();
  });
});

describe('loadFormatsFile (npm run local -- --formats FILE)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  test('takes a bare list as well as { formats: [...] }', () => {
    expect(loadFormatsFile(write('list.json', JSON.stringify([APACHE_ERROR]))).map((f) => f.name)).toEqual(['apache_error']);
  });

  test('a file that is not JSON, or whose formats do not pass, names the file and every problem', () => {
    const notJson = write('bad.json', '{ formats: ');
    expect(() => loadFormatsFile(notJson)).toThrow(FormatsFileError);
    expect(() => loadFormatsFile(notJson)).toThrow(/bad\.json:\n {2}- cannot read it as JSON/);
    const twoBad = write(
      'two.json',
      JSON.stringify({
        formats: [
          { ...HDFS, name: 'common' },
          { ...APACHE_ERROR, examples: [] },
        ],
      }),
    );
    expect(() => loadFormatsFile(twoBad)).toThrow(
      /formats\[0\]\.name must not be a built-in format[^\n]*\n {2}- formats\[1\]\.examples must list/,
    );
  });
});
