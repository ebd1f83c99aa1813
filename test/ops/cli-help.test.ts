/**
 * Every command answers --help (and -h) the same way, from lib/cli/args.ts: the usage line first, what it
 * does, its options with -h/--help last, on stdout, exit 0, before it validates anything or starts work.
 * The scripts under scripts/ print the same layout from their own usage text.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { asksForHelp, renderHelp } from '../../lib/cli/args';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

/** Each command's entry file, the usage line it must print, and options its help must list. */
const COMMANDS = [
  {
    file: 'bench/run.ts',
    usage: 'usage: npm run bench -- [--only transform|cold-start|consumer|glue]',
    options: ['--only NAME', '--iterations N', '--glue-mb MB'],
  },
  {
    file: 'ops/verify/cli.ts',
    usage: 'usage: npm run verify -- -c stage=<stage>',
    options: ['-c stage=<stage>', '--lines N', '--curated-timeout S'],
  },
  {
    file: 'local/run.ts',
    usage: 'usage: npm run local -- [options]',
    options: ['--logs PATH', '--lines N', '--overflow', '--dir DIR', '--keep'],
  },
  { file: 'local/query.ts', usage: 'usage: npm run query -- [--dir DIR] "SQL" | <saved query>', options: ['--dir DIR'] },
  { file: 'generator/cli.ts', usage: 'usage: generator [--format <fmt>[,<fmt>...]|all]', options: ['--format', '--count', '--seed'] },
  { file: 'ops/docs-sections.ts', usage: 'usage: npm run docs', options: [] },
  {
    file: 'ops/cost/cli.ts',
    usage: 'usage: npm run cost -- -c stage=<stage>',
    options: ['--gb-per-day N', '--month M', '--compare', '--plan', '--peak-factor F', '--prices'],
  },
  {
    file: 'local/realtime/freshness.ts',
    usage: 'usage: npx tsx local/realtime/freshness.ts [options]',
    options: ['--delivery MODE', '--seconds N'],
  },
  { file: 'ops/line-length.ts', usage: 'usage: npx tsx ops/line-length.ts', options: [] },
  { file: 'scripts/flink-jar.sh', usage: 'usage: bash scripts/flink-jar.sh [--force]', options: ['--force'] },
  { file: 'scripts/kafka-jars.sh', usage: 'usage: bash scripts/kafka-jars.sh [--force]', options: ['--force'] },
  { file: 'scripts/check-java.sh', usage: 'usage: bash scripts/check-java.sh', options: [] },
  {
    file: 'scripts/python-env.sh',
    usage: 'usage: bash scripts/python-env.sh [--checkov | --shellcheck] [--force | --relock]',
    options: ['--checkov', '--shellcheck', '--force', '--relock'],
  },
] as const;

describe.each(COMMANDS)('$file', ({ file, usage, options }) => {
  test.each(['--help', '-h'])('%s prints the usage, the summary and the options to stdout and exits 0', (flag) => {
    // An invalid argument before the flag: help comes first, whatever else is on the line.
    const runner = file.endsWith('.sh') ? 'bash' : TSX;
    const run = spawnSync(runner, [path.join(PROJECT_ROOT, file), '--no-such-option', flag], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const [first, blank, ...rest] = run.stdout.trimEnd().split('\n');
    expect(first.startsWith(usage)).toBe(true);
    expect(blank).toBe('');
    const optionsAt = rest.indexOf('options:');
    expect(optionsAt).toBeGreaterThan(0);
    const optionLines = rest.slice(optionsAt + 1);
    for (const option of options) expect(optionLines.some((line) => line.startsWith(`  ${option} `))).toBe(true);
    expect(optionLines[optionLines.length - 1]).toMatch(/^ {2}-h, --help +print this help and exit$/);
  });
});

test('renderHelp aligns the options and indents a description continued on the next line', () => {
  const text = renderHelp({
    usage: 'demo [--a] [--long-option N]',
    summary: 'Does one thing.',
    options: [
      { name: '--a', description: 'first' },
      { name: '--long-option N', description: 'second,\ncontinued' },
    ],
  });
  expect(text).toBe(
    [
      'usage: demo [--a] [--long-option N]',
      '',
      'Does one thing.',
      '',
      'options:',
      '  --a              first',
      '  --long-option N  second,',
      '                   continued',
      '  -h, --help       print this help and exit',
    ].join('\n'),
  );
});

test('asksForHelp: --help or -h anywhere, nothing else', () => {
  expect(asksForHelp(['--lines', '5', '--help'])).toBe(true);
  expect(asksForHelp(['-h'])).toBe(true);
  expect(asksForHelp(['--helpful', '-hh', 'help'])).toBe(false);
});
