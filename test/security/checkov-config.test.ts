/**
 * checkov runs in CI (.ci/run) with .checkov.yaml (prod) and .checkov.dev.yaml (dev). A skip is a failed
 * check unless it says why: every skipped check has its reason as the comment on its line, and dev skips
 * exactly what prod skips plus the checks named here, so the two files cannot drift apart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { PROJECT_ROOT } from '../../lib/project-paths';

/** Checks only dev skips, and why (the reason itself is in .checkov.dev.yaml). */
const DEV_ONLY_SKIPS = ['CKV_AWS_21'];

interface CheckovConfig {
  readonly settings: Record<string, unknown>;
  readonly skips: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
}

function readConfig(file: string): CheckovConfig {
  const doc = parseDocument(fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'));
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  const settings = doc.toJS() as Record<string, unknown>;
  const list = isMap(doc.contents) ? doc.contents.get('skip-check', true) : undefined;
  const skips = isSeq(list)
    ? list.items.map((item) => ({
        id: isScalar(item) ? String(item.value) : String(item),
        reason: (isScalar(item) ? (item.comment ?? '') : '').trim(),
      }))
    : [];
  return { settings, skips };
}

describe('checkov configuration', () => {
  const prod = readConfig('.checkov.yaml');
  const dev = readConfig('.checkov.dev.yaml');

  test.each([
    ['.checkov.yaml', prod],
    ['.checkov.dev.yaml', dev],
  ])('%s gives every skipped check a reason', (_file, config) => {
    expect(config.skips.length).toBeGreaterThan(0);
    for (const skip of config.skips) {
      expect(skip.id).toMatch(/^CKV2?_AWS_\d+$/);
      // A sentence a reviewer can check, not a placeholder.
      expect({ id: skip.id, reason: skip.reason.length >= 40 ? 'given' : skip.reason }).toEqual({ id: skip.id, reason: 'given' });
    }
  });

  test('dev skips what prod skips plus only its own checks, with the same reasons', () => {
    const prodIds = prod.skips.map((s) => s.id);
    expect(dev.skips.map((s) => s.id).filter((id) => !prodIds.includes(id))).toEqual(DEV_ONLY_SKIPS);
    for (const skip of prod.skips) expect(dev.skips).toContainEqual(skip);
    const withoutSkips = (settings: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(settings).filter(([key]) => key !== 'skip-check'));
    expect(withoutSkips(dev.settings)).toEqual(withoutSkips(prod.settings));
  });

  test('CI runs checkov over both stages with these files', () => {
    const ci = fs.readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/\.venv-checkov\/bin\/checkov --config-file "\$\{config\}" --directory "cdk\.out\/\$\{stage\}"/);
    expect(ci).toContain('for stage in dev prod; do\n  config=.checkov.yaml');
    expect(ci).toContain('bash scripts/python-env.sh --checkov');
  });
});
