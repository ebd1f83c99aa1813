import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { STAGE_CONFIGS } from '../../lib/config';
import { MskClusterMetrics, KafkaConsumerMetrics, Monitoring, RUNBOOK, type AlarmId } from '../../lib/constructs/monitoring';
import { CONSUMER_METRICS, METRICS_NAMESPACE, SERVICE_DIMENSION, TRANSFORM_METRICS } from '../../contracts/metric-names';
import { GLUE_RUN_METRICS } from '../../contracts/glue-run-metrics';
import { synthStage } from '../helpers/app';

const dev = synthStage('dev');
const prod = synthStage('prod');

/** Plain metrics behind a widget entry (a math expression's inputs included). */
function plainMetrics(metric: cloudwatch.IMetric): cloudwatch.MetricStatConfig[] {
  const config = metric.toMetricConfig();
  if (config.metricStat) return [config.metricStat];
  return Object.values(config.mathExpression?.usingMetrics ?? {}).flatMap(plainMetrics);
}

function topicRef(template: Template): { Ref: string } {
  const [id] = Object.keys(template.findResources('AWS::SNS::Topic'));
  return { Ref: id };
}

describe.each([
  ['dev', dev],
  ['prod', prod],
] as const)('%s monitoring stack', (stage, synth) => {
  const template = synth.templates.monitoring;
  const { monitoring } = synth.stacks.monitoring;
  const thresholds = STAGE_CONFIGS[stage].monitoring.thresholds;

  test('is composed last: it depends on every other stack and nothing depends on it', () => {
    const others = Object.entries(synth.stacks)
      .filter(([name]) => name !== 'monitoring')
      .map(([, stack]) => stack as cdk.Stack);
    for (const stack of others) expect(stack.dependencies).not.toContain(synth.stacks.monitoring);
    const deps = synth.stacks.monitoring.dependencies.map((s) => s.stackName).sort();
    expect(deps).toEqual(
      expect.arrayContaining([synth.stacks.data, synth.stacks.ingest, synth.stacks.host, synth.stacks.analytics].map((s) => s.stackName)),
    );
  });

  test('the topic is encrypted with the data key, requires TLS, and has no subscription by default', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp(`^${synth.stacks.data.stackName}:`) },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('the data key lets CloudWatch and EventBridge publish to the encrypted topic', () => {
    synth.templates.data.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowAlarmsAndRulesToPublishToTheAlarmTopic',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  test('every alarm notifies the topic on ALARM and OK, and says what to do', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(Object.keys(monitoring.alarms).length);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef(template)]);
      expect(alarm.Properties.OKActions).toEqual([topicRef(template)]);
      expect(alarm.Properties.AlarmDescription).toMatch(/What to do: .+ Runbook: docs\/operations\.md#alarms\. Missing data is /);
      expect(alarm.Properties.AlarmDescription.length).toBeLessThanOrEqual(1024);
    }
    // The Kinesis chain, Glue, the Kafka path (the app wires the MSK cluster and the consumer in) and the stream analytics.
    expect(Object.keys(monitoring.alarms).sort()).toEqual(
      [
        'agentSilent',
        'dataFreshness',
        'glueJobFailed',
        'glueQuarantineShare',
        'iteratorAge',
        'processingFailedShare',
        'streamWriteThrottles',
        'transformErrors',
        'kafkaConsumerErrors',
        'kafkaDiskUsed',
        'kafkaOffsetLag',
        'kafkaOnFailure',
        'kafkaUnderReplicated',
        // The stream analytics application, where the stage deploys it (prod).
        ...(STAGE_CONFIGS[stage].realtime.enabled
          ? ['realtimeShare5xx', 'realtimeErrorBurst', 'realtimeDowntime', 'realtimeFailedCheckpoints']
          : []),
      ].sort(),
    );
  });

  test('each alarm: metric, threshold, period and missing-data choice from the stage config and runbook', () => {
    const expectAlarm = (id: AlarmId, props: Record<string, unknown>) =>
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp(`^${RUNBOOK[id].title} `),
        TreatMissingData: RUNBOOK[id].treatMissingData,
        ...props,
      });
    expectAlarm('agentSilent', {
      Namespace: 'AWS/Kinesis',
      MetricName: 'IncomingRecords',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: thresholds.agentSilentMinutes / 5,
    });
    expectAlarm('streamWriteThrottles', {
      Namespace: 'AWS/Kinesis',
      MetricName: 'WriteProvisionedThroughputExceeded',
      Period: 300,
      Threshold: thresholds.streamWriteThrottles,
    });
    expectAlarm('iteratorAge', {
      Namespace: 'AWS/Kinesis',
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: thresholds.iteratorAgeSeconds * 1000,
      EvaluationPeriods: 2,
    });
    expectAlarm('transformErrors', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 300,
      Threshold: thresholds.transformErrors,
    });
    expectAlarm('processingFailedShare', {
      Threshold: thresholds.processingFailedPercent,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(records > 0, 100 * failed / records, 0)' }),
        Match.objectLike({
          Id: 'failed',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ Namespace: METRICS_NAMESPACE, MetricName: TRANSFORM_METRICS.failedRecords }),
            Period: 300,
          }),
        }),
        Match.objectLike({
          Id: 'records',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ Namespace: METRICS_NAMESPACE, MetricName: TRANSFORM_METRICS.records }),
          }),
        }),
      ]),
    });
    expectAlarm('dataFreshness', {
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.DataFreshness',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: thresholds.dataFreshnessSeconds,
    });
    expectAlarm('glueJobFailed', { Namespace: 'AWS/Events', MetricName: 'TriggeredRules', Period: 300, Threshold: 0 });
    // The counts each run publishes at its end, by the job's name, per hour; missing between runs (keeps the last verdict).
    const runCount = (id: string, count: keyof typeof GLUE_RUN_METRICS.metrics) =>
      Match.objectLike({
        Id: id,
        MetricStat: Match.objectLike({
          Metric: {
            Namespace: GLUE_RUN_METRICS.namespace,
            MetricName: GLUE_RUN_METRICS.metrics[count],
            Dimensions: [
              {
                Name: GLUE_RUN_METRICS.dimension,
                Value: { 'Fn::ImportValue': Match.stringLikeRegexp(`^${synth.stacks.analytics.stackName}:`) },
              },
            ],
          },
          Period: 3600,
          Stat: 'Sum',
        }),
      });
    expectAlarm('glueQuarantineShare', {
      Threshold: thresholds.glueQuarantinePercent,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(lines > 0, 100 * quarantined / lines, 0)' }),
        runCount('quarantined', 'quarantined_rows'),
        runCount('lines', 'raw_lines'),
      ]),
    });
    expect(RUNBOOK.glueQuarantineShare.treatMissingData).toBe('missing');
  });

  test("the dashboard's Glue run counts are the ones the job publishes, by the job's name", () => {
    const widget = monitoring.widgets.find((w) => w.title === 'Glue job: rows curated and quarantined per run')!;
    const stats = widget.metrics.flatMap(plainMetrics);
    expect(stats.map((m) => m.metricName).sort()).toEqual(Object.values(GLUE_RUN_METRICS.metrics).sort());
    const jobName = synth.stacks.analytics.etl.job.jobName;
    for (const m of stats) {
      expect([m.namespace, m.dimensions?.map((d) => [d.name, d.value])]).toEqual([
        GLUE_RUN_METRICS.namespace,
        [[GLUE_RUN_METRICS.dimension, jobName]],
      ]);
    }
  });

  test('the Kafka alarms watch metrics under the dimensions AWS publishes them with, and the mapping publishes them', () => {
    // OffsetLag is a function metric (FunctionName only); OnFailureDestinationDeliveredEventCount an event source
    // mapping metric of the EventCount group (EventSourceMappingUUID only). Sources: lib/constructs/monitoring/kafka-metrics.ts.
    const fromStack = (stack: cdk.Stack) => ({ 'Fn::ImportValue': Match.stringLikeRegexp(`^${stack.stackName}:`) });
    const alarmOf = (id: AlarmId) =>
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((a) =>
        String(a.Properties.AlarmDescription).startsWith(`${RUNBOOK[id].title} `),
      )!.Properties;
    const lag = alarmOf('kafkaOffsetLag');
    expect([lag.Namespace, lag.MetricName, lag.Dimensions.map((d: { Name: string }) => d.Name)]).toEqual([
      'AWS/Lambda',
      'OffsetLag',
      ['FunctionName'],
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'OffsetLag',
      Dimensions: [{ Name: 'FunctionName', Value: fromStack(synth.stacks.kafkaConsumer) }],
    });
    // Records given up on: delivered to the destination, or dropped when that delivery failed (then Lambda emits
    // DroppedEventCount instead); both by the mapping's UUID alone.
    const onFailure = alarmOf('kafkaOnFailure');
    const byId = Object.fromEntries((onFailure.Metrics as Array<{ Id: string }>).map((m) => [m.Id, m]));
    expect(Object.keys(byId).sort()).toEqual(['delivered', 'dropped', 'expr_1'].sort());
    expect((byId.expr_1 as { Expression?: string }).Expression).toBe('FILL(delivered, 0) + FILL(dropped, 0)');
    for (const [id, metricName] of [
      ['delivered', 'OnFailureDestinationDeliveredEventCount'],
      ['dropped', 'DroppedEventCount'],
    ]) {
      const { Metric, Stat, Period } = (
        byId[id] as unknown as { MetricStat: { Metric: Record<string, unknown>; Stat: string; Period: number } }
      ).MetricStat;
      expect([Metric.Namespace, Metric.MetricName, Stat, Period]).toEqual(['AWS/Lambda', metricName, 'Sum', 300]);
      expect(Metric.Dimensions).toEqual([
        {
          Name: 'EventSourceMappingUUID',
          Value: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: synth.stacks.kafkaConsumer.stackName }) },
        },
      ]);
    }
    // The UUID is the mapping's Ref, exported by the KafkaConsumer stack.
    const consumerTemplate = synth.templates.kafkaConsumer;
    const [mappingId] = Object.keys(consumerTemplate.findResources('AWS::Lambda::EventSourceMapping'));
    const exported = Object.values(consumerTemplate.toJSON().Outputs as Record<string, { Value: unknown }>).map((o) => o.Value);
    expect(exported).toContainEqual({ Ref: mappingId });
    // The consumer widget: function metrics by FunctionName, the mapping's own by EventSourceMappingUUID.
    const consumerWidget = monitoring.widgets.find((w) => w.title === 'Consumer: invocations, errors, offset lag')!;
    expect(consumerWidget.metrics.flatMap(plainMetrics).map((m) => [m.metricName, m.dimensions?.map((d) => d.name)])).toEqual([
      ['Invocations', ['FunctionName']],
      ['Errors', ['FunctionName']],
      ['OffsetLag', ['FunctionName']],
      ['OnFailureDestinationDeliveredEventCount', ['EventSourceMappingUUID']],
      ['DroppedEventCount', ['EventSourceMappingUUID']],
      ['OnFailureDestinationDeliveryErrorCount', ['EventSourceMappingUUID']],
    ]);
    // ESM metrics exist only for the groups the mapping opts into: EventCount holds the alarm's two counts,
    // ErrorCount the delivery errors.
    consumerTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MetricsConfig: { Metrics: Match.arrayWith(['EventCount', 'ErrorCount']) },
    });
  });

  test("the Glue rule matches this job's failed runs and sends them to the topic", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.glue'],
        'detail-type': ['Glue Job State Change'],
        detail: {
          jobName: [{ 'Fn::ImportValue': Match.stringLikeRegexp(`^${synth.stacks.analytics.stackName}:`) }],
          state: ['FAILED', 'TIMEOUT', 'ERROR', 'STOPPED'],
        },
      },
      Targets: [Match.objectLike({ Arn: topicRef(template), InputTransformer: Match.anyValue() })],
    });
  });

  test("docs/operations.md's dashboard layout names every widget", () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../docs/operations.md'), 'utf8').replace(/\s+/g, ' ');
    for (const { title } of monitoring.widgets) expect([title, readme.includes(`**${title}**`)]).toEqual([title, true]);
  });

  test('one dashboard; every widget metric exists in the app', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const published = new Set<string>(Object.values(TRANSFORM_METRICS));
    const filters = Object.values(synth.templates.host.findResources('AWS::Logs::MetricFilter')).map(
      (f) => `${f.Properties.MetricTransformations[0].MetricNamespace}/${f.Properties.MetricTransformations[0].MetricName}`,
    );
    const services = Object.values(synth.templates.ingest.findResources('AWS::Lambda::Function')).map(
      (f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
    );
    expect(monitoring.widgets.length).toBeGreaterThanOrEqual(8);
    for (const widget of monitoring.widgets) {
      for (const metric of widget.metrics.flatMap(plainMetrics)) {
        const where = `${widget.title}: ${metric.namespace}/${metric.metricName}`;
        if (metric.namespace === METRICS_NAMESPACE) {
          expect([where, published.has(metric.metricName)]).toEqual([where, true]);
          const service = metric.dimensions?.find((d) => d.name === SERVICE_DIMENSION)?.value;
          expect([where, services]).toEqual([where, expect.arrayContaining([service])]);
        } else if (metric.namespace === GLUE_RUN_METRICS.namespace) {
          // The job's run counts (glue/log_etl/run_metrics.py publishes each, names from contracts/glue-run-metrics.json).
          expect([where, Object.values(GLUE_RUN_METRICS.metrics)]).toEqual([where, expect.arrayContaining([metric.metricName])]);
          const named = metric.dimensions?.find((d) => d.name === GLUE_RUN_METRICS.dimension)?.value;
          expect([where, cdk.Token.isUnresolved(named)]).toEqual([where, true]);
        } else if (!metric.namespace.startsWith('AWS/') && metric.namespace !== 'Glue') {
          // The agent's counts: a metric filter of the host stack publishes each.
          expect([where, filters]).toEqual([where, expect.arrayContaining([`${metric.namespace}/${metric.metricName}`])]);
        } else if (metric.namespace === 'AWS/Kafka') {
          // MSK metrics name the cluster by its name, a literal the Kafka stack gives the cluster.
          const clusterName = Object.values(synth.templates.kafka.findResources('AWS::MSK::Cluster'))[0].Properties.ClusterName;
          const named = metric.dimensions?.find((d) => d.name === 'Cluster Name')?.value;
          expect([where, named]).toEqual([where, clusterName]);
        } else {
          // AWS metrics (Glue job metrics are in 'Glue') are found by their resource: each names one of the
          // app's resources by a reference.
          const named = (metric.dimensions ?? []).filter((d) => cdk.Token.isUnresolved(d.value));
          expect([where, named.length > 0]).toEqual([where, true]);
        }
      }
    }
  });
});

test('the consumer metric names the handler publishes are named once', () => {
  expect(CONSUMER_METRICS.parsedLines).toBe(TRANSFORM_METRICS.parsedLines);
});

describe('with Kafka wired', () => {
  const base = prod.stacks;
  // A stand-in stage with the real constructs of the prod app, plus a 3-broker cluster and a consumer.
  const fn = new cdk.aws_lambda.Function(base.monitoring, 'Consumer', {
    runtime: cdk.aws_lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: cdk.aws_lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  const monitoring = new Monitoring(base.monitoring, 'WithKafka', {
    stream: base.data.ingestStream,
    delivery: base.ingest.delivery,
    host: base.host.host,
    etl: base.analytics.etl,
    encryptionKey: base.data.dataKey,
    config: { ...STAGE_CONFIGS.prod.monitoring, alarmEmails: ['oncall@example.com', 'ops@example.com'] },
    kafka: {
      cluster: new MskClusterMetrics('log-pipeline-msk', 3),
      consumer: new KafkaConsumerMetrics({ functionName: 'consumer-fn', fn, eventSourceMappingUuid: 'uuid-1' }),
    },
  });

  test('each configured address gets an email subscription to the topic', () => {
    const subscriptions = monitoring.topic.node
      .findAll()
      .filter((c): c is cdk.aws_sns.CfnSubscription => c instanceof cdk.aws_sns.CfnSubscription)
      .map((s) => [s.protocol, s.endpoint]);
    expect(subscriptions).toEqual([
      ['email', 'oncall@example.com'],
      ['email', 'ops@example.com'],
    ]);
  });

  test('MSK disk, under-replicated partitions, offset lag, consumer errors and on-failure alarms', () => {
    expect(Object.keys(monitoring.alarms)).toEqual(
      expect.arrayContaining(['kafkaDiskUsed', 'kafkaUnderReplicated', 'kafkaOffsetLag', 'kafkaConsumerErrors', 'kafkaOnFailure']),
    );
    const disk = monitoring.alarms.kafkaDiskUsed!.metric.toMetricConfig().mathExpression!;
    // One Metrics Insights series over every broker of the cluster: an alarm's math takes at most 10 metrics.
    expect(disk.expression).toBe(
      `SELECT MAX(KafkaDataLogsDiskUsed) FROM SCHEMA("AWS/Kafka", "Broker ID", "Cluster Name") WHERE "Cluster Name" = 'log-pipeline-msk'`,
    );
    expect(disk.usingMetrics).toEqual({});
    const urp = monitoring.alarms.kafkaUnderReplicated!.metric.toMetricConfig().mathExpression!;
    expect(urp.expression).toBe(
      `SELECT MAX(UnderReplicatedPartitions) FROM SCHEMA("AWS/Kafka", "Broker ID", "Cluster Name") WHERE "Cluster Name" = 'log-pipeline-msk'`,
    );
    const lag = monitoring.alarms.kafkaOffsetLag!.metric.toMetricConfig().metricStat!;
    expect([lag.namespace, lag.metricName, lag.dimensions]).toEqual([
      'AWS/Lambda',
      'OffsetLag',
      [{ name: 'FunctionName', value: 'consumer-fn' }],
    ]);
    expect(monitoring.alarms.kafkaOffsetLag!.node.defaultChild).toBeDefined();
    const lagAlarm = monitoring.alarms.kafkaOffsetLag!.node.defaultChild as cloudwatch.CfnAlarm;
    expect(lagAlarm.threshold).toBe(STAGE_CONFIGS.prod.monitoring.thresholds.kafkaOffsetLag);
    const readme = fs.readFileSync(path.join(__dirname, '../../docs/operations.md'), 'utf8').replace(/\s+/g, ' ');
    for (const { title } of monitoring.widgets) expect([title, readme.includes(`**${title}**`)]).toEqual([title, true]);
  });
});
