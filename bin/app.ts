#!/usr/bin/env node
/**
 * The CDK app. The only place that reads context and the environment: the stage (`-c stage=dev|prod`,
 * default dev) and the account/region the CLI resolved. Everything else flows down as props.
 */
import * as cdk from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, stageConfig } from '../lib/config';
import { addPipelineStacks } from '../lib/app-stacks';
import { HOST_IMAGES_CONTEXT, hostImagePinProblems, type HostImagePins } from '../lib/constructs/log-host';

const app = new cdk.App();

// Environment-agnostic unless the CLI knows an account: synth needs no credentials. Without credentials the CLI
// still sets CDK_DEFAULT_REGION (to us-east-1 when nothing is configured), so the region counts only with an account.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const env = account && region ? { account, region } : undefined;

let config;
let hostImages: HostImagePins;
try {
  // The region, when known, lets validation refuse zones a service cannot use there (MSK and use1-az3).
  config = stageConfig(app.node.tryGetContext('stage'), { region: env?.region });
  const pins: unknown = app.node.tryGetContext(HOST_IMAGES_CONTEXT);
  const pinProblems = hostImagePinProblems(pins);
  if (pinProblems.length > 0) throw new ConfigError(pinProblems);
  hostImages = (pins ?? {}) as HostImagePins;
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

try {
  addPipelineStacks(app, config, env, { hostImages });
} catch (err) {
  // A pinned image missing for the region the CLI resolved (lib/constructs/log-host/machine-image.ts).
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

// AWS Solutions checks on every synth: a finding without a reasoned acknowledgment stops `cdk synth`.
cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
