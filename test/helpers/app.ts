import * as cdk from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addPipelineStacks, type PipelineStacks } from '../../lib/app-stacks';
import type { HostImagePins } from '../../lib/constructs/log-host';
import { STAGE_CONFIGS, type StageName } from '../../lib/config';
import * as cdkJson from '../../cdk.json';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUN_DIR_ENV } from './run-dir';

/** The templates of a stage's app, and what cdk-nag's AwsSolutions pack made of it. */
export interface StageSynthesis {
  readonly templates: Record<keyof PipelineStacks, Template>;
  /** The stage's stacks as constructs (for their metrics and dependencies), synthesized in this process on first use. */
  readonly stacks: PipelineStacks;
  /** cdk-nag's report when synthesis with the pack failed (an unacknowledged finding); undefined when clean. */
  readonly nagFailure?: string;
}

interface CachedSynthesis {
  /** Template file of each stack, in the cloud assembly. */
  readonly templateFiles?: Record<keyof PipelineStacks, string>;
  readonly nagFailure?: string;
  /** Why the stage did not synthesize at all (even without cdk-nag). */
  readonly error?: string;
}

const WAIT_FOR_OTHER_WORKER_MS = 10 * 60 * 1000;

/**
 * Pinned host images the tests synthesize with, standing in for the ids a user records in cdk.json
 * (`logPipeline:hostImages`, empty in the repository: each deployment pins its own regions). Two regions, so
 * the environment-agnostic template maps them and carries the rule that refuses any other region.
 */
export const TEST_HOST_IMAGES: HostImagePins = { 'eu-west-1': 'ami-0a1b2c3d4e5f60718', 'us-east-1': 'ami-0f1e2d3c4b5a69788' };
const inProcess = new Map<StageName, StageSynthesis>();

/**
 * An app with the feature flags of cdk.json, as `cdk synth` runs it: tests see the templates users deploy.
 * `props.context` adds to cdk.json's.
 */
export function projectApp(props: cdk.AppProps = {}): cdk.App {
  return new cdk.App({ ...props, context: { ...cdkJson.context, ...props.context } });
}

/**
 * The app exactly as bin/app.ts builds it for a stage (same configs, same composition), synthesized with
 * cdk-nag attached once per `npx jest` run, not once per test file: every file runs in its own module
 * registry, and each first synthesis in a registry pays for CDK's template-validation engine (WebAssembly),
 * esbuild and module loading again. The first worker to ask for a stage synthesizes it into the run's
 * directory; another asking meanwhile synthesizes a stage not yet started, then reads the same cloud
 * assembly (Template.fromStack reads that same JSON).
 * cdk-nag leaves the templates unchanged; when it fails, the templates come from a synthesis without it.
 */
export function synthStage(stage: StageName): StageSynthesis {
  const hit = inProcess.get(stage);
  if (hit) return hit;
  const runDir = process.env[RUN_DIR_ENV];
  const cached = runDir ? sharedSynthesis(runDir, stage) : synthesize(stage, undefined);
  if (cached.error || !cached.templateFiles) throw new Error(`the ${stage} app does not synthesize: ${cached.error}`);
  const files = cached.templateFiles;
  const templates = Object.fromEntries(
    Object.entries(files).map(([name, file]) => [name, Template.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8')))]),
  ) as Record<keyof PipelineStacks, Template>;
  let stacks: PipelineStacks | undefined;
  const result: StageSynthesis = {
    templates,
    nagFailure: cached.nagFailure,
    // The same composition and config as the shared app; synthesized so cross-stack dependencies exist.
    // Its assets are not bundled (no stack in `aws:cdk:bundling-stacks`, as `cdk synth --exclusively` does
    // for stacks it leaves out): the templates above hold the bundled ones, and these are never read.
    get stacks() {
      if (!stacks) {
        const app = projectApp({ context: { [cxapi.BUNDLING_STACKS]: [] } });
        stacks = addPipelineStacks(app, STAGE_CONFIGS[stage], undefined, { hostImages: TEST_HOST_IMAGES });
        app.synth();
      }
      return stacks;
    },
  };
  inProcess.set(stage, result);
  return result;
}

function sharedSynthesis(runDir: string, stage: StageName): CachedSynthesis {
  const resultFile = path.join(runDir, `${stage}.json`);
  if (claim(runDir, stage)) return synthesizeInto(runDir, stage);
  // Another worker is on this stage: synthesize a stage nobody has started (every stack test reads both)
  // rather than sit idle, so the two stages synthesize on two workers at once.
  for (const other of Object.keys(STAGE_CONFIGS) as StageName[]) {
    if (other !== stage && claim(runDir, other)) synthesizeInto(runDir, other);
  }
  const deadline = Date.now() + WAIT_FOR_OTHER_WORKER_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!fs.existsSync(resultFile)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for another jest worker to synthesize the ${stage} app (${runDir})`);
    Atomics.wait(pause, 0, 0, 50);
  }
  return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as CachedSynthesis;
}

/** True for exactly one worker per stage and run: the one that synthesizes it. */
function claim(runDir: string, stage: StageName): boolean {
  try {
    fs.mkdirSync(path.join(runDir, `${stage}.lock`)); // atomic
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

function synthesizeInto(runDir: string, stage: StageName): CachedSynthesis {
  const resultFile = path.join(runDir, `${stage}.json`);
  const result = synthesize(stage, path.join(runDir, stage));
  fs.writeFileSync(`${resultFile}.tmp`, JSON.stringify(result));
  fs.renameSync(`${resultFile}.tmp`, resultFile);
  return result;
}

function synthesize(stage: StageName, outdir: string | undefined): CachedSynthesis {
  const attempt = (nag: boolean, dir: string | undefined) => {
    const app = projectApp({ outdir: dir });
    const stacks = addPipelineStacks(app, STAGE_CONFIGS[stage], undefined, { hostImages: TEST_HOST_IMAGES });
    if (nag) cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    return Object.fromEntries(
      Object.entries(stacks).map(([name, stack]) => [name, assembly.getStackByName((stack as cdk.Stack).stackName).templateFullPath]),
    ) as Record<keyof PipelineStacks, string>;
  };
  try {
    return { templateFiles: attempt(true, outdir) };
  } catch (nagError) {
    try {
      return {
        templateFiles: attempt(false, outdir && `${outdir}-without-nag`),
        nagFailure: String((nagError as Error).message ?? nagError),
      };
    } catch (error) {
      return { error: String((error as Error).message ?? error) };
    }
  }
}

/**
 * A template with content hashes of assets (Lambda bundles, scripts) replaced, so a handler edit does
 * not churn the stack snapshots; the wiring around the assets stays pinned.
 */
export function normalizedTemplate(template: Template): unknown {
  const json = JSON.stringify(template.toJSON());
  return JSON.parse(json.replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}
