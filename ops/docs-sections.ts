/**
 * The generated sections of README.md and docs/: each sits between `<!-- generated:<name> (npm run docs) -->`
 * and `<!-- /generated:<name> -->` in the one page that owns it, and is rendered from the code that owns the
 * figures. `npm run docs` rewrites them; test/docs.test.ts fails when a page differs from what this renders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROD_10_TB_A_DAY, STAGE_CONFIGS, STAGES } from '../lib/config';
import { renderAlarmTable } from '../lib/constructs/monitoring/alarm-table';
import { PROJECT_ROOT } from '../lib/project-paths';
import { answerHelp, renderHelp, type CommandHelp } from '../lib/cli/args';
import { renderConfigReference } from './config-reference';
import { savedQueries } from '../lib/constructs/analytics/lake-catalog';
import { estimate, renderGlueCapacity, renderVolumeTable } from './cost/model';
import { renderPlanSummary } from './cost/plan';

/** Log volumes (GB a day) the cost table shows. */
export const COST_TABLE_VOLUMES_GB_PER_DAY = [1, 10, 100, 1000] as const;

/** Volumes (GB a day) the sizing plan summary in docs/costs.md shows for prod. */
export const PLAN_VOLUMES_GB_PER_DAY = [1000, 10_000, 100_000] as const;

/** One generated section: the page (relative to the project root) that owns it and what it renders. */
export interface GeneratedSection {
  readonly page: string;
  readonly name: string;
  readonly render: () => string;
}

const stages = () => STAGES.map((stage) => STAGE_CONFIGS[stage]);

/** Every generated section, each in the one page that owns it. */
export const GENERATED_SECTIONS: readonly GeneratedSection[] = [
  {
    page: 'README.md',
    name: 'cost-summary',
    render: () =>
      stages()
        .map(
          (config) =>
            `- **${config.stage}**: about $${Math.round(estimate(config, config.volume.gbPerDay).totalUsd).toLocaleString('en-US')} a month at the ${config.volume.gbPerDay.toLocaleString('en-US')} GB of logs a day it is sized for.`,
        )
        .join('\n'),
  },
  { page: 'docs/costs.md', name: 'costs', render: () => renderVolumeTable(stages(), COST_TABLE_VOLUMES_GB_PER_DAY) },
  { page: 'docs/costs.md', name: 'glue-capacity', render: () => renderGlueCapacity(stages()) },
  { page: 'docs/costs.md', name: 'sizing-plan', render: () => renderPlanSummary(STAGE_CONFIGS.prod, PLAN_VOLUMES_GB_PER_DAY) },
  {
    page: 'docs/operations.md',
    name: 'alarms',
    render: () => renderAlarmTable({ dev: STAGE_CONFIGS.dev.monitoring.thresholds, prod: STAGE_CONFIGS.prod.monitoring.thresholds }),
  },
  { page: 'docs/configuration.md', name: 'config-reference', render: renderConfigReference },
  { page: 'docs/analytics.md', name: 'saved-queries', render: renderSavedQueries },
  {
    page: 'docs/operations.md',
    name: 'sizing-10-tb',
    render: () => renderConfigDifferences(STAGE_CONFIGS.prod, PROD_10_TB_A_DAY, '10 TB a day'),
  },
];

/** One setting two configs set differently, as `a.b[0].c`; `undefined` where a config does not set it. */
export interface ConfigDifference {
  readonly setting: string;
  readonly base: unknown;
  readonly changed: unknown;
}

/** Every leaf setting where `changed` differs from `base`, in the order `base` declares them (then `changed`'s own). */
export function configDifferences(base: unknown, changed: unknown, prefix = ''): ConfigDifference[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(base) || !isObject(changed) || Array.isArray(base) !== Array.isArray(changed)) {
    return JSON.stringify(base) === JSON.stringify(changed) ? [] : [{ setting: prefix, base, changed }];
  }
  const keys = [...new Set([...Object.keys(base), ...Object.keys(changed)])];
  return keys.flatMap((key) => {
    const at = Array.isArray(base) ? `${prefix}[${key}]` : prefix === '' ? key : `${prefix}.${key}`;
    return configDifferences(base[key], changed[key], at);
  });
}

const GiB = 1024 ** 3;

/** A setting's value as the docs write it: byte counts of whole GiB in GiB, numbers with thousands separators. */
function settingValue(setting: string, value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'number') {
    if (/bytes/i.test(setting) && value % GiB === 0) return `${(value / GiB).toLocaleString('en-US')} GiB`;
    return value.toLocaleString('en-US');
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The table of the settings `recipe` changes from `base`: each with both values. */
export function renderConfigDifferences(base: unknown, recipe: unknown, recipeName: string): string {
  return [
    `| setting | prod | ${recipeName} |`,
    '|---|---:|---:|',
    ...configDifferences(base, recipe).map(
      (d) => `| \`${d.setting}\` | ${settingValue(d.setting, d.base)} | ${settingValue(d.setting, d.changed)} |`,
    ),
  ].join('\n');
}

/** The workgroup's saved queries as the Analytics stack creates them, with the outputs' names in place of the tables. */
function renderSavedQueries(): string {
  return savedQueries('<GlueDatabaseName>', '<CuratedTableName>', '<RawTableName>')
    .map((query) => `**${query.name}**: ${query.description}.\n\n\`\`\`sql\n${query.sql}\n\`\`\``)
    .join('\n\n');
}

export function markers(name: string): { start: string; end: string } {
  return { start: `<!-- generated:${name} (npm run docs) -->`, end: `<!-- /generated:${name} -->` };
}

/** The section's current text in `text` (a page's content); throws when its markers are missing. */
export function currentSection(text: string, name: string, page = 'the page'): string {
  const { start, end } = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${page} has no generated section '${name}' (expected the lines ${start} and ${end})`);
  return text.slice(from + start.length, to).trim();
}

/** `text` with the section `name` replaced by `body`. */
export function withSection(text: string, name: string, body: string, page?: string): string {
  const { start, end } = markers(name);
  currentSection(text, name, page);
  const from = text.indexOf(start) + start.length;
  return `${text.slice(0, from)}\n${body}\n${text.slice(text.indexOf(end))}`;
}

export const DOCS_HELP: CommandHelp = {
  usage: 'npm run docs',
  summary:
    'Rewrites the generated sections of README.md and docs/ (costs, Glue capacity, alarms, the configuration\n' +
    'reference, the 10 TB a day recipe) from the code that owns their figures; test/docs.test.ts fails when one is stale.',
  options: [],
};

if (require.main === module) {
  const argv = process.argv.slice(2);
  answerHelp(argv, DOCS_HELP);
  if (argv.length > 0) {
    console.error(`npm run docs: unexpected argument '${argv[0]}'\n${renderHelp(DOCS_HELP)}`);
    process.exit(2);
  }
  const pages = [...new Set(GENERATED_SECTIONS.map((s) => s.page))];
  for (const page of pages) {
    const file = path.join(PROJECT_ROOT, page);
    const before = fs.readFileSync(file, 'utf8');
    let after = before;
    for (const section of GENERATED_SECTIONS.filter((s) => s.page === page))
      after = withSection(after, section.name, section.render(), page);
    fs.writeFileSync(file, after);
    console.log(`${page}: generated sections ${before === after ? 'already current' : 'rewritten'}`);
  }
}
