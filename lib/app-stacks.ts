import * as cdk from 'aws-cdk-lib';
import type { StageConfig } from './config';
import { ConfusedDeputyConditions } from './confused-deputy';
import { AnalyticsStack } from './stacks/analytics-stack';
import { DataStack } from './stacks/data-stack';
import { HostStack } from './stacks/host-stack';
import { IngestStack } from './stacks/ingest-stack';

export interface PipelineStacks {
  readonly data: DataStack;
  readonly ingest: IngestStack;
  readonly host: HostStack;
  readonly analytics: AnalyticsStack;
}

/**
 * Composes the app's stacks for one stage. bin/app.ts calls this with the validated config; tests call it
 * with the same configs, so what is tested is what is deployed.
 */
export function addPipelineStacks(app: cdk.App, config: StageConfig, env?: cdk.Environment): PipelineStacks {
  const prefix = `LogPipeline-${config.stage}`;
  const common = { env, tags: { project: 'log-pipeline', stage: config.stage } };

  const data = new DataStack(app, `${prefix}-Data`, {
    ...common,
    description: `Log pipeline (${config.stage}): data key, S3 lake, Kinesis stream`,
    stream: config.stream,
    lake: config.lake,
    retainData: config.retainData,
  });
  const ingest = new IngestStack(app, `${prefix}-Ingest`, {
    ...common,
    description: `Log pipeline (${config.stage}): Firehose and transform Lambda, stream to lake`,
    stream: data.stream,
    lakeBucket: data.lakeBucket,
    dataKey: data.dataKey,
    delivery: config.delivery,
    logRetentionDays: config.logRetentionDays,
  });
  const host = new HostStack(app, `${prefix}-Host`, {
    ...common,
    description: `Log pipeline (${config.stage}): log host (EC2, Fluent Bit) and its VPC`,
    stream: data.stream,
    logsKey: data.dataKey,
    config: config.host,
    logRetentionDays: config.logRetentionDays,
    retainData: config.retainData,
    terminationProtection: config.host.terminationProtection,
  });
  const analytics = new AnalyticsStack(app, `${prefix}-Analytics`, {
    ...common,
    description: `Log pipeline (${config.stage}): Glue catalog and job (raw to curated Parquet), Athena workgroup`,
    lakeBucket: data.lakeBucket,
    dataKey: data.dataKey,
    config: config.analytics,
    retainData: config.retainData,
    logRetentionDays: config.logRetentionDays,
  });
  // Service roles get the trust conditions AWS documents for their service (lib/confused-deputy.ts).
  for (const stack of [data, ingest, host, analytics]) cdk.Aspects.of(stack).add(new ConfusedDeputyConditions());
  return { data, ingest, host, analytics };
}
