#!/usr/bin/env node
/**
 * The CDK app. The only place that reads context and the environment: the stage (`-c stage=dev|prod`,
 * default dev) and the account/region the CLI resolved. Everything else flows down as props.
 */
import * as cdk from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, stageConfig } from '../lib/config';
import { addPipelineStacks } from '../lib/app-stacks';

const app = new cdk.App();

// Environment-agnostic unless the CLI knows an account: synth needs no credentials. Without credentials the CLI
// still sets CDK_DEFAULT_REGION (to us-east-1 when nothing is configured), so the region counts only with an account.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const env = account && region ? { account, region } : undefined;

let config;
try {
  // The region, when known, lets validation refuse zones a service cannot use there (MSK and use1-az3).
  config = stageConfig(app.node.tryGetContext('stage'), { region: env?.region });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

addPipelineStacks(app, config, env);

// AWS Solutions checks on every synth: a finding without a reasoned acknowledgment stops `cdk synth`.
cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
