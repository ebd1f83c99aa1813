import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CURATED_PARTITION_HOURS } from '../lib/capacity/plan';
import { STAGE_CONFIGS } from '../lib/config';
import { PROJECT_ROOT } from '../lib/project-paths';
import { acceptedBy, settingDocs } from '../ops/config-reference';
import { brokenLinks, headingAnchors, markdownPages } from '../ops/docs-links';
import { configDifferences, currentSection, GENERATED_SECTIONS, renderConfigDifferences, withSection } from '../ops/docs-sections';

const read = (page: string) => fs.readFileSync(path.join(PROJECT_ROOT, page), 'utf8');

// The tables of costs, alarms and settings are rendered from the code; `npm run docs` rewrites them.
describe('generated sections', () => {
  test.each(GENERATED_SECTIONS.map((s) => [`${s.page} ${s.name}`, s] as const))(
    '%s is what the code renders (run `npm run docs`)',
    (_label, section) => {
      expect(currentSection(read(section.page), section.name, section.page)).toBe(section.render());
    },
  );

  test('a section that differs from the code is seen as stale, and rewriting it makes it current', () => {
    const { page, name, render } = GENERATED_SECTIONS[0];
    const stale = withSection(read(page), name, 'an old table');
    expect(currentSection(stale, name)).not.toBe(render());
    expect(currentSection(withSection(stale, name, render()), name)).toBe(render());
  });
});

describe('a recipe table: the settings a config changes from prod', () => {
  const base = { a: 1, nested: { same: 'x', bytes: 100 * 1024 ** 3 }, list: [{ n: 1 }, { n: 2 }], gone: true };
  const recipe = { a: 1, nested: { same: 'x', bytes: 320 * 1024 ** 3 }, list: [{ n: 1 }, { n: 20 }, { n: 3 }], added: 10_000 };

  test('lists each leaf that differs, arrays by index, a setting only one side has with the other blank', () => {
    expect(configDifferences(base, recipe)).toEqual([
      { setting: 'nested.bytes', base: 100 * 1024 ** 3, changed: 320 * 1024 ** 3 },
      { setting: 'list[1].n', base: 2, changed: 20 },
      { setting: 'list[2]', base: undefined, changed: { n: 3 } },
      { setting: 'gone', base: true, changed: undefined },
      { setting: 'added', base: undefined, changed: 10_000 },
    ]);
    expect(configDifferences(base, structuredClone(base))).toEqual([]);
  });

  test('writes byte counts in GiB and numbers with thousands separators', () => {
    const table = renderConfigDifferences(base, recipe, 'big').split('\n');
    expect(table[0]).toBe('| setting | prod | big |');
    expect(table).toContain('| `nested.bytes` | 100 GiB | 320 GiB |');
    expect(table).toContain('| `added` | — | 10,000 |');
  });
});

describe('configuration reference', () => {
  const documented = settingDocs();

  /** Every setting a stage sets, as `a.b[].c`. */
  function leafPaths(value: unknown, prefix = ''): string[] {
    if (Array.isArray(value))
      return value.some((v) => typeof v === 'object') ? value.flatMap((v) => leafPaths(v, `${prefix}[]`)) : [prefix];
    if (typeof value === 'object' && value !== null)
      return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix === '' ? k : `${prefix}.${k}`));
    return [prefix];
  }

  test('lists every setting the dev and prod stages set, each once', () => {
    const paths = documented.map((s) => s.path);
    expect(new Set(paths).size).toBe(paths.length);
    const set = new Set([...leafPaths(STAGE_CONFIGS.dev), ...leafPaths(STAGE_CONFIGS.prod)]);
    expect([...set].filter((p) => !paths.includes(p))).toEqual([]);
  });

  test("takes what a setting accepts from its validator's message, for the stage's own values", () => {
    const setting = (path: string) => documented.find((s) => s.path === path)!;
    expect(acceptedBy(setting('stream.capacity.shardCount'), 'dev')).toEqual(['must be an integer between 1 and 500']);
    expect(acceptedBy(setting('kafka.replicationFactor'), 'dev')).toEqual([
      'must be an integer between 2 and 2: at least 2 so a broker can fail, at most the broker count',
    ]);
    expect(acceptedBy(setting('kafka.replicationFactor'), 'prod')).toEqual([
      'must be an integer between 2 and 3: at least 2 so a broker can fail, at most the broker count',
    ]);
    expect(acceptedBy(setting('monitoring.alarmEmails'), 'prod')).toEqual(['every item must be an email address such as ops@example.com']);
    expect(acceptedBy(setting('host.logFiles[].format'), 'dev')).toEqual([
      'must be one of common, combined, syslog_rfc3164, syslog_rfc5424, json',
    ]);
  });
});

describe('relative links', () => {
  test('the pages are README.md, CHANGELOG.md and every page under docs/', () => {
    const pages = markdownPages();
    expect(pages.slice(0, 2)).toEqual(['README.md', 'CHANGELOG.md']);
    expect(pages).toContain('docs/guarantees.md');
  });

  test.each(markdownPages())('every relative link of %s resolves (files and #anchors)', (page) => {
    expect(brokenLinks(page, read(page))).toEqual([]);
  });

  test('a link to a missing file, a missing heading or a file outside the project is reported', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-links-'));
    fs.mkdirSync(path.join(root, 'docs'));
    fs.writeFileSync(path.join(root, 'docs', 'a.md'), '# Title\n\n## Delivery `guarantees` (per hop)\n\n## Title\n');
    const page = [
      '[ok](docs/a.md#delivery-guarantees-per-hop) [ok](docs/a.md#title-1) [ok](#top) [web](https://example.com/x)',
      '[gone](docs/missing.md) [anchor](docs/a.md#nowhere) [out](../etc/passwd)',
      '```',
      '[in code](docs/nothing.md)',
      '```',
      '# Top',
    ].join('\n');
    fs.writeFileSync(path.join(root, 'README.md'), page);
    expect(brokenLinks('README.md', page, root)).toEqual([
      'README.md: docs/missing.md (no such file)',
      'README.md: docs/a.md#nowhere (no heading with anchor #nowhere)',
      'README.md: ../etc/passwd (no such file)',
    ]);
    expect([...headingAnchors(fs.readFileSync(path.join(root, 'docs', 'a.md'), 'utf8'))]).toEqual([
      'title',
      'delivery-guarantees-per-hop',
      'title-1',
    ]);
    fs.rmSync(root, { recursive: true });
  });
});

// Issue 19's limits: a README read in five minutes, and benchmarks with the current results only.
describe('page lengths', () => {
  const lineCount = (text: string) => text.replace(/\n$/, '').split('\n').length;

  test.each([
    ['README.md', 200],
    ['docs/benchmarks.md', 80],
  ] as const)('%s has at most %i lines', (page, limit) => {
    expect(lineCount(read(page))).toBeLessThanOrEqual(limit);
  });

  test('counts lines as an editor does: a final newline ends the last line, it does not add one', () => {
    expect([lineCount('a\nb\n'), lineCount('a\nb'), lineCount('a\n\nb\n')]).toEqual([2, 2, 3]);
  });
});

describe('hand-written claims the code decides', () => {
  test("docs/costs.md's Athena limit names the span the capacity plan checks: one source's curated partition", () => {
    const athenaRow = read('docs/costs.md')
      .split('\n')
      .find((line) => line.startsWith('| Athena |') && line.includes('bytesScannedCutoffPerQuery'));
    const span = CURATED_PARTITION_HOURS === 24 ? 'day' : CURATED_PARTITION_HOURS === 1 ? 'peak hour' : `${CURATED_PARTITION_HOURS} h`;
    expect(athenaRow).toContain(`one source's ${span} of curated data`);
  });
});
