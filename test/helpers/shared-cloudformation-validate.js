// What `require('@aws/cloudformation-validate')` gives inside a test file (jest moduleNameMapper): the part of
// its API that aws-cdk-lib's CloudFormationValidatePlugin uses, backed by the engines that
// test/helpers/cdk-test-environment.ts keeps for this worker. Results come back as the package returns them.
const shared = globalThis.__logPipelineSharedCloudFormationValidate;
if (!shared) {
  throw new Error(
    'test/helpers/shared-cloudformation-validate.js needs the testEnvironment test/helpers/cdk-test-environment.ts (see jest.config.js)',
  );
}

class TemplateContent {
  constructor(content, name) {
    if (typeof content !== 'string' && !(content instanceof Uint8Array))
      throw new TypeError('template content must be a string or a Uint8Array');
    this.content = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
    this.name = name;
  }
}

class CompositeEngine {
  constructor(config) {
    this.config = JSON.stringify(config ?? {});
    shared.engine(this.config); // created (or found) now, as the package would
  }

  validateTemplate(template, options) {
    return shared.validate(this.config, template.content, template.name, JSON.stringify(options ?? {}));
  }

  // The engine stays with the worker for the next test file; nothing to release here.
  free() {}
}

module.exports = { TemplateContent, CompositeEngine, version: () => shared.version() };
