/** One jest global setup: jest.config.js names it, and it prepares both things the unit tests need. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../lib/project-paths';
import { SHELLCHECK_BIN } from './constructs/log-host/fixtures';
import globalSetup, { FLINK_JAR_COMMAND, SHELLCHECK_ENV_COMMAND } from './helpers/jest-global-setup';
import { currentFlinkJar } from '../lib/constructs/realtime';
import { RUN_DIR_ENV } from './helpers/run-dir';

test('jest.config.js has one global setup and teardown, and no second setup file remains', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require('../jest.config.js') as { globalSetup: string; globalTeardown: string };
  expect(config.globalSetup).toBe('<rootDir>/test/helpers/jest-global-setup.ts');
  expect(config.globalTeardown).toBe('<rootDir>/test/helpers/jest-global-teardown.ts');
  expect(fs.existsSync(path.join(PROJECT_ROOT, 'test', 'global-setup.js'))).toBe(false);
});

test('the global setup installs shellcheck from its own environment, builds the Flink jar and makes a fresh run directory', () => {
  expect(FLINK_JAR_COMMAND.slice(1)).toEqual([path.join(PROJECT_ROOT, 'scripts', 'flink-jar.sh')]);
  expect(SHELLCHECK_ENV_COMMAND.slice(1)).toEqual([path.join(PROJECT_ROOT, 'scripts', 'python-env.sh'), '--shellcheck']);
  const before = process.env[RUN_DIR_ENV];
  try {
    globalSetup();
    const dir = process.env[RUN_DIR_ENV]!;
    expect(dir).not.toBe(before);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true });
    fs.accessSync(SHELLCHECK_BIN, fs.constants.X_OK);
    expect(() => currentFlinkJar()).not.toThrow();
  } finally {
    if (before === undefined) delete process.env[RUN_DIR_ENV];
    else process.env[RUN_DIR_ENV] = before;
  }
});
