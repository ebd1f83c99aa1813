/** Unit tests: constructs, handlers, config. Integration tests live in jest.integration.config.js. */
module.exports = {
  // jest's node environment, with CDK's template-validation engine loaded once per worker (see the file).
  testEnvironment: '<rootDir>/test/helpers/cdk-test-environment.ts',
  moduleNameMapper: { '^@aws/cloudformation-validate$': '<rootDir>/test/helpers/shared-cloudformation-validate.js' },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/'],
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  // Jest's default is one worker fewer than the cores: one worker on a 2-core machine. The suite is CPU-bound.
  maxWorkers: '100%',
  // The one global setup: installs .venv-shellcheck (shellcheck for the boot-script tests) and makes the
  // directory where workers share each stage's synthesized app (test/helpers/app.ts synthStage).
  globalSetup: '<rootDir>/test/helpers/jest-global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/jest-global-teardown.ts',
  setupFiles: ['<rootDir>/test/helpers/quiet-bundling.ts'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  // Synthesizing stacks bundles Lambdas with esbuild; give CDK tests room on 2 shared cores.
  testTimeout: 120000,
};
