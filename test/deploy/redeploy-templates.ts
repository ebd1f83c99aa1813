/**
 * The deploy rehearsal's view of a stage: every resource of every stack, the references between them (across
 * stacks too), and what CloudFormation's resource schemas say about each type. Used by the destroy-, redeploy-,
 * update-, glue- and network- tests in this folder, which state AWS's rules and check them over both stages.
 *
 * The resource schemas are CloudFormation's own (the registry's provider schemas, as the pinned cfn-lint in
 * requirements-dev.txt ships them): `createOnlyProperties` are the properties whose change means "Update
 * requires: Replacement" in the CloudFormation Template Reference, and `primaryIdentifier` is what names a
 * resource ("Resource type schema", CloudFormation CLI User Guide,
 * https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { addPipelineStacks, type PipelineStacks } from '../../lib/app-stacks';
import { STAGE_CONFIGS, type StageConfig, type StageName } from '../../lib/config';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { projectApp, synthStage, TEST_HOST_IMAGES } from '../helpers/app';
import type { CfnResource, CfnTemplate } from './cfn-template';

export const STAGES: readonly StageName[] = ['dev', 'prod'];

/** One resource of a stage, by its stack's name and logical ID. */
export interface StageResource {
  readonly stack: string;
  readonly id: string;
  readonly resource: CfnResource;
}

/** A stage's templates keyed by stack name (the name Fn::GetStackOutput and exports use). */
export type StageTemplates = ReadonlyMap<string, CfnTemplate>;

/** The templates the tests synthesize for a stage (test/helpers/app.ts synthStage: as `cdk synth` makes them). */
export function stageTemplates(stage: StageName): StageTemplates {
  const { templates } = synthStage(stage);
  return new Map(
    Object.entries(templates).map(([key, template]) => [
      `LogPipeline-${stage}-${key[0].toUpperCase()}${key.slice(1)}`,
      template.toJSON() as CfnTemplate,
    ]),
  );
}

/**
 * The app of stage `stage` (its stack names) built from another config: what a user changing the stage's
 * settings would deploy. Synthesized without bundling (the templates' wiring is what is compared).
 */
export function templatesWithConfig(stage: StageName, config: StageConfig): StageTemplates {
  const app = projectApp({ context: { [cxapi.BUNDLING_STACKS]: [] } });
  const stacks = addPipelineStacks(app, { ...config, stage }, undefined, { hostImages: TEST_HOST_IMAGES });
  const assembly = app.synth();
  return new Map(
    Object.values(stacks as PipelineStacks).map((stack: cdk.Stack) => [
      stack.stackName,
      assembly.getStackByName(stack.stackName).template as CfnTemplate,
    ]),
  );
}

/** Every resource of the stage. */
export function allResources(templates: StageTemplates): StageResource[] {
  return [...templates].flatMap(([stack, template]) =>
    Object.entries(template.Resources).map(([id, resource]) => ({ stack, id, resource })),
  );
}

export function describe_(r: StageResource): string {
  return `${r.stack}/${r.id} (${r.resource.Type})`;
}

const PSEUDO = /^AWS::/;

/**
 * The resources a value references: Ref, Fn::GetAtt and ${...} in Fn::Sub in its own stack, Fn::GetStackOutput
 * and Fn::ImportValue resolved to the resource behind the other stack's output.
 */
export function referencedResources(templates: StageTemplates, stack: string, value: unknown): StageResource[] {
  const found = new Map<string, StageResource>();
  const add = (inStack: string, id: string) => {
    const resource = templates.get(inStack)?.Resources[id];
    if (resource) found.set(`${inStack}/${id}`, { stack: inStack, id, resource });
  };
  const walk = (inStack: string, node: unknown): void => {
    if (Array.isArray(node)) return node.forEach((item) => walk(inStack, item));
    if (node === null || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'Ref' && typeof child === 'string' && !PSEUDO.test(child)) add(inStack, child);
      else if (key === 'Fn::GetAtt') add(inStack, Array.isArray(child) ? String(child[0]) : String(child).split('.')[0]);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(child) ? String(child[0]) : String(child);
        for (const match of text.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g)) add(inStack, match[1]);
        if (Array.isArray(child)) walk(inStack, child[1]);
      } else if (key === 'Fn::GetStackOutput') {
        const { StackName, OutputName } = child as { StackName: string; OutputName: string };
        const output = templates.get(StackName)?.Outputs?.[OutputName];
        if (output === undefined) throw new Error(`${inStack} reads output ${OutputName} of ${StackName}, which does not exist`);
        walk(StackName, output.Value);
      } else if (key === 'Fn::ImportValue') {
        const producer = [...templates].flatMap(([name, t]) =>
          Object.values(t.Outputs ?? {})
            .filter((o) => JSON.stringify(o.Export?.Name) === JSON.stringify(child))
            .map((o) => ({ name, o })),
        );
        if (producer.length !== 1) throw new Error(`${inStack} imports ${JSON.stringify(child)}, exported ${producer.length} times`);
        walk(producer[0].name, producer[0].o.Value);
      } else walk(inStack, child);
    }
  };
  walk(stack, value);
  return [...found.values()];
}

interface ResourceSchema {
  readonly primaryIdentifier?: string[];
  readonly createOnlyProperties?: string[];
  readonly readOnlyProperties?: string[];
}

const CFN_LINT_SCHEMAS = path.join(PROJECT_ROOT, '.venv/lib/python3.11/site-packages/cfnlint/data/schemas');

/** CloudFormation's schema of a resource type (us-east-1's; the properties' update behaviour is the same in every region). */
export function resourceSchema(type: string): ResourceSchema {
  const index = path.join(CFN_LINT_SCHEMAS, 'providers', 'us-east-1.json');
  if (!fs.existsSync(index)) {
    throw new Error(`CloudFormation's resource schemas come with cfn-lint in .venv (${index} is missing): run bash scripts/python-env.sh`);
  }
  const hash = (JSON.parse(fs.readFileSync(index, 'utf8')) as Record<string, string>)[type];
  if (hash === undefined)
    throw new Error(`no CloudFormation schema for ${type} in cfn-lint's copy: upgrade cfn-lint in requirements-dev.txt`);
  return JSON.parse(fs.readFileSync(path.join(CFN_LINT_SCHEMAS, 'resources', `${hash}.json`), 'utf8')) as ResourceSchema;
}

/** A schema property path (`/properties/A/B`) as segments (`['A', 'B']`). */
export function segments(pointer: string): string[] {
  return pointer.replace(/^\/properties\//, '').split('/');
}

export function valueAt(properties: Record<string, unknown> | undefined, pathSegments: readonly string[]): unknown {
  let node: unknown = properties;
  for (const segment of pathSegments) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/**
 * Where a type holds its physical name: the settable parts of its primary identifier; for types identified by
 * a read-only ARN or id (MSK), the create-only properties named `…Name`. AWS::Glue::Database takes its name
 * from DatabaseInput.Name when DatabaseName is absent (CloudFormation Template Reference, AWS::Glue::Database).
 */
export function namePaths(type: string): string[][] {
  // Custom resources have no name of their own: their provider makes whatever they make.
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return [];
  const schema = resourceSchema(type);
  const readOnly = new Set(schema.readOnlyProperties ?? []);
  const settable = (schema.primaryIdentifier ?? []).filter((p) => !readOnly.has(p)).map(segments);
  const names =
    settable.length > 0 ? settable : (schema.createOnlyProperties ?? []).map(segments).filter((s) => /Name$/.test(s[s.length - 1]));
  return type === 'AWS::Glue::Database' ? [...names, ['DatabaseInput', 'Name']] : names;
}

/** Pseudo parameters that are the same for every deployment of a stack in one account and region. */
const FIXED_PSEUDO = new Set(['AWS::Region', 'AWS::AccountId', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::StackName']);

/**
 * Whether a value is the same on a redeploy after destroy: literals and the account/region/stack name are; a
 * reference to a resource is as fixed as that resource's name; AWS::StackId (new for every stack creation),
 * parameters and anything else CloudFormation generates are not.
 */
export function isFixed(templates: StageTemplates, stack: string, value: unknown, seen = new Set<string>()): boolean {
  if (value === undefined) return false;
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every((v) => isFixed(templates, stack, v, seen));
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) return entries.every(([, v]) => isFixed(templates, stack, v, seen));
  const [key, arg] = entries[0];
  if (key === 'Ref') {
    if (FIXED_PSEUDO.has(String(arg))) return true;
    const resource = templates.get(stack)?.Resources[String(arg)];
    return resource !== undefined && hasFixedName(templates, { stack, id: String(arg), resource }, seen);
  }
  if (key === 'Fn::GetAtt' || key === 'Fn::GetStackOutput' || key === 'Fn::ImportValue' || key === 'Fn::Sub') {
    const referenced = referencedResources(templates, stack, value);
    return referenced.length > 0 && referenced.every((r) => hasFixedName(templates, r, seen));
  }
  if (key.startsWith('Fn::')) return isFixed(templates, stack, arg, seen);
  return isFixed(templates, stack, arg, seen);
}

/** Whether a resource's physical name is fixed (the same on a redeploy); false when CloudFormation generates it. */
export function hasFixedName(templates: StageTemplates, r: StageResource, seen = new Set<string>()): boolean {
  const key = `${r.stack}/${r.id}`;
  if (seen.has(key)) return false;
  seen.add(key);
  const paths = namePaths(r.resource.Type);
  const values = paths.map((p) => valueAt(r.resource.Properties, p)).filter((v) => v !== undefined);
  return values.length > 0 && values.every((v) => isFixed(templates, r.stack, v, seen));
}

/** The names as the template gives them, for messages. */
export function nameOf(r: StageResource): string {
  return namePaths(r.resource.Type)
    .map((p) => valueAt(r.resource.Properties, p))
    .filter((v) => v !== undefined)
    .map((v) => JSON.stringify(v))
    .join(', ');
}

/** DeletionPolicy values with which `cdk destroy` leaves the resource (or a snapshot of it) behind. */
export const KEPT_ON_DESTROY = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

export function keptOnDestroy(resource: CfnResource): boolean {
  return KEPT_ON_DESTROY.has(resource.DeletionPolicy ?? 'Delete');
}

/** The stage config as the stage runs it (for the tests that vary it). */
export function stageConfigOf(stage: StageName): StageConfig {
  return STAGE_CONFIGS[stage];
}
