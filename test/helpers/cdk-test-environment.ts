/**
 * Jest's node environment plus one thing: the WebAssembly engine behind CDK's template validation
 * (`@aws/cloudformation-validate`, run at every synth because cdk.json sets validateAgainstDefaultRules) is
 * created once per jest worker and configuration instead of once per test file (or more: CDK creates a new one
 * whenever a synth brings resource types the last one was not built for). Creating one costs 2–3 s of CPU
 * (measured on this machine), validating a stack 0.01–0.3 s; every test file gets a fresh module registry, so
 * without this each file that synthesizes anything paid that again: about 20 s of the suite's CPU. Same
 * package, same configuration, same verdicts: only the engine is kept. test/helpers/
 * shared-cloudformation-validate.js is what the test files' aws-cdk-lib gets for the package.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The name the environment publishes the shared copy under in each test file's global scope. */
export const SHARED_VALIDATE_GLOBAL = '__logPipelineSharedCloudFormationValidate';

// aws-cdk-lib's own dependency, resolved as aws-cdk-lib resolves it.
const MODULE_PATH = require.resolve('@aws/cloudformation-validate', { paths: [path.dirname(require.resolve('aws-cdk-lib/package.json'))] });
interface ValidateModule {
  CompositeEngine: new (config: unknown) => { validateTemplate(template: unknown, config: unknown): unknown };
  TemplateContent: new (content: string, name: string) => unknown;
  version(): string;
}
let loaded: ValidateModule | undefined;
const engines = new Map<string, InstanceType<ValidateModule['CompositeEngine']>>();
// Node's own require, outside any test file's registry: the copy outlives the file that first asked for it.
const requireOutside = createRequire(__filename);
const load = (): ValidateModule => (loaded ??= requireOutside(MODULE_PATH) as ValidateModule);

export default class CdkTestEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    // The package accepts only plain objects of its own realm, and a test file's objects belong to another:
    // configurations and templates cross as JSON text. Loaded on first use: files that never synthesize skip it.
    const shared = {
      engine(configJson: string) {
        let engine = engines.get(configJson);
        if (!engine) engines.set(configJson, (engine = new (load().CompositeEngine)(JSON.parse(configJson))));
        return engine;
      },
      validate(configJson: string, template: string, name: string, optionsJson: string) {
        const module = load();
        return shared.engine(configJson).validateTemplate(new module.TemplateContent(template, name), JSON.parse(optionsJson));
      },
      version: () => load().version(),
    };
    Object.defineProperty(this.global, SHARED_VALIDATE_GLOBAL, { value: shared });
  }
}
