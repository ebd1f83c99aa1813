import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * What the monitoring construct watches on the Kafka path, as metric methods. The MSK cluster and the
 * consumer constructs can implement these themselves; MskClusterMetrics and KafkaConsumerMetrics below
 * build them from names (AWS/Kafka and AWS/Lambda metric names are spelled here once).
 */
export interface MonitoredKafkaCluster {
  /** Broker IDs, 1..N for MSK. */
  readonly brokerIds: readonly number[];
  /** User-space CPU of one broker, percent, average per 5 minutes. */
  metricCpuUser(brokerId: number, props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** Data-log disk used on one broker, percent, maximum per 5 minutes. */
  metricDataLogsDiskUsed(brokerId: number, props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** Under-replicated partitions on one broker, maximum per 5 minutes. */
  metricUnderReplicatedPartitions(brokerId: number, props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** The fullest broker's data-log disk used, percent, per 5 minutes: one series however many brokers, for an alarm. */
  metricHighestDataLogsDiskUsed(): cloudwatch.IMetric;
  /** The most under-replicated partitions on any broker, per 5 minutes: one series for an alarm. */
  metricMostUnderReplicatedPartitions(): cloudwatch.IMetric;
}

export interface MonitoredKafkaConsumer {
  /**
   * What the mapping reads (topic, consumer group), named on the dashboard. A change that replaces the mapping
   * (and so its UUID) then changes the monitoring template too, which makes the CLI deploy it and read the UUID
   * again (lib/app-stacks.ts reads the UUID weakly).
   * @default - not named
   */
  readonly mappingSource?: string;
  /** Consumer invocations, summed per 5 minutes. */
  metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** Failed consumer invocations, summed per 5 minutes. */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** Messages the mapping is behind on its topic, maximum per 5 minutes. */
  metricOffsetLag(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * Records the mapping sent to its on-failure destination, summed per 5 minutes.
   * @default - no on-failure destination, no alarm
   */
  metricOnFailureRecords?(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * Records the mapping dropped after its retries without reaching the on-failure destination (the delivery
   * failed), summed per 5 minutes.
   * @default - not watched
   */
  metricDroppedRecords?(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * Failed attempts to deliver to the on-failure destination, summed per 5 minutes.
   * @default - not watched
   */
  metricOnFailureDeliveryErrors?(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}

/** The Kafka half of what the monitoring construct watches. */
export interface KafkaMonitoringProps {
  readonly cluster: MonitoredKafkaCluster;
  readonly consumer: MonitoredKafkaConsumer;
}

const FIVE_MINUTES = cdk.Duration.minutes(5);

/** AWS/Kafka broker metrics (DEFAULT monitoring level) of a provisioned cluster, by cluster name. */
export class MskClusterMetrics implements MonitoredKafkaCluster {
  readonly brokerIds: readonly number[];

  constructor(
    private readonly clusterName: string,
    brokerCount: number,
  ) {
    this.brokerIds = Array.from({ length: brokerCount }, (_, i) => i + 1);
  }

  private broker(metricName: string, brokerId: number, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Kafka',
      metricName,
      dimensionsMap: { 'Cluster Name': this.clusterName, 'Broker ID': String(brokerId) },
      statistic,
      period: FIVE_MINUTES,
      ...props,
    });
  }

  metricCpuUser(brokerId: number, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.broker('CpuUser', brokerId, cloudwatch.Stats.AVERAGE, props);
  }

  metricDataLogsDiskUsed(brokerId: number, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.broker('KafkaDataLogsDiskUsed', brokerId, cloudwatch.Stats.MAXIMUM, props);
  }

  metricUnderReplicatedPartitions(brokerId: number, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.broker('UnderReplicatedPartitions', brokerId, cloudwatch.Stats.MAXIMUM, props);
  }

  metricHighestDataLogsDiskUsed(): cloudwatch.IMetric {
    return this.maxOverBrokers('KafkaDataLogsDiskUsed', 'Highest broker disk used %');
  }

  metricMostUnderReplicatedPartitions(): cloudwatch.IMetric {
    return this.maxOverBrokers('UnderReplicatedPartitions', 'Most under-replicated partitions on a broker');
  }

  /**
   * The largest value of a broker metric over all of the cluster's brokers, as a Metrics Insights query. An alarm's
   * math expression takes at most 10 metrics ("Alarm data queries", Amazon CloudWatch User Guide,
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-data-queries.html), and a cluster may have
   * more brokers; an alarm on a Metrics Insights query that returns one aggregated series has no such cap ("Create
   * a CloudWatch alarm based on a Metrics Insights query",
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html).
   */
  private maxOverBrokers(metricName: string, label: string): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SELECT MAX(${metricName}) FROM SCHEMA("AWS/Kafka", "Broker ID", "Cluster Name") WHERE "Cluster Name" = '${this.clusterName}'`,
      usingMetrics: {},
      label,
      period: FIVE_MINUTES,
    });
  }
}

/**
 * What a Kafka consumer function and its event source mapping publish in AWS/Lambda, with the dimensions AWS
 * publishes them under (a metric asked for with any other dimension set does not exist and an alarm on it never
 * fires). From the Lambda Developer Guide:
 * - "Viewing metrics for Lambda functions" (monitoring-metrics-view): the AWS/Lambda dimensions are `FunctionName`,
 *   `Resource` (version or alias), `ExecutedVersion`, and `EventSourceMappingUUID` ("view metrics for an event
 *   source mapping").
 * - "Types of metrics for Lambda functions" (monitoring-metrics-types): `OffsetLag` is a performance metric of the
 *   function, like `IteratorAge` ("for self-managed Apache Kafka and Amazon MSK event sources, the difference in
 *   offset between the last record written to a topic and the last record that your function's consumer group
 *   processed ... at the topic level"), so it is read by `FunctionName`, and needs no MetricsConfig. The event
 *   source mapping metrics (`PolledEventCount`, `FilteredOutEventCount`, `InvokedEventCount`,
 *   `FailedInvokeEventCount`, `DroppedEventCount`, `OnFailureDestinationDeliveredEventCount`,
 *   `CommittedEventCount` in the `EventCount` group; `OnFailureDestinationDeliveryErrorCount` and the other
 *   `…ErrorCount`s in `ErrorCount`; `MaxOffsetLag`, `SumOffsetLag` in `KafkaMetrics`) are published per mapping,
 *   by `EventSourceMappingUUID`, and only for the groups the mapping's MetricsConfig opts into
 *   (lib/constructs/kafka/kafka-consumer.ts enables EventCount and ErrorCount).
 */
export interface KafkaConsumerMetricsProps {
  readonly functionName: string;
  /** Invocations and errors of the function (aws-cdk-lib's Function helpers). */
  readonly fn: {
    metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
    metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  };
  /**
   * The mapping's UUID, when it has an on-failure destination and publishes ErrorCount metrics
   * (MetricsConfig), for the on-failure alarm.
   * @default - no on-failure alarm
   */
  readonly eventSourceMappingUuid?: string;
  /**
   * What the mapping reads, e.g. `topic logs, group log-pipeline-lake` (MonitoredKafkaConsumer.mappingSource).
   * @default - not named
   */
  readonly mappingSource?: string;
}

export class KafkaConsumerMetrics implements MonitoredKafkaConsumer {
  constructor(private readonly props: KafkaConsumerMetricsProps) {}

  get mappingSource(): string | undefined {
    return this.props.mappingSource;
  }

  metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.props.fn.metricInvocations({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES, ...props });
  }

  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.props.fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES, ...props });
  }

  /** `OffsetLag`: a function metric (dimension `FunctionName`), published without MetricsConfig; see above. */
  metricOffsetLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'OffsetLag',
      dimensionsMap: { FunctionName: this.props.functionName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: FIVE_MINUTES,
      ...props,
    });
  }

  /**
   * `OnFailureDestinationDeliveredEventCount`: an event source mapping metric of the `EventCount` group, by
   * `EventSourceMappingUUID` alone (the mapping's CloudFormation Ref is its UUID); see above.
   */
  get metricOnFailureRecords(): ((props?: cloudwatch.MetricOptions) => cloudwatch.Metric) | undefined {
    return this.mappingMetric('OnFailureDestinationDeliveredEventCount');
  }

  /**
   * `DroppedEventCount` (`EventCount` group, by `EventSourceMappingUUID`): records dropped after the retries;
   * with an on-failure destination, the ones whose delivery there failed ("If delivery to the destination fails
   * ... For the DroppedEventCount metric, Lambda emits a number equal to the number of events that failed
   * delivery", monitoring-metrics-types).
   */
  get metricDroppedRecords(): ((props?: cloudwatch.MetricOptions) => cloudwatch.Metric) | undefined {
    return this.mappingMetric('DroppedEventCount');
  }

  /** `OnFailureDestinationDeliveryErrorCount` (`ErrorCount` group, by `EventSourceMappingUUID`; emitted only when one happens). */
  get metricOnFailureDeliveryErrors(): ((props?: cloudwatch.MetricOptions) => cloudwatch.Metric) | undefined {
    return this.mappingMetric('OnFailureDestinationDeliveryErrorCount');
  }

  private mappingMetric(metricName: string): ((props?: cloudwatch.MetricOptions) => cloudwatch.Metric) | undefined {
    const uuid = this.props.eventSourceMappingUuid;
    if (uuid === undefined) return undefined;
    return (props) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { EventSourceMappingUUID: uuid },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
        ...props,
      });
  }
}
