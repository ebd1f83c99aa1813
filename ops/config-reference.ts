/**
 * The configuration reference (docs/configuration.md), rendered from the code so it cannot drift:
 * - the settings and what each does: the `StageConfig` interface and the interfaces it uses, read with the
 *   TypeScript compiler (each property's doc comment and `@default` tag);
 * - the dev and prod values: `STAGE_CONFIGS`;
 * - what each setting accepts: the validators themselves. Each setting is set to values no validator accepts
 *   (NaN, 2, 7, '?', a non-boolean) in a copy of the stage, and the messages `validateStageConfig` gives for
 *   that setting are shown without their "(got …)" part. A bound that follows another setting (e.g.
 *   `kafka.replicationFactor` at most the broker count) is therefore the stage's own.
 */
import * as path from 'node:path';
import * as ts from 'typescript';
import { ConfigError, STAGE_CONFIGS, STAGES, validateStageConfig, type StageConfig, type StageName } from '../lib/config';
import { defaultKafkaVersion } from '../lib/constructs/kafka/kafka-config';
import { DEFAULT_ALARM_THRESHOLDS } from '../lib/constructs/monitoring/monitoring-config';
import { PROJECT_ROOT } from '../lib/project-paths';

const CONFIG_FILE = path.join(PROJECT_ROOT, 'lib', 'config.ts');

/** One setting as the types declare it; `path` uses `[]` for "every element of the list". */
export interface SettingDoc {
  readonly path: string;
  readonly doc: string;
  readonly defaultValue?: string;
  /** Object-valued settings are headings for the settings under them. */
  readonly isGroup: boolean;
  /** The type as TypeScript prints it, the last resort for "accepts". */
  readonly typeText: string;
  readonly kind: 'number' | 'boolean' | 'string' | 'array' | 'object' | 'other';
  /** For a property of one member of a union (StreamCapacity): the literal values that select the member. */
  readonly selector?: Record<string, string>;
}

function docOf(symbol: ts.Symbol, checker: ts.TypeChecker): { doc: string; defaultValue?: string } {
  const doc = ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === 'default');
  const defaultValue = tag?.text ? ts.displayPartsToString(tag.text).trim() : undefined;
  return { doc, defaultValue };
}

function kindOf(type: ts.Type, checker: ts.TypeChecker): SettingDoc['kind'] {
  const parts = type.isUnion() ? type.types : [type];
  const flags = parts.filter((t) => !(t.flags & ts.TypeFlags.Undefined)).map((t) => t.flags);
  if (flags.some((f) => f & ts.TypeFlags.NumberLike)) return 'number';
  if (flags.length > 0 && flags.every((f) => f & ts.TypeFlags.BooleanLike)) return 'boolean';
  if (flags.length > 0 && flags.every((f) => f & ts.TypeFlags.StringLike)) return 'string';
  const nonUndefined = type.getNonNullableType();
  if (checker.isArrayType(nonUndefined) || checker.isTupleType(nonUndefined)) return 'array';
  if (nonUndefined.flags & ts.TypeFlags.Object || nonUndefined.isUnion()) return 'object';
  return 'other';
}

/** Every setting of `StageConfig`, depth first, in declaration order. */
export function settingDocs(): SettingDoc[] {
  const program = ts.createProgram([CONFIG_FILE], {
    resolveJsonModule: true,
    esModuleInterop: true,
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(CONFIG_FILE);
  if (source === undefined) throw new Error(`cannot read ${CONFIG_FILE}`);
  const stageConfig = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'StageConfig',
  );
  if (stageConfig === undefined) throw new Error('lib/config.ts declares no StageConfig interface');
  const out: SettingDoc[] = [];

  const visit = (type: ts.Type, prefix: string): void => {
    const members = type.isUnion() ? type.types.filter((t) => t.flags & ts.TypeFlags.Object) : [type];
    const seen = new Set<string>();
    for (const member of members) {
      const literals: Record<string, string> = {};
      if (members.length > 1) {
        for (const p of checker.getPropertiesOfType(member)) {
          const t = checker.getTypeOfSymbol(p);
          if (t.isStringLiteral()) literals[p.name] = t.value;
        }
      }
      for (const property of checker.getPropertiesOfType(member)) {
        if (seen.has(property.name)) continue;
        seen.add(property.name);
        const propertyPath = prefix === '' ? property.name : `${prefix}.${property.name}`;
        const type = checker.getTypeOfSymbol(property);
        const kind = kindOf(type, checker);
        const { doc, defaultValue } = docOf(property, checker);
        // A property of one member of a union is probed with the literals that select that member.
        const selector = members.length > 1 && !(property.name in literals) ? literals : undefined;
        const typeText = checker.typeToString(type.getNonNullableType(), undefined, ts.TypeFormatFlags.NoTruncation);
        const elementType = kind === 'array' ? checker.getTypeArguments(type.getNonNullableType() as ts.TypeReference)[0] : undefined;
        const elementIsObject = elementType !== undefined && kindOf(elementType, checker) === 'object';
        out.push({ path: propertyPath, doc, defaultValue, isGroup: kind === 'object' || elementIsObject, typeText, kind, selector });
        if (kind === 'object') visit(type.getNonNullableType(), propertyPath);
        if (elementIsObject) visit(elementType!, `${propertyPath}[]`);
      }
    }
  };
  visit(checker.getTypeAtLocation(stageConfig), '');
  return out;
}

type Json = unknown;

function clone<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? '__NaN__' : v)),
    (_k, v: unknown) => (v === '__NaN__' ? NaN : v),
  ) as T;
}

/** The values at `settingPath` in `config` (a `[]` step fans out over the list's elements). */
export function valuesAt(config: Json, settingPath: string): Json[] {
  let current: Json[] = [config];
  for (const step of settingPath.split('.')) {
    const list = step.endsWith('[]');
    const key = list ? step.slice(0, -2) : step;
    current = current.flatMap((c) => {
      const v = (c as Record<string, Json> | undefined)?.[key];
      return list ? (Array.isArray(v) ? v : []) : [v];
    });
  }
  return current;
}

/**
 * A copy of `config` with `settingPath` set to `value` (in the first element of each list on the way, one
 * taken from the other stage or made up when the list is empty), and the union member `selector` picks.
 */
function withSetting(
  config: StageConfig,
  settingPath: string,
  value: Json,
  selector: Record<string, string> | undefined,
  other: StageConfig,
): { config: StageConfig; messagePath: string } {
  const copy = clone(config) as unknown as Record<string, Json>;
  const steps = settingPath.split('.');
  let target: Record<string, Json> = copy;
  let otherTarget: Json = other;
  const messageSteps: string[] = [];
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    const list = step.endsWith('[]');
    const key = list ? step.slice(0, -2) : step;
    const otherValue = (otherTarget as Record<string, Json> | undefined)?.[key];
    if (last) {
      if (selector) Object.assign(target, selector);
      target[key] = value;
      messageSteps.push(key);
      return;
    }
    if (list) {
      const items =
        Array.isArray(target[key]) && (target[key] as Json[]).length > 0
          ? (target[key] as Json[])
          : Array.isArray(otherValue) && otherValue.length > 0
            ? [clone(otherValue[0])]
            : [{}];
      target[key] = items;
      target = items[0] as Record<string, Json>;
      otherTarget = Array.isArray(otherValue) ? otherValue[0] : undefined;
      messageSteps.push(`${key}[0]`);
    } else {
      if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
      target = target[key] as Record<string, Json>;
      otherTarget = otherValue;
      messageSteps.push(key);
    }
  });
  return { config: copy as unknown as StageConfig, messagePath: messageSteps.join('.') };
}

/**
 * Values to set: NaN, '?' and a string where a boolean belongs fail every check of their kind, so the
 * validator says what it accepts; 2 and 7 also reach the rules a range check lets through (a list of
 * allowed values, a multiple of 5 or of the AZ count). A list gets an empty list, or one item '?'.
 */
function probesFor(setting: SettingDoc): Json[] {
  switch (setting.kind) {
    case 'number':
      return [NaN, 2, 7];
    case 'boolean':
      return ['?'];
    case 'string':
      return ['?'];
    case 'array':
      return setting.isGroup ? [[]] : [['?']];
    default:
      return [];
  }
}

/**
 * What the validators accept for a setting in one stage: their messages, from "must …" on, without the
 * "(got …)" part; for a list of plain values, what every item must be.
 */
export function acceptedBy(setting: SettingDoc, stage: StageName): string[] {
  const config = STAGE_CONFIGS[stage];
  const other = STAGE_CONFIGS[stage === 'dev' ? 'prod' : 'dev'];
  const found: string[] = [];
  for (const probe of probesFor(setting)) {
    const { config: probed, messagePath } = withSetting(config, setting.path, probe, setting.selector, other);
    let problems: readonly string[] = [];
    try {
      validateStageConfig(probed);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    for (const problem of problems) {
      const item = problem.startsWith(`${messagePath}[0] `);
      if (!item && !problem.startsWith(`${messagePath} `)) continue;
      const rest = problem
        .slice(messagePath.length + (item ? 4 : 1))
        .replace(/ \(got [^)]*\)/, '')
        .replace(/\[0\]/g, '[]');
      const text = item ? `every item ${rest}` : rest;
      if (!found.includes(text)) found.push(text);
    }
  }
  return found;
}

function show(value: Json): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return `\`${value}\``;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1e6 ? `\`${value}\` (${formatBytes(value)})` : `\`${value}\``;
  return `\`${JSON.stringify(value)}\``;
}

function formatBytes(bytes: number): string {
  return bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3} GiB` : `${bytes.toLocaleString('en-US')} B`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Defaults the code computes from other settings, shown where a stage leaves the setting out. */
const COMPUTED_DEFAULTS: Record<string, (config: StageConfig) => Json> = {
  'kafka.kafkaVersion': (config) => defaultKafkaVersion(config.kafka.brokerInstanceType),
};

function valuesCell(setting: SettingDoc, stage: StageName): string {
  const config = STAGE_CONFIGS[stage];
  const values = valuesAt(config, setting.path);
  if (setting.path.includes('[]') && values.length === 0) return '(no items)';
  if (setting.isGroup && setting.kind === 'array') {
    const count = (values[0] as Json[] | undefined)?.length ?? 0;
    return count === 0 ? '(no items)' : `${count} item${count === 1 ? '' : 's'}, below`;
  }
  return values
    .map((value) => {
      if (value !== undefined) return show(value);
      const computed = COMPUTED_DEFAULTS[setting.path];
      if (computed !== undefined) return `(default: ${show(computed(config))})`;
      return setting.defaultValue !== undefined ? '(default)' : '—';
    })
    .join(', ');
}

/** A setting's default: its `@default` tag, or the documented constant the stages start from. */
function defaultOf(setting: SettingDoc): string | undefined {
  if (setting.defaultValue !== undefined)
    return setting.defaultValue.startsWith('`') || /[()]/.test(setting.defaultValue) ? setting.defaultValue : `\`${setting.defaultValue}\``;
  const threshold = /^monitoring\.thresholds\.(\w+)$/.exec(setting.path);
  if (threshold) return show((DEFAULT_ALARM_THRESHOLDS as unknown as Record<string, Json>)[threshold[1]]);
  return undefined;
}

function acceptsCell(setting: SettingDoc): string {
  const [dev, prod] = STAGES.map((stage) =>
    acceptedBy(setting, stage)
      .join('; ')
      .replace(new RegExp(`an integer between (\\d+) and ${Number.MAX_SAFE_INTEGER}`, 'g'), 'an integer of at least $1'),
  );
  const fallback = setting.isGroup && setting.kind === 'array' ? 'a list; each item as below' : `\`${setting.typeText}\``;
  if (dev === prod) return dev === '' ? fallback : dev;
  return STAGES.map((stage, i) => `${stage}: ${[dev, prod][i] === '' ? fallback : [dev, prod][i]}`).join('<br>');
}

/** The reference as Markdown: one table per top-level group, one row per setting. */
export function renderConfigReference(): string {
  const settings = settingDocs();
  const lines: string[] = [];
  const topLevel = settings.filter((s) => !s.isGroup && !s.path.includes('.'));
  const groups = settings.filter((s) => s.isGroup && !s.path.includes('.'));
  const header = ['| setting | what it does | dev | prod | accepts (from the validator) |', '|---|---|---|---|---|'];
  const row = (s: SettingDoc): string => {
    const def = defaultOf(s);
    const what = [s.doc, def === undefined ? '' : `Default: ${def}.`].filter((t) => t !== '').join(' ');
    return `| \`${s.path}\` | ${cell(what)} | ${cell(valuesCell(s, 'dev'))} | ${cell(valuesCell(s, 'prod'))} | ${cell(acceptsCell(s))} |`;
  };
  lines.push('### Stage', '', ...header, ...topLevel.map(row));
  for (const group of groups) {
    lines.push('', `### \`${group.path}\``, '');
    if (group.doc !== '') lines.push(group.doc, '');
    // A group that is a list of objects (formats) holds `<group>[].<setting>` paths.
    const members = settings.filter(
      (s) => (s.path.startsWith(`${group.path}.`) || s.path.startsWith(`${group.path}[].`)) && !(s.isGroup && s.kind === 'object'),
    );
    lines.push(...header, ...members.map(row));
  }
  return lines.join('\n');
}
