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
  expect(alarmQueryProblems('d', { Metrics: [query('e', 'SUM(q)'), query('q', groupBy, { ReturnData: false, Period: 300 })] })).toEqual([]);
  expect(alarmQueryProblems('single', { Namespace: 'N', MetricName: 'M' })).toEqual([]);
});
