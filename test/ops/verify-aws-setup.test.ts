/**
 * `npm run verify` as a user runs it on a machine not yet set up for AWS: the missing region, then the missing
 * credentials, are named first (before any AWS call) with what to set; the SDK's Node-version notice is one
 * line at most, not its multi-line block.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';

const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

/** An environment with no AWS settings at all: no files, no variables, no instance metadata. */
function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

function verify(env: NodeJS.ProcessEnv) {
  const run = spawnSync(TSX, [path.join(PROJECT_ROOT, 'ops', 'verify', 'cli.ts'), '-c', 'stage=dev'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function expectAtMostOneNodeNotice(output: string): void {
  expect(output).not.toMatch(/NodeVersionSupportWarning/);
  expect(output.split('\n').filter((line) => /Node/.test(line)).length).toBeLessThanOrEqual(1);
}

test('without a region: names it first and says how to set it', () => {
  const { status, output } = verify(bareEnv());
  expect(status).toBe(2);
  expect(output).toContain('npm run verify: no AWS region: set the region the stage is deployed in, with AWS_REGION');
  expect(output).not.toContain('Region is missing');
  expectAtMostOneNodeNotice(output);
});

test('with a region but no credentials: names the credentials and how to configure them', () => {
  const { status, output } = verify(bareEnv({ AWS_REGION: 'eu-west-1' }));
  expect(status).toBe(2);
  expect(output).toContain('npm run verify: no AWS credentials');
  expect(output).toContain('AWS_PROFILE');
  expectAtMostOneNodeNotice(output);
});
