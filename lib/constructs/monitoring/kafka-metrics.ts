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
}

export interface MonitoredKafkaConsumer {
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
}

/** What a Kafka consumer function and its event source mapping publish in AWS/Lambda. */
export interface KafkaConsumerMetricsProps {
  readonly functionName: string;
  /** Invocations and errors of the function (aws-cdk-lib's Function helpers). */
  readonly fn: { metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric; metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric };
  /**
   * The mapping's UUID, when it has an on-failure destination and publishes ErrorCount metrics
   * (MetricsConfig), for the on-failure alarm.
   * @default - no on-failure alarm
   */
  readonly eventSourceMappingUuid?: string;
}

export class KafkaConsumerMetrics implements MonitoredKafkaConsumer {
  constructor(private readonly props: KafkaConsumerMetricsProps) {}

  metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.props.fn.metricInvocations({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES, ...props });
  }

  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.props.fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES, ...props });
  }

  /** `OffsetLag` is published per function for MSK and self-managed Kafka event sources. */
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

  get metricOnFailureRecords(): ((props?: cloudwatch.MetricOptions) => cloudwatch.Metric) | undefined {
    const uuid = this.props.eventSourceMappingUuid;
    if (uuid === undefined) return undefined;
    return (props) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'OnFailureDestinationDeliveredEventCount',
        dimensionsMap: { EventSourceMappingUUID: uuid },
        statistic: cloudwatch.Stats.SUM,
        period: FIVE_MINUTES,
        ...props,
      });
  }
}
