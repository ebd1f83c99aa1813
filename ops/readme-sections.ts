/**
 * The README's generated sections: each sits between `<!-- generated:<name> -->` and
 * `<!-- /generated:<name> -->` and is rendered from the code that owns the figures. `npm run readme`
 * rewrites them; test/readme.test.ts fails when the README differs from what this renders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STAGE_CONFIGS } from '../lib/config';
import { renderAlarmTable } from '../lib/constructs/monitoring/alarm-table';
import { PROJECT_ROOT } from '../lib/project-paths';
import { answerHelp, renderHelp, type CommandHelp } from './cli-args';
import { renderGlueCapacity, renderVolumeTable } from './cost/model';

/** Log volumes (GB a day) the README's cost table shows. */
export const README_VOLUMES_GB_PER_DAY = [1, 10, 100] as const;

export const README_PATH = path.join(PROJECT_ROOT, 'README.md');

/** Every generated section by name. */
export function generatedSections(): Record<string, string> {
  return {
    alarms: renderAlarmTable({ dev: STAGE_CONFIGS.dev.monitoring.thresholds, prod: STAGE_CONFIGS.prod.monitoring.thresholds }),
    costs: renderVolumeTable([STAGE_CONFIGS.dev, STAGE_CONFIGS.prod], README_VOLUMES_GB_PER_DAY),
    'glue-capacity': renderGlueCapacity([STAGE_CONFIGS.dev, STAGE_CONFIGS.prod]),
  };
}

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- generated:${name} (npm run readme) -->`, end: `<!-- /generated:${name} -->` };
}

/** The section's current text in `readme`; throws when its markers are missing. */
export function currentSection(readme: string, name: string): string {
  const { start, end } = markers(name);
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no generated section '${name}' (expected the lines ${start} and ${end})`);
  return readme.slice(from + start.length, to).trim();
}

/** `readme` with every generated section replaced by what the code renders now. */
export function withGeneratedSections(readme: string, sections = generatedSections()): string {
  let text = readme;
  for (const [name, body] of Object.entries(sections)) {
    const { start, end } = markers(name);
    currentSection(text, name);
    const from = text.indexOf(start) + start.length;
    text = `${text.slice(0, from)}\n${body}\n${text.slice(text.indexOf(end))}`;
  }
  return text;
}

export const README_HELP: CommandHelp = {
  usage: 'npm run readme',
  summary:
    "Rewrites README.md's generated sections (alarms, costs, Glue capacity) from the code that owns their\n" +
    'figures; test/readme.test.ts fails when they are stale.',
  options: [],
};

if (require.main === module) {
  const argv = process.argv.slice(2);
  answerHelp(argv, README_HELP);
  if (argv.length > 0) {
    console.error(`npm run readme: unexpected argument '${argv[0]}'\n${renderHelp(README_HELP)}`);
    process.exit(2);
  }
  const before = fs.readFileSync(README_PATH, 'utf8');
  const after = withGeneratedSections(before);
  fs.writeFileSync(README_PATH, after);
  console.log(before === after ? 'README.md: generated sections already current' : 'README.md: generated sections rewritten');
}
