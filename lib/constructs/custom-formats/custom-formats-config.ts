/**
 * The stage's custom line formats (`formats`): validated at synth, each problem naming the format and the
 * example. CDK-free, so the local run's `--formats FILE` goes through the same checks (loadFormatsFile).
 *
 * What a format must pass (lambda/shared/parsers/custom-format.ts defines the shape and how lines are read):
 *   - a name of lower case letters, digits and '_' that no built-in format and no other custom format has;
 *   - an expression that compiles, starts with '^', and whose groups fill only fields the schema has;
 *   - no catastrophic backtracking on a long line: a static check refuses a repeated group that itself
 *     holds an unbounded repeat ((a+)+, (\s*\S+)*: star height above one, which backtracks exponentially),
 *     then a timed trial runs the expression on adversarial 64 KiB lines (each example repeated, and each
 *     example's prefix followed by 64 KiB of one of its characters) in a child Node process killed at a
 *     deadline. Why a child process: a regular expression cannot be interrupted from the same thread, a
 *     worker thread's terminate() is asynchronous while synth is synchronous, and a native linear-time
 *     engine (re2) cannot be relied on in the esbuild Lambda bundle. The static check catches the known
 *     shape before anything runs; the trial catches what the check cannot see (overlapping alternatives
 *     like (\w|\d)+, polynomial blow-ups);
 *   - at least one example, and every example read by this format (not by a built-in, which wins, nor by
 *     an earlier custom format) giving exactly the fields it lists.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { parseLine } from '../../../lambda/shared/parsers';
import {
  compileCustomFormat,
  CUSTOM_FORMAT_NAME,
  CustomFormatError,
  GROUP_FIELDS,
  type CompiledFormat,
  type CustomFormatDefinition,
} from '../../../lambda/shared/parsers/custom-format';
import { RECORD_FORMATS } from '../../../contracts/record';
import { Problems } from '../../problems';

export type { CustomFormatDefinition } from '../../../lambda/shared/parsers/custom-format';

/** The trial's line length: a long log line (a stack trace folded into one line, a big JSON body). */
export const TRIAL_LINE_BYTES = 64 * 1024;
/**
 * A linear expression reads 64 KiB in well under a millisecond; 100 ms per line leaves room for a loaded
 * machine and still refuses anything that would stall a Lambda on such a line.
 */
export const TRIAL_BUDGET_MS = 100;
/** The child process is killed after this, whatever it was doing (one line stuck in backtracking). */
export const TRIAL_DEADLINE_MS = 5_000;

/** Fields an example may list: the group fields, timestamp and attributes (format is the name, by definition). */
const EXAMPLE_FIELDS: readonly string[] = ['timestamp', ...GROUP_FIELDS, 'attributes'];

/** Adds one problem per broken format or example to `problems`. */
export function customFormatsProblems(formats: unknown, problems: Problems, setting = 'formats'): void {
  if (!Array.isArray(formats)) {
    problems.add(`${setting} must be a list of formats (got ${typeof formats})`);
    return;
  }
  const compiled: { label: string; definition: CustomFormatDefinition; format: CompiledFormat }[] = [];
  const seen = new Set<string>();
  formats.forEach((value: unknown, index) => {
    const definition = value as CustomFormatDefinition;
    const name = typeof definition?.name === 'string' ? definition.name : undefined;
    const label = `${setting}[${index}]${name !== undefined ? ` '${name}'` : ''}`;
    if (definition === null || typeof definition !== 'object') {
      problems.add(`${label} must be an object with name, pattern, time and examples (got ${JSON.stringify(value)})`);
      return;
    }
    const before = problems.list.length;
    // The basic shape in the one message style, `<setting> must ... (got ...)`, the setting's path first.
    const at = `${setting}[${index}]`;
    if (name === undefined || !CUSTOM_FORMAT_NAME.test(name)) {
      problems.add(
        `${at}.name must be lower case letters, digits and '_', starting with a letter, at most 40 characters (got ${JSON.stringify(definition.name)})`,
      );
    } else if ((RECORD_FORMATS as readonly string[]).includes(name)) {
      problems.add(`${at}.name must not be a built-in format (${RECORD_FORMATS.join(', ')}) (got '${name}')`);
    } else if (seen.has(name)) {
      problems.add(`${at}.name must be unique: an earlier format has it (got '${name}')`);
    }
    if (name !== undefined) seen.add(name);
    if (typeof definition.pattern !== 'string' || !definition.pattern.startsWith('^')) {
      problems.add(
        `${at}.pattern must be a regular expression starting with '^': a format reads whole lines, and unanchored a failing match is retried at every position (got ${JSON.stringify(definition.pattern)})`,
      );
    }
    if (!Array.isArray(definition.examples) || definition.examples.length === 0) {
      problems.add(
        `${at}.examples must list at least one line with the fields it gives, { "line": ..., "fields": {...} } (got ${JSON.stringify(definition.examples)})`,
      );
    }
    if (problems.list.length > before) return;
    let format: CompiledFormat;
    try {
      format = compileCustomFormat(definition);
    } catch (error) {
      if (!(error instanceof CustomFormatError)) throw error;
      problems.add(`${label}: ${error.message}`);
      return;
    }
    const nested = nestedQuantifier(definition.pattern);
    if (nested !== null) {
      problems.add(
        `${label}: pattern repeats a group that itself repeats (${nested}), which backtracks catastrophically on a long line that almost matches; ` +
          'repeat one thing at a time, e.g. (?<message>.*) instead of (?<message>(\\S+\\s*)*)',
      );
      return;
    }
    const slow = backtrackingTrial(
      definition.pattern,
      definition.examples.map((e) => e.line).filter((l) => typeof l === 'string'),
    );
    if (slow !== null) {
      problems.add(
        `${label}: pattern ${slow}; make the parts of the expression unable to match the same text (e.g. [^ ]+ instead of .+ before a space)`,
      );
      return;
    }
    compiled.push({ label, definition, format });
  });
  // Examples last, with every format compiled: a line must reach its own format through the built-ins and
  // the earlier custom formats, as the deployed parser reads it.
  const all = compiled.map((c) => c.format);
  for (const { label, definition } of compiled) {
    definition.examples.forEach((example, index) =>
      exampleProblems(`${label}: example ${index + 1}`, definition.name, example, all, problems),
    );
  }
}

function exampleProblems(
  label: string,
  name: string,
  example: CustomFormatDefinition['examples'][number],
  formats: readonly CompiledFormat[],
  problems: Problems,
): void {
  if (
    example === null ||
    typeof example !== 'object' ||
    typeof example.line !== 'string' ||
    example.fields === null ||
    typeof example.fields !== 'object'
  ) {
    problems.add(`${label} must be { line: '...', fields: { ... } } (got ${JSON.stringify(example)})`);
    return;
  }
  const shown = `${label} (${JSON.stringify(example.line.length > 60 ? `${example.line.slice(0, 57)}...` : example.line)})`;
  const unknown = Object.keys(example.fields).filter((f) => !EXAMPLE_FIELDS.includes(f));
  if (unknown.length > 0) {
    problems.add(
      `${shown}: fields ${unknown.join(', ')} are not record fields a format gives (${EXAMPLE_FIELDS.join(', ')}); other groups are checked under attributes`,
    );
    return;
  }
  // A fixed arrival time: only lines without a year of their own would use it, and the examples are checked alike every synth.
  const parsed = parseLine(example.line, Date.UTC(2026, 0, 1), formats);
  if (parsed.format !== name) {
    const by =
      parsed.format === 'unparsed'
        ? 'does not match the pattern (or its time, status or bytes cannot be read)'
        : `is read by the ${(RECORD_FORMATS as readonly string[]).includes(parsed.format) ? 'built-in' : 'earlier custom'} format '${parsed.format}', which is tried first`;
    problems.add(`${shown} ${by}`);
    return;
  }
  for (const [field, expected] of Object.entries(example.fields)) {
    const actual = (parsed as unknown as Record<string, unknown>)[field] ?? null;
    const same =
      field === 'attributes' ? JSON.stringify(sortedEntries(actual)) === JSON.stringify(sortedEntries(expected)) : actual === expected;
    if (!same)
      problems.add(
        `${shown}: ${field} is ${JSON.stringify(field === 'attributes' ? sortedObject(actual) : actual)}, expected ${JSON.stringify(expected)}`,
      );
  }
}

function sortedEntries(value: unknown): [string, unknown][] {
  return value === null || typeof value !== 'object' ? [] : Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
}

function sortedObject(value: unknown): unknown {
  return value === null ? null : Object.fromEntries(sortedEntries(value));
}

/**
 * A repeated group that holds an unbounded repeat, as text ('(...)+ at offset 12'), or null. Escapes and
 * character classes are skipped; lookarounds and non-capturing groups count as groups. A group counts as
 * repeated when its quantifier allows two or more (so (\d{1,3}\.){3} passes: nothing inside is unbounded).
 */
export function nestedQuantifier(pattern: string): string | null {
  const stack: { start: number; unbounded: boolean }[] = [{ start: -1, unbounded: false }];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      continue;
    }
    if (c === '(') {
      stack.push({ start: i, unbounded: false });
      continue;
    }
    const quantifier = quantifierAt(pattern, c === ')' ? i + 1 : i);
    if (c === ')') {
      const group = stack.pop() ?? { start: 0, unbounded: false };
      if (group.unbounded && quantifier !== null && quantifier.max >= 2) {
        return `the group at offset ${group.start}, '${pattern.slice(group.start, i + 1 + quantifier.length)}'`;
      }
      const parent = stack[stack.length - 1];
      parent.unbounded ||= group.unbounded || (quantifier !== null && quantifier.max === Infinity);
      if (quantifier !== null) i += quantifier.length;
      continue;
    }
    if (quantifier !== null && quantifier.length > 0 && (c === '*' || c === '+' || c === '{')) {
      if (quantifier.max === Infinity) stack[stack.length - 1].unbounded = true;
      i += quantifier.length - 1;
    }
  }
  return null;
}

/** The quantifier starting at `at` (with its lazy '?'), or null. */
function quantifierAt(pattern: string, at: number): { max: number; length: number } | null {
  const c = pattern[at];
  let max: number;
  let length: number;
  if (c === '*' || c === '+') {
    max = Infinity;
    length = 1;
  } else if (c === '?') {
    max = 1;
    length = 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
    if (m === null) return null;
    max = m[2] === undefined ? +m[1] : m[3] === '' ? Infinity : +m[3];
    length = m[0].length;
  } else {
    return null;
  }
  if (pattern[at + length] === '?') length++;
  return { max, length };
}

/** Adversarial lines for the trial: each example repeated, and each example's prefixes pumped with one of its characters. */
export function trialLines(examples: readonly string[]): { description: string; line: string }[] {
  const fill = (piece: string) => piece.repeat(Math.ceil(TRIAL_LINE_BYTES / Math.max(1, piece.length))).slice(0, TRIAL_LINE_BYTES);
  const lines: { description: string; line: string }[] = [];
  for (const generic of ['a', ' ', '0', 'a '])
    lines.push({ description: `${TRIAL_LINE_BYTES} bytes of ${JSON.stringify(generic)}`, line: fill(generic) });
  for (const [n, example] of examples.slice(0, 3).entries()) {
    lines.push({ description: `example ${n + 1} repeated to ${TRIAL_LINE_BYTES} bytes`, line: fill(`${example} `) });
    // Where the kind of character changes: where one part of the expression hands over to the next.
    const cuts = [0];
    for (let i = 1; i < example.length; i++) if (charClass(example[i]) !== charClass(example[i - 1])) cuts.push(i);
    const step = Math.max(1, Math.ceil(cuts.length / 8));
    for (const cut of cuts.filter((_, k) => k % step === 0)) {
      for (const pump of new Set([example[cut], example.slice(cut, cut + 2)])) {
        if (pump === undefined || pump.length === 0) continue;
        for (const end of ['\u0001', '']) {
          lines.push({
            description: `example ${n + 1}'s first ${cut} characters, then ${JSON.stringify(pump)} to ${TRIAL_LINE_BYTES} bytes${end === '' ? '' : ', then \\u0001'}`,
            line: example.slice(0, cut) + fill(pump).slice(cut) + end,
          });
        }
      }
    }
  }
  return lines;
}

function charClass(c: string): number {
  return /[0-9]/.test(c) ? 0 : /[A-Za-z_]/.test(c) ? 1 : /\s/.test(c) ? 2 : 3 + c.charCodeAt(0);
}

/**
 * Runs in the child: each line's exec time, one line of output per line tried, so a kill shows where it
 * stuck. CPU time (process.cpuUsage), not wall time: on a busy machine the child waits for a core, which is
 * no fault of the expression. A line over the budget is tried twice more and its fastest run counts, so a
 * one-off stall (garbage collection, a page fault) does not fail a linear expression.
 */
const TRIAL_SCRIPT = `
const { pattern, lines, budget } = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const regex = new RegExp(pattern);
const timed = (line) => {
  const before = process.cpuUsage();
  regex.exec(line);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};
for (let i = 0; i < lines.length; i++) {
  let ms = timed(lines[i]);
  for (let retry = 0; retry < 2 && ms > budget; retry++) ms = Math.min(ms, timed(lines[i]));
  process.stdout.write(i + ' ' + ms.toFixed(3) + '\\n');
  if (ms > budget) break;
}
`;

/**
 * The timed trial: null when every adversarial line is read within TRIAL_BUDGET_MS, else what went wrong
 * ('takes 812 ms on <line>', 'did not finish within 5 s on <line>').
 */
export function backtrackingTrial(pattern: string, examples: readonly string[]): string | null {
  const lines = trialLines(examples);
  const run = spawnSync(process.execPath, ['-e', TRIAL_SCRIPT], {
    input: JSON.stringify({ pattern, lines: lines.map((l) => l.line), budget: TRIAL_BUDGET_MS }),
    encoding: 'utf8',
    timeout: TRIAL_DEADLINE_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 1024 * 1024,
  });
  const results = run.stdout
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split(' ').map(Number));
  const last = results[results.length - 1];
  if (last !== undefined && last[1] > TRIAL_BUDGET_MS)
    return `takes ${Math.round(last[1])} ms (budget ${TRIAL_BUDGET_MS} ms) on ${lines[last[0]].description}`;
  if (run.status === 0 && results.length === lines.length) return null;
  if (run.error !== undefined || run.signal !== null) {
    const stuck = lines[results.length];
    return `did not finish within ${TRIAL_DEADLINE_MS / 1000} s on ${stuck?.description ?? 'the trial lines'}`;
  }
  throw new Error(`the backtracking trial failed: ${run.stderr.trim()}`);
}

/** Thrown by loadFormatsFile for a file that cannot be read or whose formats do not pass. */
export class FormatsFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'FormatsFileError';
  }
}

/**
 * A JSON file of formats in the stage config's shape (a list, or { "formats": [...] }), validated as synth
 * validates the config; throws FormatsFileError listing every problem.
 */
export function loadFormatsFile(file: string): CustomFormatDefinition[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FormatsFileError(file, [`cannot read it as JSON: ${(error as Error).message}`]);
  }
  const formats =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && 'formats' in parsed
      ? (parsed as { formats: unknown }).formats
      : parsed;
  const problems = new Problems();
  customFormatsProblems(formats, problems);
  if (problems.list.length > 0) throw new FormatsFileError(file, problems.list);
  return formats as CustomFormatDefinition[];
}
