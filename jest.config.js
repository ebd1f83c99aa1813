/** Unit tests: constructs, handlers, config. Integration tests live in jest.integration.config.js. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/'],
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  // Installs .venv (shellcheck for the boot-script tests) on a fresh clone; instant when up to date.
  globalSetup: '<rootDir>/test/global-setup.js',
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  // Synthesizing stacks bundles Lambdas with esbuild; give CDK tests room on 2 shared cores.
  testTimeout: 120000,
};
