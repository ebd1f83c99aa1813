/**
 * AWS's rules for an alarm on metric math or a Metrics Insights query (test/deploy/alarm-rules.ts cites them),
 * over every alarm of both stages: a template that breaks one fails at deploy, when CloudFormation calls
 * PutMetricAlarm. test/constructs/monitoring/realtime-monitoring.test.ts applies the same rules to the stream
 * analytics alarms, which use Metrics Insights queries.
 */
import { alarmQueryProblems } from './alarm-rules';
import { allResources, describe_, STAGES, stageTemplates } from './redeploy-templates';

describe.each(STAGES)('%s: alarms on expressions', (stage) => {
  const alarms = allResources(stageTemplates(stage)).filter((r) => r.resource.Type === 'AWS::CloudWatch::Alarm');

  test('return one expression, within the counts PutMetricAlarm takes, with no single-metric property beside them', () => {
    const withMetrics = alarms.filter((a) => a.resource.Properties?.Metrics !== undefined);
    expect(withMetrics.length).toBeGreaterThan(0);
    expect(alarms.flatMap((a) => alarmQueryProblems(describe_(a), a.resource.Properties ?? {}))).toEqual([]);
  });
});

test('the rules catch each kind of mistake', () => {
  const query = (id: string, expression: string, more: Record<string, unknown> = {}) => ({ Id: id, Expression: expression, ...more });
  const groupBy = 'SELECT MAX(X) FROM SCHEMA("N", A, B) GROUP BY B';
  expect(alarmQueryProblems('a', { Metrics: [query('q', groupBy, { Period: 60 })] })).toEqual([
    'a: query q has GROUP BY (several series): it must feed an expression that returns one, not be returned',
  ]);
  expect(
    alarmQueryProblems('b', {
      Namespace: 'N',
      Metrics: [
        query('e', 'SUM(q) + r'),
        query('q', groupBy, { ReturnData: false }),
        query('r', 'SELECT MAX(Y) FROM "N"', { ReturnData: false, Period: 60 }),
      ],
    }),
  ).toEqual([
    'b: Namespace alongside Metrics',
    'b: 2 Metrics Insights queries, at most 1',
    'b: query q needs a Period that is a multiple of 60 (got undefined)',
  ]);
  expect(alarmQueryProblems('c', { Metrics: [query('e', 'm1'), query('f', 'm2')] })).toEqual([
    'c: exactly one entry, an expression, returns data (got e, f)',
  ]);
  const stat = (id: string) => ({
    Id: id,
    MetricStat: { Metric: { Namespace: 'N', MetricName: id }, Period: 60, Stat: 'Sum' },
    ReturnData: false,
  });
  expect(
    alarmQueryProblems('eleven', { Metrics: [...Array.from({ length: 11 }, (_, i) => stat(`m${i}`)), query('e', 'SUM(METRICS())')] }),
  ).toEqual(['eleven: at most 10 metrics and 10 expressions (got 11 and 1)']);
  expect(alarmQueryProblems('period', { Metrics: [query('e', 'SUM(q)'), query('q', groupBy, { ReturnData: false, Period: 30 })] })).toEqual(
    ['period: query q needs a Period that is a multiple of 60 (got 30)'],
  );
  expect(alarmQueryProblems('metric', { Metrics: [{ ...stat('m'), ReturnData: true }, query('e', 'm', { ReturnData: false })] })).toEqual([
    'metric: exactly one entry, an expression, returns data (got m)',
  ]);
  expect(alarmQueryProblems('d', { Metrics: [query('e', 'SUM(q)'), query('q', groupBy, { ReturnData: false, Period: 300 })] })).toEqual([]);
  expect(alarmQueryProblems('single', { Namespace: 'N', MetricName: 'M' })).toEqual([]);
});
