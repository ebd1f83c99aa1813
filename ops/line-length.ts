/**
 * The line length rule for what Prettier does not format: Python, shell and Java lines are at most 140
 * characters, as Prettier's printWidth holds the TypeScript. A file with lines not yet shortened is named in
 * .line-length-allow with their exact count, so a new long line fails and a fixed one asks to lower the count.
 * `npm run lint` runs it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { answerHelp, renderHelp, type CommandHelp } from '../lib/cli/args';
import { PROJECT_ROOT } from '../lib/project-paths';

export const MAX_LINE_LENGTH = 140;
export const ALLOW_LIST = '.line-length-allow';

/** Files checked: these extensions, and the extensionless shell scripts named here. */
const EXTENSIONS = ['.py', '.sh', '.java'];
const SHELL_SCRIPTS = ['.ci/run'];
/** Folders never walked: installed, generated or vendored. */
const SKIPPED_DIRS = new Set(['node_modules', 'cdk.out', 'target', 'coverage', '__pycache__', '.git', '.mvn']);

/** The project-relative paths of the files the rule covers, sorted. */
export function checkedFiles(root = PROJECT_ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        // Hidden folders are tool state (.venv*, .local), except CI's own.
        if (!SKIPPED_DIRS.has(entry.name) && (!entry.name.startsWith('.') || entry.name === '.ci')) walk(full);
      } else if (entry.isFile()) {
        const relative = path.relative(root, full).split(path.sep).join('/');
        if (EXTENSIONS.includes(path.extname(entry.name)) || SHELL_SCRIPTS.includes(relative)) out.push(relative);
      }
    }
  };
  walk(root);
  return out.sort();
}

/** The allow-list: file → how many of its lines are over the limit. Lines are `<path> <count>`; `#` starts a comment. */
export function parseAllowList(text: string): Map<string, number> {
  const allowed = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const match = /^(\S+)\s+(\d+)$/.exec(line);
    if (!match) throw new Error(`${ALLOW_LIST} line ${i + 1}: expected '<path> <count of long lines>', got '${raw}'`);
    allowed.set(match[1], Number(match[2]));
  });
  return allowed;
}

/** Every breach of the rule, one message each; empty when the files and the allow-list agree. */
export function lineLengthProblems(root = PROJECT_ROOT): string[] {
  const allowPath = path.join(root, ALLOW_LIST);
  const allowed = parseAllowList(fs.existsSync(allowPath) ? fs.readFileSync(allowPath, 'utf8') : '');
  const problems: string[] = [];
  const files = checkedFiles(root);
  for (const file of files) {
    const long = fs
      .readFileSync(path.join(root, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (line.length > MAX_LINE_LENGTH ? [`${file}:${i + 1} has ${line.length} characters`] : []));
    const allowance = allowed.get(file) ?? 0;
    if (long.length > allowance) {
      problems.push(
        ...(allowance === 0
          ? long
          : [`${file} has ${long.length} lines over ${MAX_LINE_LENGTH} characters, ${ALLOW_LIST} allows ${allowance}:`, ...long]),
      );
    } else if (long.length < allowance) {
      if (long.length === 0) problems.push(`${file} has no line over ${MAX_LINE_LENGTH} characters: remove its line from ${ALLOW_LIST}`);
      else
        problems.push(
          `${file} has ${long.length} lines over ${MAX_LINE_LENGTH} characters: lower its count in ${ALLOW_LIST} from ${allowance} to ${long.length}`,
        );
    }
  }
  for (const file of allowed.keys()) {
    if (!files.includes(file)) problems.push(`${ALLOW_LIST} names ${file}, which is not a checked file: remove the line`);
  }
  return problems;
}

export const LINE_LENGTH_HELP: CommandHelp = {
  usage: 'npx tsx ops/line-length.ts',
  summary:
    `Checks that Python, shell and Java lines are at most ${MAX_LINE_LENGTH} characters (Prettier holds the TypeScript),\n` +
    `except the counts ${ALLOW_LIST} allows per file. npm run lint runs it.`,
  options: [],
};

if (require.main === module) {
  const argv = process.argv.slice(2);
  answerHelp(argv, LINE_LENGTH_HELP);
  if (argv.length > 0) {
    console.error(`line-length: unexpected argument '${argv[0]}'\n${renderHelp(LINE_LENGTH_HELP)}`);
    process.exit(2);
  }
  const problems = lineLengthProblems();
  if (problems.length > 0) {
    console.error(`line-length: lines over ${MAX_LINE_LENGTH} characters (shorten them; see docs/development.md):`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
  console.log(`line-length: ${checkedFiles().length} Python, shell and Java files, no new line over ${MAX_LINE_LENGTH} characters`);
}
