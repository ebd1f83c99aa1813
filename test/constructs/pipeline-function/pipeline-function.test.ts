import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PipelineFunction, type PipelineFunctionProps } from '../../../lib/constructs/pipeline-function/pipeline-function';
import { bundleFiles, LAMBDA_NODE_MAJOR, METRICS_NAMESPACE } from '../../../lib/lambda-bundling';
import { projectApp } from '../../helpers/app';
import { expectLogGroup, freshStack, logicalIdOf, resourceOf } from '../../helpers/constructs';
import { actionsOf, resourcesOf, roleStatements } from '../../helpers/iam';

// One app for the file: its stacks share the asset cache, so the function is bundled by esbuild once.
const app = projectApp();
const FUNCTION_DIR = 'firehose-transform';

function functionStack(id: string, props: Partial<PipelineFunctionProps> = {}) {
  const stack = freshStack(app, id);
  const key = new kms.Key(stack, 'Key');
  const fn = new PipelineFunction(stack, 'Fn', { functionDir: FUNCTION_DIR, description: 'under test', encryptionKey: key, ...props });
  return { stack, key, fn };
}

const defaults = functionStack('Defaults');
const custom = functionStack('Custom', {
  timeout: cdk.Duration.seconds(42),
  memorySize: 512,
  environment: { TABLE: 'records' },
  metricsNamespace: 'Custom',
  logRetention: logs.RetentionDays.ONE_WEEK,
  removalPolicy: cdk.RemovalPolicy.DESTROY,
});
// Template.fromStack synthesizes the whole app, which must not change after: read the templates once both stacks exist.
const templates = { defaults: Template.fromStack(defaults.stack), custom: Template.fromStack(custom.stack) };

describe('PipelineFunction with its defaults', () => {
  const { key, fn } = defaults;
  const template = templates.defaults;

  test('exposes the function and its log group, the only ones it creates', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toEqual([logicalIdOf(fn.function)]);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toEqual([logicalIdOf(fn.logGroup)]);
  });

  test(`runs Node.js ${LAMBDA_NODE_MAJOR} on ARM64 with a 1-minute timeout and 1024 MB, logging JSON to its own log group`, () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: `nodejs${LAMBDA_NODE_MAJOR}.x`,
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Description: 'under test',
      Timeout: 60,
      MemorySize: 1024,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalIdOf(fn.logGroup) } },
    });
  });

  test('the environment names the service after its folder, the default metrics namespace, and turns on source maps', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: FUNCTION_DIR,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    expect(METRICS_NAMESPACE).toBe('LogPipeline');
  });

  test('its log group is encrypted with the given encryptionKey, keeps a month, and is retained by default', () => {
    expectLogGroup(template, fn.logGroup, { encryptionKey: key, retentionDays: 30, removalPolicy: cdk.RemovalPolicy.RETAIN });
  });

  test('its own role, assumed by Lambda only, with no managed policy, may write to its own log group only', () => {
    const roleId = logicalIdOf(fn.function.role!);
    template.hasResourceProperties('AWS::Lambda::Function', { Role: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    const role = resourceOf(template, fn.function.role!).Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = roleStatements(template, roleId);
    expect(actionsOf(statements)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(resourcesOf(statements, 'logs:PutLogEvents')).toEqual([{ 'Fn::GetAtt': [logicalIdOf(fn.logGroup), 'Arn'] }]);
  });

  test(`ships lambda/${FUNCTION_DIR}/index.ts bundled by esbuild, minified, with its source map, and its overflow path in a file of its own`, () => {
    const assembly = app.synth();
    const code = resourceOf(template, fn.function).Properties.Code;
    const assetDir = path.join(assembly.directory, `asset.${(code.S3Key as string).replace(/\.zip$/, '')}`);
    // The files the local tools load too (test/local/bundle.test.ts checks what is in them).
    expect(fs.readdirSync(assetDir).sort()).toEqual(['index.js', 'index.js.map', 'kinesis-client.js', 'kinesis-client.js.map']);
    expect(fs.readdirSync(assetDir).sort()).toEqual(bundleFiles(FUNCTION_DIR));
    expect(fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8')).toContain('require("./kinesis-client")');
    const bundle = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    expect(bundle).toContain('sourceMappingURL=index.js.map');
    // Minified: long lines, not the source layout.
    expect(bundle.split('\n').length).toBeLessThan(bundle.length / 1000);
    const map = JSON.parse(fs.readFileSync(path.join(assetDir, 'index.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.endsWith(`lambda/${FUNCTION_DIR}/index.ts`))).toBe(true);
  });
});

describe('PipelineFunction props', () => {
  const { key, fn } = custom;
  const template = templates.custom;

  test('timeout, memorySize, extra environment and metricsNamespace reach the function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 42,
      MemorySize: 512,
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: FUNCTION_DIR,
          POWERTOOLS_METRICS_NAMESPACE: 'Custom',
          NODE_OPTIONS: '--enable-source-maps',
          TABLE: 'records',
        },
      },
    });
  });

  test('logRetention and removalPolicy DESTROY reach the log group', () => {
    expectLogGroup(template, fn.logGroup, { encryptionKey: key, retentionDays: 7, removalPolicy: cdk.RemovalPolicy.DESTROY });
  });

  test('both stacks ship the same code asset (one bundle per app)', () => {
    const key = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function'))[0].Properties.Code.S3Key;
    expect(key(template)).toEqual(key(templates.defaults));
    expect(key(template)).toMatch(/^[0-9a-f]{64}\.zip$/);
  });

  test('a functionDir without an index.ts is refused, naming the missing entry', () => {
    // An app of its own: construction fails before bundling, and the shared app stays whole.
    const stack = freshStack();
    const key = new kms.Key(stack, 'Key');
    expect(() => new PipelineFunction(stack, 'Fn', { functionDir: 'no-such-function', description: 'x', encryptionKey: key })).toThrow(
      /no-such-function[\\/]index\.ts/,
    );
  });
});
