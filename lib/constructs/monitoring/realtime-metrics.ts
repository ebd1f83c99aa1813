import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { MSF_METRICS_NAMESPACE } from '../realtime/realtime-analytics';

/**
 * What the stream analytics job (analytics/flink) registers in the metric group Managed Service for Apache Flink
 * publishes: WindowMetrics.java (gauges of the latest closed window, overall and per `App`) and
 * BurstDetector.java (a counter per `Host`). test/constructs/monitoring/realtime-monitoring.test.ts reads the
 * Java sources for each name.
 */
export const JOB_METRICS = {
  /** The group key MSF publishes (WindowMetrics.GROUP); not a dimension itself. */
  group: 'KinesisAnalytics',
  requests: 'Requests',
  status5xx: 'Status5xx',
  /** status5xx / requests of the window, 0 to 1 (0 without requests). */
  share5xx: 'Share5xx',
  errorBursts: 'ErrorBursts',
  appDimension: 'App',
  hostDimension: 'Host',
} as const;

/**
 * The metrics level these dimensions hold at. "Use custom metrics with Amazon Managed Service for Apache Flink"
 * (https://docs.aws.amazon.com/managed-flink/latest/java/monitoring-metrics-custom.html): MSF reports every
 * metric created under the group key KinesisAnalytics; the user-scope groups below it are CloudWatch dimensions;
 * custom metrics are published at the Application level, and Task / Operator / Parallelism dimensions are added
 * at those monitoring levels. So at APPLICATION a gauge has exactly `Application` plus its own groups, which is
 * what the SCHEMA(...) queries below match; lib/constructs/realtime/realtime-analytics.ts sets this level.
 */
export const JOB_METRICS_LEVEL = 'APPLICATION';

/** What the monitoring construct watches of the stream analytics application. */
export interface MonitoredRealtimeJob {
  /** The MSF application's name (its `Application` dimension). */
  readonly applicationName: string;
  /** Requests of the latest window, all apps together. */
  metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** The 5xx share (0 to 1) of the latest window, all apps together. */
  metricShare5xx(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** The highest 5xx share (0 to 1) of any app's latest window: one series, for an alarm. */
  metricHighestAppShare5xx(): cloudwatch.IMetric;
  /** Each host's ErrorBursts counter, one series per host (dashboard only: many series). */
  metricErrorBurstsPerHost(): cloudwatch.IMetric;
  /** Bursts fired in the period, all hosts together: one series, for an alarm. */
  metricNewErrorBursts(): cloudwatch.IMetric;
  /** MSF's `downtime` (ms): 0 while the job runs, the outage so far while it fails or restarts. */
  metricDowntime(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** MSF's `numberOfFailedCheckpoints`, a running count. */
  metricFailedCheckpoints(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** Failed checkpoints per second (RATE of the running count): above 0 when one failed in the period. */
  metricFailedCheckpointRate(): cloudwatch.IMetric;
  /** MSF's `lastCheckpointDuration` (ms). */
  metricLastCheckpointDuration(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}

const ONE_MINUTE = cdk.Duration.minutes(1);
const FIVE_MINUTES = cdk.Duration.minutes(5);
/** What CreateApplication accepts as a name; anything else cannot be quoted safely in a query. */
const APPLICATION_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/**
 * The job's metrics and MSF's own, in AWS/KinesisAnalytics by the application's name, published at the
 * APPLICATION metrics level (JOB_METRICS_LEVEL).
 *
 * The job's gauges change once a minute, when a window closes, so they are read per minute. An app or a host is
 * a dimension value nobody knows at deploy time, so the alarms read them with CloudWatch Metrics Insights queries
 * over every value ("Metrics Insights query components and syntax",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html:
 * SCHEMA(namespace, keys...) matches only metrics with exactly those dimensions; the function aggregates the
 * observations of every matched metric in each period). Each alarm here watches one time series: a query
 * without GROUP BY returns one aggregated series, the "aggregate monitoring" alarm ("Create a CloudWatch alarm
 * based on a Metrics Insights query",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html); a GROUP BY
 * query returns an array, which a math function taking an array reduces to one ("Use Metrics Insights queries
 * with metric math", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-math.html).
 * Such an alarm evaluates the latest 3 hours of data, and an account has 200 of them per Region by default
 * ("Limits", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html).
 */
export class RealtimeMetrics implements MonitoredRealtimeJob {
  constructor(readonly applicationName: string) {
    if (!cdk.Token.isUnresolved(applicationName) && !APPLICATION_NAME.test(applicationName)) {
      throw new Error(`RealtimeMetrics: '${applicationName}' is not an MSF application name (1 to 128 of a-z, A-Z, 0-9, _ . -)`);
    }
  }

  private metric(metricName: string, statistic: string, period: cdk.Duration, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: MSF_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { Application: this.applicationName },
      statistic,
      period,
      ...props,
    });
  }

  /** A Metrics Insights query over this application's metrics with exactly the dimensions `Application` and `key`. */
  private query(select: string, key: string, period: cdk.Duration, label: string, groupBy?: string): cloudwatch.MathExpression {
    const where = `WHERE Application = '${this.applicationName}'${groupBy ? ` GROUP BY ${groupBy}` : ''}`;
    return new cloudwatch.MathExpression({
      expression: `SELECT ${select} FROM SCHEMA("${MSF_METRICS_NAMESPACE}", Application, ${key}) ${where}`,
      label,
      period,
    });
  }

  metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JOB_METRICS.requests, cloudwatch.Stats.MAXIMUM, ONE_MINUTE, props);
  }

  metricShare5xx(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(JOB_METRICS.share5xx, cloudwatch.Stats.MAXIMUM, ONE_MINUTE, props);
  }

  /**
   * `SELECT MAX(Share5xx)` over every app: one series without GROUP BY. No per-app minimum of requests can go
   * with it: the query filters on dimensions, not on another metric's value.
   */
  metricHighestAppShare5xx(): cloudwatch.MathExpression {
    const { share5xx, appDimension } = JOB_METRICS;
    return this.query(`MAX(${share5xx})`, appDimension, ONE_MINUTE, 'Highest app 5xx share');
  }

  metricErrorBurstsPerHost(): cloudwatch.MathExpression {
    const { errorBursts, hostDimension } = JOB_METRICS;
    return this.query(`MAX(${errorBursts})`, hostDimension, FIVE_MINUTES, 'Error bursts', hostDimension);
  }

  /**
   * The increase of the hosts' ErrorBursts counters in each period. A Flink counter is a running count (as MSF's
   * `numRecordsIn`, a counter, is "the total number of records this application ... has received",
   * https://docs.aws.amazon.com/managed-flink/latest/java/metrics-dimensions.html), and BurstDetector registers a
   * host's counter at its first burst, so the counter appears at 1. Hence: each host's highest value in the period
   * (GROUP BY, robust to how many reports land in it), summed over hosts, 0 before the first counter exists
   * (FILL), and DIFF: a new burst or a new host's first adds at least 1; a restart, which resets the counters,
   * subtracts. Five-minute periods: a host reports several times in each, so no period misses a host and no
   * dip and rise looks like a burst.
   */
  metricNewErrorBursts(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'DIFF(FILL(SUM(hosts), 0))',
      usingMetrics: { hosts: this.metricErrorBurstsPerHost() },
      label: 'New error bursts',
      period: FIVE_MINUTES,
    });
  }

  /**
   * `downtime` and `numberOfFailedCheckpoints` are AWS's two alarms "recommended for all applications", with
   * `lastCheckpointDuration` among the others ("Use CloudWatch alarms with Amazon Managed Service for Apache
   * Flink", https://docs.aws.amazon.com/managed-flink/latest/java/monitoring-metrics-alarms.html); all three are
   * Application-level metrics (metrics-dimensions, above): downtime "returns 0 for running jobs and -1 for
   * completed jobs". Flink 2.2 deprecates `downtime` (still published; to be removed in a later release, the
   * same page), so a runtime upgrade must revisit it.
   */
  metricDowntime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('downtime', cloudwatch.Stats.AVERAGE, ONE_MINUTE, props);
  }

  metricFailedCheckpoints(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('numberOfFailedCheckpoints', cloudwatch.Stats.AVERAGE, FIVE_MINUTES, props);
  }

  /** AWS's expression: RATE(numberOfFailedCheckpoints) > 0, "to alarm on the gradient and not on absolute values". */
  metricFailedCheckpointRate(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'RATE(failed)',
      usingMetrics: { failed: this.metricFailedCheckpoints() },
      label: 'Failed checkpoints per second',
      period: FIVE_MINUTES,
    });
  }

  metricLastCheckpointDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('lastCheckpointDuration', cloudwatch.Stats.MAXIMUM, FIVE_MINUTES, props);
  }
}
