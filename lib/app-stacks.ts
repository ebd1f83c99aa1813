import * as cdk from 'aws-cdk-lib';
import type { StageConfig } from './config';
import { ConfusedDeputyConditions } from './confused-deputy';
import { logRetentionFor, removalPolicyFor } from './stage-policies';
import { AnalyticsStack } from './stacks/analytics-stack';
import { DataStack } from './stacks/data-stack';
import { HostStack } from './stacks/host-stack';
import { IngestStack } from './stacks/ingest-stack';
import { KafkaConsumerStack } from './stacks/kafka-consumer-stack';
import { KafkaStack } from './stacks/kafka-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { KafkaConsumerMetrics, MskClusterMetrics, RealtimeMetrics } from './constructs/monitoring';
import type { HostImagePins } from './constructs/log-host';
import { CONSUMER_GROUP_ID } from './constructs/kafka';
import { NetworkStack } from './stacks/network-stack';
import { RealtimeStack } from './stacks/realtime-stack';
import { REALTIME_TOPICS } from '../contracts/realtime';

export interface PipelineStacks {
  readonly data: DataStack;
  readonly network: NetworkStack;
  readonly kafka: KafkaStack;
  readonly ingest: IngestStack;
  readonly kafkaConsumer: KafkaConsumerStack;
  readonly host: HostStack;
  readonly analytics: AnalyticsStack;
  readonly monitoring: MonitoringStack;
  /** Only where `realtime.enabled` (the key is then absent, so Object.values lists deployed stacks only). */
  readonly realtime?: RealtimeStack;
}

/**
 * Cross-stack values are strong references (cdk.json `@aws-cdk/core:defaultCrossStackReferences: strong`): each is
 * an Export of its producer read with Fn::ImportValue. CloudFormation then refuses to delete a producer whose
 * export another stack imports, and refuses an update that changes or removes an imported export ("You can't
 * delete a stack if another stack references one of its outputs. You can't modify or remove an output value that
 * is referenced by another stack": AWS CloudFormation, "Fn::ImportValue",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-importvalue.html).
 * Weak references (Fn::GetStackOutput) are read only when the consumer itself is created or updated, and the CDK
 * CLI skips a stack whose template did not change: a consumer would keep a stale value, and `cdk destroy` of one
 * producer would leave its consumers pointing at nothing. A strong reference fails such a deploy loudly instead.
 * The price: a value another stack imports cannot change in one deploy (a replaced resource): remove the
 * consumer's use first, or keep the old export for one deploy with `stack.exportValue(...)` (aws-cdk-lib README,
 * "The deadly embrace", https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/README.md#the-deadly-embrace).
 * So values a routine update replaces are not imported: topic ARNs are built from names (KafkaCluster.topicArn),
 * and the two the Monitoring stack reads from replaceable resources are weak, each with what re-reads it (below).
 * test/deploy/references-strong.test.ts checks every cross-stack value of both stages.
 *
 * Composes the app's stacks for one stage. bin/app.ts calls this with the validated config; tests call it
 * with the same configs, so what is tested is what is deployed. The stage's removal policy and log
 * retention are derived here once and reach every stack.
 */
/** What bin/app.ts reads from context besides the stage. */
export interface PipelineContext {
  /** AMI ids by region for a host whose image is 'pinned' (cdk.json `logPipeline:hostImages`). */
  readonly hostImages: HostImagePins;
}

export function addPipelineStacks(
  app: cdk.App,
  config: StageConfig,
  env?: cdk.Environment,
  context: PipelineContext = { hostImages: {} },
): PipelineStacks {
  const prefix = `LogPipeline-${config.stage}`;
  const common = { env, tags: { project: 'log-pipeline', stage: config.stage } };
  const removalPolicy = removalPolicyFor(config.retainData);
  const logRetention = logRetentionFor(config.logRetentionDays);

  const data = new DataStack(app, `${prefix}-Data`, {
    ...common,
    description: `Log pipeline (${config.stage}): data key, S3 lake, Kinesis stream`,
    stream: config.stream,
    lake: config.lake,
    removalPolicy,
  });
  const network = new NetworkStack(app, `${prefix}-Network`, {
    ...common,
    description: `Log pipeline (${config.stage}): the VPC every stateful part shares`,
    config: config.network,
    encryptionKey: data.dataKey,
    logRetention,
    removalPolicy,
  });
  const kafka = new KafkaStack(app, `${prefix}-Kafka`, {
    ...common,
    description: `Log pipeline (${config.stage}): MSK cluster (KRaft, IAM auth, TLS), topics, failed-batches bucket`,
    config: config.kafka,
    vpc: network.vpc,
    vpcSubnets: network.network.privateSubnets,
    encryptionKey: data.dataKey,
    accessLogsBucket: data.accessLogsBucket,
    logRetention,
    removalPolicy,
  });
  const ingest = new IngestStack(app, `${prefix}-Ingest`, {
    ...common,
    description: `Log pipeline (${config.stage}): Firehose and transform Lambda, stream to lake`,
    stream: data.stream,
    lakeBucket: data.lakeBucket,
    encryptionKey: data.dataKey,
    delivery: config.delivery,
    logRetention,
    removalPolicy,
    customFormats: config.formats,
  });
  const logTopic = config.kafka.topics[0].name;
  const kafkaConsumer = new KafkaConsumerStack(app, `${prefix}-KafkaConsumer`, {
    ...common,
    description: `Log pipeline (${config.stage}): Kafka consumer Lambda and its event source mapping, topic to lake`,
    cluster: kafka.cluster,
    topicName: logTopic,
    config: config.kafka.consumer,
    lakeBucket: data.lakeBucket,
    failedBatchesBucket: kafka.failedBatchesBucket,
    encryptionKey: data.dataKey,
    logRetention,
    removalPolicy,
    customFormats: config.formats,
    // With the stream analytics on, the consumer publishes what it parses to the records topic (from the VPC).
    ...(config.realtime.enabled && { recordsTopic: REALTIME_TOPICS.records, vpc: network.vpc, vpcSubnets: network.network.privateSubnets }),
  });
  const realtime = config.realtime.enabled
    ? new RealtimeStack(app, `${prefix}-Realtime`, {
        ...common,
        description: `Log pipeline (${config.stage}): stream analytics on Managed Service for Apache Flink, records topic to per-minute rows`,
        config: config.realtime,
        cluster: kafka.cluster,
        vpc: network.vpc,
        vpcSubnets: network.network.privateSubnets,
        lakeBucket: data.lakeBucket,
        failedBatchesBucket: kafka.failedBatchesBucket,
        encryptionKey: data.dataKey,
        logRetention,
        removalPolicy,
      })
    : undefined;
  const hostSubnets = config.host.subnet === 'public' ? network.network.publicSubnets : network.network.privateSubnets;
  if (hostSubnets === undefined)
    throw new Error('host.subnet is public but the network has no public subnets (validateStageConfig reports this)');
  const host = new HostStack(app, `${prefix}-Host`, {
    ...common,
    description: `Log pipeline (${config.stage}): log host (EC2, Fluent Bit)`,
    stream: data.stream,
    vpc: network.vpc,
    vpcSubnets: hostSubnets,
    encryptionKey: data.dataKey,
    config: config.host,
    logRetention,
    removalPolicy,
    terminationProtection: config.host.terminationProtection,
    hostImages: context.hostImages,
    kafka: { target: kafka.cluster, topicName: logTopic },
  });
  const analytics = new AnalyticsStack(app, `${prefix}-Analytics`, {
    ...common,
    description: `Log pipeline (${config.stage}): Glue catalog and job (raw to curated Parquet), Athena workgroup`,
    lakeBucket: data.lakeBucket,
    encryptionKey: data.dataKey,
    config: config.analytics,
    removalPolicy,
    logRetention,
    customFormatNames: config.formats.map((format) => format.name),
    realtimeTable: config.realtime.enabled,
  });
  // Last: it watches every other stack and nothing depends on it.
  const monitoring = new MonitoringStack(app, `${prefix}-Monitoring`, {
    ...common,
    description: `Log pipeline (${config.stage}): dashboard, alarms and their SNS topic`,
    stream: data.ingestStream,
    delivery: ingest.delivery,
    host: host.host,
    etl: analytics.etl,
    encryptionKey: data.dataKey,
    config: config.monitoring,
    kafka: {
      cluster: new MskClusterMetrics(kafka.cluster.clusterName, config.kafka.brokerCount),
      consumer: new KafkaConsumerMetrics({
        functionName: kafkaConsumer.consumer.function.function.functionName,
        fn: kafkaConsumer.consumer.function.function,
        eventSourceMappingUuid: kafkaConsumer.consumer.eventSourceMapping.ref,
        mappingSource: `topic ${logTopic}, group ${CONSUMER_GROUP_ID}`,
      }),
    },
    // The application is never replaced by an update (its create-only properties, ApplicationName and
    // ApplicationMode, are not set), so its generated name is a safe strong reference.
    realtime: realtime && new RealtimeMetrics(realtime.analytics.applicationName),
  });
  // Values a routine update replaces are read weakly (Fn::GetStackOutput), or that update would fail on the
  // export the Monitoring stack imports; each says what makes the consumer read it again.
  // - The mapping's UUID (on-failure alarm): replaced when its topic, group or cluster changes. Monitoring's
  //   template names all three (mappingSource, the cluster's metrics), so the same deploy changes it, and the CLI
  //   deploys it after KafkaConsumer, reading the new UUID.
  // - The host's instance ID (the dashboard's status-check line): replaced with its image, which no template
  //   names while the image is read from SSM at deploy; the line follows the new host at Monitoring's next
  //   template change. Nothing else reads it.
  cdk.CrossStackReferences.of(kafkaConsumer.consumer.eventSourceMapping).produce(cdk.ReferenceStrength.WEAK);
  cdk.CrossStackReferences.of(host.host.instance).produce(cdk.ReferenceStrength.WEAK);
  const stacks: PipelineStacks = {
    data,
    network,
    kafka,
    ingest,
    kafkaConsumer,
    host,
    analytics,
    monitoring,
    ...(realtime && { realtime }),
  };
  // Service roles get the trust conditions AWS documents for their service (lib/confused-deputy.ts).
  for (const stack of Object.values(stacks)) cdk.Aspects.of(stack).add(new ConfusedDeputyConditions());
  return stacks;
}
