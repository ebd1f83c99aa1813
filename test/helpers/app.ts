import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addPipelineStacks, type PipelineStacks } from '../../lib/app-stacks';
import { STAGE_CONFIGS, type StageName } from '../../lib/config';
import * as cdkJson from '../../cdk.json';

export interface SynthesizedApp {
  readonly app: cdk.App;
  readonly stacks: PipelineStacks;
  readonly templates: Record<keyof PipelineStacks, Template>;
}

const cache = new Map<string, SynthesizedApp>();

/** An app with the feature flags of cdk.json, as `cdk synth` runs it: tests see the templates users deploy. */
export function projectApp(): cdk.App {
  return new cdk.App({ context: cdkJson.context });
}

/**
 * The app exactly as bin/app.ts builds it for a stage (same configs, same composition), synthesized once
 * per test file and stage: bundling every Lambda with esbuild is the slow part.
 */
export function synthStage(stage: StageName, options: { nag?: boolean } = {}): SynthesizedApp {
  const key = `${stage}:${options.nag ?? false}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const app = projectApp();
  const stacks = addPipelineStacks(app, STAGE_CONFIGS[stage]);
  if (options.nag) cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const templates = Object.fromEntries(
    Object.entries(stacks).map(([name, stack]) => [name, Template.fromStack(stack as cdk.Stack)]),
  ) as Record<keyof PipelineStacks, Template>;
  const result = { app, stacks, templates };
  cache.set(key, result);
  return result;
}

/**
 * A template with content hashes of assets (Lambda bundles, scripts) replaced, so a handler edit does
 * not churn the stack snapshots; the wiring around the assets stays pinned.
 */
export function normalizedTemplate(template: Template): unknown {
  const json = JSON.stringify(template.toJSON());
  return JSON.parse(json.replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}
