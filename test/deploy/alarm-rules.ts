/**
 * What PutMetricAlarm accepts in an alarm's `Metrics` (metric math and Metrics Insights), as rules over an
 * alarm's CloudFormation properties. Sources:
 * - "MetricDataQuery", CloudWatch API Reference (https://docs.amazonaws.cn/en_us/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.md):
 *   in PutMetricAlarm "as many as 10 structures that contain a MetricStat parameter ... and as many as 10 structures
 *   that contain the Expression parameter ... Of those Expression structures, one must have true as the value for
 *   ReturnData. The result of this expression is the value the alarm watches."
 * - PutMetricAlarm's `metrics` (https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/cloudwatch/aws.sdk.kotlin.services.cloudwatch.model/-put-metric-alarm-request/metrics.html):
 *   with Metrics, the alarm has none of Namespace, MetricName, Dimensions, Period, Unit, Statistic or ExtendedStatistic.
 * - "GetMetricData" (https://docs.aws.amazon.com/goto/WebAPI/monitoring/GetMetricData): "each GetMetricData
 *   operation can include only one [Metrics Insights] query"; an alarm here keeps to one as well.
 * - "Use Metrics Insights queries with metric math"
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-math.html): a query
 *   with GROUP BY returns an array of time series, so it is an input (ReturnData false) of the expression the alarm
 *   watches, never that expression.
 * - "Metrics Insights quotas" (https://docs.amazonaws.cn/en_us/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.md):
 *   no high-resolution data, so a query's Period is a multiple of 60.
 */
interface Query {
  readonly Id?: string;
  readonly Expression?: unknown;
  readonly MetricStat?: unknown;
  readonly ReturnData?: boolean;
  readonly Period?: number;
}

const SINGLE_METRIC_PROPERTIES = ['Namespace', 'MetricName', 'Dimensions', 'Period', 'Unit', 'Statistic', 'ExtendedStatistic'];

/** An expression's text with its tokens (CloudFormation functions) as `token`. */
function text(expression: unknown): string {
  if (typeof expression === 'string') return expression;
  const join = (expression as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (join) return join[1].map((p) => (typeof p === 'string' ? p : 'token')).join(join[0]);
  return JSON.stringify(expression);
}

const isQuery = (q: Query) => q.Expression !== undefined && /^\s*SELECT\b/i.test(text(q.Expression));

/** The rules an alarm's properties break, each naming the alarm (`name`); none for a single-metric alarm. */
export function alarmQueryProblems(name: string, properties: Record<string, unknown>): string[] {
  const metrics = properties.Metrics as Query[] | undefined;
  if (metrics === undefined) return [];
  const problems: string[] = [];
  const returned = metrics.filter((q) => q.ReturnData !== false);
  if (returned.length !== 1 || (returned[0].Expression === undefined && metrics.length > 1)) {
    problems.push(`${name}: exactly one entry, an expression, returns data (got ${returned.map((q) => q.Id).join(', ') || 'none'})`);
  }
  const stats = metrics.filter((q) => q.MetricStat !== undefined).length;
  const expressions = metrics.filter((q) => q.Expression !== undefined).length;
  if (stats > 10 || expressions > 10) problems.push(`${name}: at most 10 metrics and 10 expressions (got ${stats} and ${expressions})`);
  for (const key of SINGLE_METRIC_PROPERTIES) if (key in properties) problems.push(`${name}: ${key} alongside Metrics`);
  const queries = metrics.filter(isQuery);
  if (queries.length > 1) problems.push(`${name}: ${queries.length} Metrics Insights queries, at most 1`);
  for (const q of queries) {
    if (typeof q.Period !== 'number' || q.Period % 60 !== 0)
      problems.push(`${name}: query ${q.Id} needs a Period that is a multiple of 60 (got ${q.Period})`);
    if (/\bGROUP\s+BY\b/i.test(text(q.Expression))) {
      const users = metrics.filter((e) => e !== q && e.Expression !== undefined && new RegExp(`\\b${q.Id}\\b`).test(text(e.Expression)));
      if (q.ReturnData !== false || users.length === 0) {
        problems.push(`${name}: query ${q.Id} has GROUP BY (several series): it must feed an expression that returns one, not be returned`);
      }
    }
  }
  return problems;
}

/** CDK's camelCase alarm properties (CfnAlarm's fields, resolved) as CloudFormation spells them. */
export function pascalCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascalCase);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [/^Fn::|^Ref$/.test(k) ? k : `${k[0].toUpperCase()}${k.slice(1)}`, /^Fn::|^Ref$/.test(k) ? v : pascalCase(v)]),
  );
}
