import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { TRANSFORM_METRICS } from '../../../contracts/metric-names';
import type { GlueEtl } from '../analytics/glue-etl';
import type { IngestStream } from '../ingest-stream/ingest-stream';
import type { LogDelivery } from '../log-delivery/log-delivery';
import type { LogHost } from '../log-host';
import type { KafkaMonitoringProps } from './kafka-metrics';
import type { MonitoringConfig } from './monitoring-config';
import { percent } from './alarm-table';
import type { MonitoredRealtimeJob } from './realtime-metrics';
import { alarmDescription, RUNBOOK, RUNBOOK_ANCHOR, type AlarmId, type MissingData } from './runbook';

export interface MonitoringProps {
  /** The stream the agent writes to. */
  readonly stream: IngestStream;
  /** Firehose and its transform. */
  readonly delivery: LogDelivery;
  /** The log host and its agent. */
  readonly host: LogHost;
  /** The curation job. */
  readonly etl: GlueEtl;
  /**
   * The MSK cluster and its consumer.
   * @default - no Kafka row on the dashboard, no Kafka alarms
   */
  readonly kafka?: KafkaMonitoringProps;
  /**
   * The stream analytics application (MSF) and its job's metrics: `new RealtimeMetrics(application.applicationName)`.
   * @default - no stream analytics row on the dashboard, no stream analytics alarms
   */
  readonly realtime?: MonitoredRealtimeJob;
  /** Key that encrypts the alarm topic (its policy must let CloudWatch and EventBridge use it; DataKey's does). */
  readonly encryptionKey: kms.IKey;
  /** Thresholds and email addresses (validated by monitoringConfigProblems). */
  readonly config: MonitoringConfig;
}

/** One widget of the dashboard and the metrics it shows, kept so tests can check each one exists in the app. */
export interface WatchedWidget {
  readonly title: string;
  readonly metrics: readonly cloudwatch.IMetric[];
}

const FIVE_MINUTES = cdk.Duration.minutes(5);
const MISSING: Record<MissingData, cloudwatch.TreatMissingData> = {
  breaching: cloudwatch.TreatMissingData.BREACHING,
  notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
  missing: cloudwatch.TreatMissingData.MISSING,
};

/**
 * One dashboard that follows a line through the chain left to right (host agent, stream, transform,
 * Firehose; Glue's runs; then MSK and its consumer), alarms with the stage's thresholds, each explaining what to
 * do, and one KMS-encrypted SNS topic that every alarm notifies on ALARM and on OK. Failed Glue runs reach
 * the topic twice: the EventBridge rule sends the event itself (job, run, error), and an alarm on the rule
 * keeps a state for the dashboard.
 */
export class Monitoring extends Construct {
  public readonly topic: sns.Topic;
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm, by runbook id (lib/constructs/monitoring/runbook.ts). */
  public readonly alarms: Partial<Record<AlarmId, cloudwatch.Alarm>> = {};
  /** EventBridge rule on this job's failed runs, targeting the topic. */
  public readonly glueFailureRule: events.Rule;
  public readonly widgets: WatchedWidget[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { stream, delivery, host, etl, kafka, realtime } = props;
    const t = props.config.thresholds;

    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Log pipeline alarms',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // enforceSSL and the EventBridge target give the topic an AWS::SNS::TopicPolicy, which replaces SNS's default
    // policy (the one that lets the account's own services publish): without this statement CloudWatch is refused
    // and no alarm reaches a subscriber. Scoped to this account's alarms, as AWS documents it:
    // AWS re:Post Knowledge Center, "Why didn't I receive an SNS notification for my CloudWatch alarm trigger?",
    // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
    // (the key side: DataKey's policy, "Enable compatibility between event sources from AWS services and
    // encrypted topics", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
    const { partition, region, account } = cdk.Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsOfThisAccountToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        // Only the key the page shows (aws:SourceArn, which holds the account): a key CloudWatch did not send
        // would make the condition false and refuse every alarm.
        conditions: { ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` } },
      }),
    );
    for (const address of props.config.alarmEmails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }

    this.glueFailureRule = new events.Rule(this, 'GlueJobFailedRule', {
      description: 'Glue log ETL runs that ended FAILED, TIMEOUT, ERROR or STOPPED, to the alarm topic',
      eventPattern: etl.failedRunEventPattern(),
      targets: [
        new targets.SnsTopic(this.topic, {
          message: events.RuleTargetInput.fromText(
            `Glue job ${events.EventField.fromPath('$.detail.jobName')} run ${events.EventField.fromPath('$.detail.jobRunId')} ended ${events.EventField.fromPath('$.detail.state')}: ${events.EventField.fromPath('$.detail.message')} (runbook: ${RUNBOOK_ANCHOR}, "Glue job failed")`,
          ),
        }),
      ],
    });
    const failedRuns = new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: this.glueFailureRule.ruleName },
      statistic: cloudwatch.Stats.SUM,
      period: FIVE_MINUTES,
    });

    this.alarm('agentSilent', `no records for ${t.agentSilentMinutes} minutes`, {
      metric: stream.metricIncomingRecords(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: t.agentSilentMinutes / 5,
    });
    this.alarm('streamWriteThrottles', `more than ${t.streamWriteThrottles} throttled writes in 5 minutes`, {
      metric: stream.metricWriteThrottles(),
      threshold: t.streamWriteThrottles,
    });
    this.alarm('iteratorAge', `Firehose over ${t.iteratorAgeSeconds} s behind for 10 minutes`, {
      metric: stream.metricIteratorAgeMilliseconds(),
      threshold: t.iteratorAgeSeconds * 1000,
      evaluationPeriods: 2,
    });
    this.alarm('transformErrors', `more than ${t.transformErrors} failed invocations in 5 minutes`, {
      metric: delivery.transform.metricErrors({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES }),
      threshold: t.transformErrors,
    });
    this.alarm('processingFailedShare', `over ${t.processingFailedPercent}% of records ProcessingFailed in 5 minutes`, {
      metric: delivery.metricProcessingFailedPercent(),
      threshold: t.processingFailedPercent,
    });
    this.alarm('dataFreshness', `oldest undelivered record over ${t.dataFreshnessSeconds} s`, {
      metric: delivery.metricDataFreshness(),
      threshold: t.dataFreshnessSeconds,
    });
    this.alarm('glueJobFailed', 'any run FAILED, TIMEOUT, ERROR or STOPPED', {
      metric: failedRuns,
      threshold: 0,
    });
    const quarantinedShare = etl.metricQuarantinedPercent();
    this.alarm('glueQuarantineShare', `over ${t.glueQuarantinePercent}% of a run's lines quarantined`, {
      metric: quarantinedShare,
      threshold: t.glueQuarantinePercent,
    });

    const row = (...widgets: cloudwatch.IWidget[]) => new cloudwatch.Row(...widgets);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: cdk.Duration.hours(6),
      periodOverride: cloudwatch.PeriodOverride.AUTO,
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `## Log pipeline\nLeft to right along each path: **Kinesis path** host agent → stream → transform → Firehose → lake → Glue; **Kafka path** MSK brokers → consumer${realtime === undefined ? '' : '; **stream analytics** the Flink job per minute, its bursts and its health'}. Alarms: ${RUNBOOK_ANCHOR}`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      row(
        this.graph('Host agent: records out, errors, retries', [
          stream.metricIncomingRecords({ label: 'Records into the stream' }),
          host.metricAgentErrors({ label: 'Agent errors' }),
          host.metricAgentRetries({ label: 'Agent retries (warnings)' }),
          host.metricStatusCheckFailed({ label: 'Status check failed' }),
        ]),
        this.graph('Stream: incoming records and bytes, write throttles', [
          stream.metricIncomingRecords({ label: 'Records' }),
          stream.metricIncomingBytes({ label: 'Bytes' }),
          stream.metricWriteThrottles({ label: 'Write throttles' }),
        ]),
        this.graph('Stream: iterator age (ms)', [stream.metricIteratorAgeMilliseconds({ label: 'Iterator age (max)' })]),
        this.graph('Transform: invocations, errors, duration', [
          delivery.transform.metricInvocations({ label: 'Invocations' }),
          delivery.transform.metricErrors({ label: 'Errors' }),
          delivery.transform.metricDuration({ label: 'Duration p99 (ms)' }),
        ]),
      ),
      row(
        this.graph('Transform: lines and records', [
          delivery.metricTransform(TRANSFORM_METRICS.parsedLines, { label: 'Parsed lines' }),
          delivery.metricTransform(TRANSFORM_METRICS.unparsedLines, { label: 'Unparsed lines (kept raw)' }),
          delivery.metricProcessingFailed({ label: 'ProcessingFailed records (to errors/)' }),
          delivery.metricTransform(TRANSFORM_METRICS.reingestedRecords, { label: 'Re-ingested records' }),
          delivery.metricTransform(TRANSFORM_METRICS.reingestFailures, { label: 'Re-ingest failures' }),
        ]),
        this.graph('Firehose: read, delivered, success', [
          delivery.metricRecordsReadFromStream({ label: 'Records read from the stream' }),
          delivery.metricDeliveredRecords({ label: 'Records delivered to the lake' }),
          delivery.metricDeliverySuccess({ label: 'S3 delivery success (1 = all)' }),
        ]),
        this.graph('Firehose: data freshness (s)', [delivery.metricDataFreshness({ label: 'Oldest undelivered record' })]),
      ),
      row(
        this.graph('Glue job: rows read, failed tasks, failed runs', [
          etl.metricRecordsRead({ label: 'Rows read from raw/' }),
          etl.metricFailedTasks({ label: 'Failed Spark tasks' }),
          failedRuns.with({ label: 'Failed runs' }),
        ]),
        // What each run published at its end (glue/log_etl/run_metrics.py): one point per run, summed per hour.
        this.graph('Glue job: rows curated and quarantined per run', [
          etl.metricRunCount('raw_lines', { label: 'Lines read' }),
          etl.metricRunCount('curated_rows', { label: 'Rows curated' }),
          etl.metricRunCount('quarantined_rows', { label: 'Rows quarantined' }),
          etl.metricRunCount('duplicates_dropped', { label: 'Duplicates dropped' }),
        ]),
        this.graph('Glue job: quarantined share per run (%)', [quarantinedShare]),
      ),
    );

    if (kafka !== undefined) this.addKafka(kafka, t);
    if (realtime !== undefined) this.addRealtime(realtime, t);

    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: Object.values(this.alarms),
        width: 24,
        height: 3,
      }),
    );
  }

  private addKafka(kafka: KafkaMonitoringProps, t: MonitoringConfig['thresholds']): void {
    const { cluster, consumer } = kafka;
    const perBroker = (label: string, metric: (id: number) => cloudwatch.IMetric) =>
      cluster.brokerIds.map((id) => (metric(id) as cloudwatch.Metric).with({ label: `${label} broker ${id}` }));
    const cpu = perBroker('CPU user %', (id) => cluster.metricCpuUser(id));
    const disk = perBroker('Disk used %', (id) => cluster.metricDataLogsDiskUsed(id));
    const urp = perBroker('Under-replicated', (id) => cluster.metricUnderReplicatedPartitions(id));

    this.alarm('kafkaDiskUsed', `a broker over ${t.kafkaDiskUsedPercent}% disk`, {
      metric: cluster.metricHighestDataLogsDiskUsed(),
      threshold: t.kafkaDiskUsedPercent,
    });
    this.alarm('kafkaUnderReplicated', 'any under-replicated partition for 15 minutes', {
      metric: cluster.metricMostUnderReplicatedPartitions(),
      threshold: 0,
      // A rolling restart (MSK patching) under-replicates for a few minutes by design.
      evaluationPeriods: 3,
    });
    this.alarm('kafkaOffsetLag', `over ${t.kafkaOffsetLag} messages behind for 15 minutes`, {
      metric: consumer.metricOffsetLag(),
      threshold: t.kafkaOffsetLag,
      evaluationPeriods: 3,
    });
    this.alarm('kafkaConsumerErrors', `more than ${t.kafkaConsumerErrors} failed invocations in 5 minutes`, {
      metric: consumer.metricErrors(),
      threshold: t.kafkaConsumerErrors,
    });
    const onFailure = consumer.metricOnFailureRecords?.();
    const dropped = consumer.metricDroppedRecords?.();
    if (onFailure !== undefined) {
      // When the delivery to the destination itself fails, Lambda emits no OnFailureDestinationDeliveredEventCount
      // but counts the records in DroppedEventCount: both are records the mapping gave up on. FILL: a count
      // missing in a period is 0 there, so one published alone still sums.
      const gaveUp =
        dropped === undefined
          ? onFailure
          : new cloudwatch.MathExpression({
              expression: 'FILL(delivered, 0) + FILL(dropped, 0)',
              usingMetrics: { delivered: onFailure, dropped },
              label: 'Records given up on (to the destination or dropped)',
              period: FIVE_MINUTES,
            });
      this.alarm('kafkaOnFailure', 'any record sent to the on-failure destination or dropped', { metric: gaveUp, threshold: 0 });
    }

    this.dashboard.addWidgets(
      new cloudwatch.Row(
        this.graph('MSK: broker CPU user %', cpu),
        this.graph('MSK: data-log disk used %', disk),
        this.graph('MSK: under-replicated partitions', urp),
        this.graph('Consumer: invocations, errors, offset lag', [
          consumer.metricInvocations(),
          consumer.metricErrors(),
          consumer.metricOffsetLag(consumer.mappingSource === undefined ? undefined : { label: `Offset lag (${consumer.mappingSource})` }),
          ...[onFailure, dropped, consumer.metricOnFailureDeliveryErrors?.()].filter((m): m is cloudwatch.IMetric => m !== undefined),
        ]),
      ),
    );
  }

  /**
   * The stream analytics job's alarms and row. Periods of one minute for what changes once a minute (the
   * windows' gauges, MSF's downtime), five for what is read as a change between reports (bursts, failed
   * checkpoints); lib/constructs/monitoring/realtime-metrics.ts says why for each.
   */
  private addRealtime(realtime: MonitoredRealtimeJob, t: MonitoringConfig['thresholds']): void {
    const highestApp = realtime.metricHighestAppShare5xx();
    const newBursts = realtime.metricNewErrorBursts();
    this.alarm('realtimeShare5xx', `an app's one-minute 5xx share over ${percent(t.realtimeShare5xx)}`, {
      metric: highestApp,
      threshold: t.realtimeShare5xx,
    });
    this.alarm('realtimeErrorBurst', 'any new error burst in 5 minutes', {
      metric: newBursts,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    this.alarm('realtimeDowntime', 'downtime above 0 in a minute, or none published', {
      metric: realtime.metricDowntime(),
      threshold: 0,
    });
    this.alarm('realtimeFailedCheckpoints', 'any failed checkpoint in 5 minutes', {
      metric: realtime.metricFailedCheckpointRate(),
      threshold: 0,
    });

    this.dashboard.addWidgets(
      new cloudwatch.Row(
        this.graph('Stream analytics: 5xx share per minute', [realtime.metricShare5xx({ label: 'All apps' }), highestApp]),
        this.graph('Stream analytics: requests per minute', [realtime.metricRequests({ label: 'Requests (all apps)' })]),
        this.graph('Stream analytics: error bursts per host', [realtime.metricErrorBurstsPerHost()]),
        this.graph('Stream analytics: application health', [
          realtime.metricDowntime({ label: 'Downtime (ms)' }),
          realtime.metricFailedCheckpoints({ label: 'Failed checkpoints (since start)' }),
          realtime.metricLastCheckpointDuration({ label: 'Last checkpoint duration (ms)' }),
        ]),
      ),
    );
  }

  private graph(title: string, metrics: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
    this.widgets.push({ title, metrics });
    return new cloudwatch.GraphWidget({ title, left: metrics, width: 6, height: 6 });
  }

  private alarm(
    id: AlarmId,
    threshold: string,
    props: Pick<cloudwatch.AlarmProps, 'metric' | 'threshold'> &
      Partial<Pick<cloudwatch.AlarmProps, 'comparisonOperator' | 'evaluationPeriods'>>,
  ): cloudwatch.Alarm {
    const entry = RUNBOOK[id];
    const alarm = new cloudwatch.Alarm(this, `${id[0].toUpperCase()}${id.slice(1)}Alarm`, {
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ...props,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      alarmDescription: alarmDescription(id, threshold),
      treatMissingData: MISSING[entry.treatMissingData],
    });
    const action = new actions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms[id] = alarm;
    return alarm;
  }
}
