import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { STAGE_CONFIGS } from '../../../lib/config';
import {
  alarmDescription,
  JOB_METRICS,
  JOB_METRICS_LEVEL,
  Monitoring,
  RealtimeMetrics,
  RUNBOOK,
  type AlarmId,
} from '../../../lib/constructs/monitoring';
import { alarmCondition, renderAlarmTable } from '../../../lib/constructs/monitoring/alarm-table';
import { MSF_METRICS_NAMESPACE } from '../../../lib/constructs/realtime';
import { PROJECT_ROOT } from '../../../lib/project-paths';
import { synthStage } from '../../helpers/app';
import { alarmQueryProblems, pascalCase } from '../../deploy/alarm-rules';
import { buildRealtime } from '../realtime/realtime-fixture';

const APP = 'log-analytics-app';
const REALTIME_ALARMS: AlarmId[] = ['realtimeShare5xx', 'realtimeErrorBurst', 'realtimeDowntime', 'realtimeFailedCheckpoints'];
const thresholds = { ...STAGE_CONFIGS.prod.monitoring.thresholds, realtimeShare5xx: 0.07 };

const prod = synthStage('prod');
const base = prod.stacks;
const stack = base.monitoring;
// The prod app's real constructs, plus the stream analytics application by name (lib/app-stacks.ts passes the
// application's generated name the same way).
const monitoring = new Monitoring(stack, 'WithRealtime', {
  stream: base.data.ingestStream,
  delivery: base.ingest.delivery,
  host: base.host.host,
  etl: base.analytics.etl,
  encryptionKey: base.data.dataKey,
  config: { ...STAGE_CONFIGS.prod.monitoring, thresholds },
  realtime: new RealtimeMetrics(APP),
});

/** An alarm's properties as CloudFormation gets them (camelCase, tokens resolved). */
function rendered(id: AlarmId) {
  const alarm = monitoring.alarms[id];
  if (alarm === undefined) throw new Error(`no ${id} alarm`);
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
  return stack.resolve({
    namespace: cfn.namespace,
    metricName: cfn.metricName,
    dimensions: cfn.dimensions,
    statistic: cfn.statistic,
    period: cfn.period,
    metrics: cfn.metrics,
    threshold: cfn.threshold,
    comparisonOperator: cfn.comparisonOperator,
    evaluationPeriods: cfn.evaluationPeriods,
    treatMissingData: cfn.treatMissingData,
    alarmActions: cfn.alarmActions,
    okActions: cfn.okActions,
    alarmDescription: cfn.alarmDescription,
  });
}

const query = (select: string, key: string, groupBy = '') =>
  `SELECT ${select} FROM SCHEMA("AWS/KinesisAnalytics", Application, ${key}) WHERE Application = '${APP}'${groupBy}`;

describe('the job publishes what the alarms read', () => {
  const java = (file: string) =>
    fs.readFileSync(path.join(PROJECT_ROOT, 'analytics/flink/src/main/java/logpipeline/analytics', file), 'utf8');

  test('WindowMetrics registers the gauges overall and per App, BurstDetector a counter per Host, in the KinesisAnalytics group', () => {
    const windows = java('WindowMetrics.java');
    expect(windows).toContain(`GROUP = "${JOB_METRICS.group}"`);
    expect(windows).toContain(`addGroup("${JOB_METRICS.appDimension}", app)`);
    for (const name of [JOB_METRICS.requests, JOB_METRICS.status5xx, JOB_METRICS.share5xx]) expect(windows).toContain(`g.gauge("${name}"`);
    const bursts = java('BurstDetector.java');
    expect(bursts).toContain(
      `addGroup(WindowMetrics.GROUP).addGroup("${JOB_METRICS.hostDimension}", host).counter("${JOB_METRICS.errorBursts}")`,
    );
  });

  test('the application publishes at the metrics level the queries assume, in the namespace they read', () => {
    // At a finer level MSF adds Task/Operator dimensions, and SCHEMA(..., Application, App) would match nothing.
    const { template, stack: appStack, analytics } = buildRealtime();
    const app = template.toJSON().Resources[appStack.getLogicalId(analytics.application)];
    expect(app.Properties.ApplicationConfiguration.FlinkApplicationConfiguration.MonitoringConfiguration.MetricsLevel).toBe(
      JOB_METRICS_LEVEL,
    );
    expect(MSF_METRICS_NAMESPACE).toBe('AWS/KinesisAnalytics');
    // The generated name goes into the queries as CloudFormation resolves it.
    const expression = new RealtimeMetrics(analytics.applicationName).metricHighestAppShare5xx().toMetricConfig().mathExpression!
      .expression;
    expect(appStack.resolve(expression)).toEqual({
      'Fn::Join': [
        '',
        [
          `SELECT MAX(Share5xx) FROM SCHEMA("AWS/KinesisAnalytics", Application, App) WHERE Application = '`,
          { Ref: appStack.getLogicalId(analytics.application) },
          "'",
        ],
      ],
    });
  });

  test('a name that is not an MSF application name is refused: it would break the query', () => {
    expect(() => new RealtimeMetrics("app' OR Application = 'other")).toThrow(
      "RealtimeMetrics: 'app' OR Application = 'other' is not an MSF application name (1 to 128 of a-z, A-Z, 0-9, _ . -)",
    );
    expect(() => new RealtimeMetrics('LogPipeline-prod-Realtime_1.x')).not.toThrow();
  });
});

describe('alarms', () => {
  test('exist only with the stream analytics input: in prod, where the stage deploys the application, not in dev', () => {
    const dev = synthStage('dev').stacks.monitoring.monitoring;
    for (const id of REALTIME_ALARMS) expect(dev.alarms[id]).toBeUndefined();
    expect(dev.widgets.filter((w) => w.title.startsWith('Stream analytics'))).toEqual([]);
    for (const id of REALTIME_ALARMS) expect(prod.stacks.monitoring.monitoring.alarms[id]).toBeDefined();
    for (const id of REALTIME_ALARMS) expect(monitoring.alarms[id]).toBeDefined();
  });

  test('each notifies the topic on ALARM and OK and carries its runbook entry', () => {
    const topic = stack.resolve(monitoring.topic.topicArn);
    for (const id of REALTIME_ALARMS) {
      const alarm = rendered(id);
      expect([id, alarm.alarmActions, alarm.okActions]).toEqual([id, [topic], [topic]]);
      expect(alarm.treatMissingData).toBe(RUNBOOK[id].treatMissingData);
      expect(alarm.alarmDescription).toMatch(new RegExp(`^${RUNBOOK[id].title} \\(`));
      expect(alarm.alarmDescription).toContain(`What to do: ${RUNBOOK[id].todo} Runbook: docs/operations.md#alarms.`);
      expect(alarm.alarmDescription.length).toBeLessThanOrEqual(1024);
    }
  });

  test("keep to AWS's rules for alarms on metric math and Metrics Insights queries (test/deploy/alarm-rules.ts)", () => {
    const problems = REALTIME_ALARMS.flatMap((id) => alarmQueryProblems(id, pascalCase(rendered(id)) as Record<string, unknown>));
    expect(problems).toEqual([]);
    // The rules see the queries: a GROUP BY query returned as the alarm's value is refused.
    const burst = pascalCase(rendered('realtimeErrorBurst')) as { Metrics: { ReturnData: boolean }[] };
    const returningTheQuery = { Metrics: [{ ...burst.Metrics[1], ReturnData: true }] };
    expect(alarmQueryProblems('x', returningTheQuery)).toEqual([
      'x: query hosts has GROUP BY (several series): it must feed an expression that returns one, not be returned',
    ]);
  });

  test("App 5xx share: the highest app's share per minute, a Metrics Insights query over every App, above the stage's threshold", () => {
    const alarm = rendered('realtimeShare5xx');
    expect(alarm.metrics).toEqual([
      { id: 'expr_1', expression: query('MAX(Share5xx)', 'App'), label: 'Highest app 5xx share', period: 60, returnData: true },
    ]);
    expect([alarm.threshold, alarm.comparisonOperator, alarm.evaluationPeriods]).toEqual([0.07, 'GreaterThanThreshold', 1]);
    expect(alarm.alarmDescription).toMatch(/^App 5xx share \(an app's one-minute 5xx share over 7%\)/);
  });

  test("Error burst: any rise of the hosts' ErrorBursts counters in 5 minutes, from each host's highest value", () => {
    const alarm = rendered('realtimeErrorBurst');
    expect(alarm.metrics).toEqual([
      { id: 'expr_1', expression: 'DIFF(FILL(SUM(hosts), 0))', label: 'New error bursts', returnData: true },
      {
        id: 'hosts',
        expression: query('MAX(ErrorBursts)', 'Host', ' GROUP BY Host'),
        label: 'Error bursts',
        period: 300,
        returnData: false,
      },
    ]);
    expect([alarm.threshold, alarm.comparisonOperator, alarm.evaluationPeriods]).toEqual([1, 'GreaterThanOrEqualToThreshold', 1]);
  });

  test("Flink application down: MSF's downtime above 0 in a minute, missing data breaching", () => {
    const alarm = rendered('realtimeDowntime');
    expect(alarm).toMatchObject({
      namespace: 'AWS/KinesisAnalytics',
      metricName: 'downtime',
      dimensions: [{ name: 'Application', value: APP }],
      statistic: 'Average',
      period: 60,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      evaluationPeriods: 1,
      treatMissingData: 'breaching',
    });
  });

  test("Flink failed checkpoints: AWS's RATE(numberOfFailedCheckpoints) > 0 over 5 minutes", () => {
    const alarm = rendered('realtimeFailedCheckpoints');
    expect(alarm.metrics).toEqual([
      { id: 'expr_1', expression: 'RATE(failed)', label: 'Failed checkpoints per second', returnData: true },
      {
        id: 'failed',
        metricStat: {
          metric: {
            namespace: 'AWS/KinesisAnalytics',
            metricName: 'numberOfFailedCheckpoints',
            dimensions: [{ name: 'Application', value: APP }],
          },
          period: 300,
          stat: 'Average',
        },
        returnData: false,
      },
    ]);
    expect([alarm.threshold, alarm.comparisonOperator]).toEqual([0, 'GreaterThanThreshold']);
  });
});

describe('dashboard', () => {
  const titles = [
    'Stream analytics: 5xx share per minute',
    'Stream analytics: requests per minute',
    'Stream analytics: error bursts per host',
    'Stream analytics: application health',
  ];

  test('one row of four widgets on the job and the application', () => {
    expect(monitoring.widgets.filter((w) => w.title.startsWith('Stream analytics')).map((w) => w.title)).toEqual(titles);
    const metricsOf = (title: string) => monitoring.widgets.find((w) => w.title === title)!.metrics.map((m) => m.toMetricConfig());
    const [overall, highest] = metricsOf(titles[0]);
    expect([overall.metricStat?.metricName, overall.metricStat?.dimensions, overall.metricStat?.period.toSeconds()]).toEqual([
      'Share5xx',
      [{ name: 'Application', value: APP }],
      60,
    ]);
    expect(highest.mathExpression?.expression).toBe(query('MAX(Share5xx)', 'App'));
    expect(metricsOf(titles[1]).map((m) => m.metricStat?.metricName)).toEqual(['Requests']);
    expect(metricsOf(titles[2]).map((m) => m.mathExpression?.expression)).toEqual([query('MAX(ErrorBursts)', 'Host', ' GROUP BY Host')]);
    expect(metricsOf(titles[3]).map((m) => [m.metricStat?.namespace, m.metricStat?.metricName])).toEqual([
      ['AWS/KinesisAnalytics', 'downtime'],
      ['AWS/KinesisAnalytics', 'numberOfFailedCheckpoints'],
      ['AWS/KinesisAnalytics', 'lastCheckpointDuration'],
    ]);
    // The queries reach the dashboard's body (its tokens, the region and other stacks' names, set aside).
    const dashboard = monitoring.dashboard.node.defaultChild as cloudwatch.CfnDashboard;
    const parts = (stack.resolve(dashboard.dashboardBody) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'token')).join('')) as {
      widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
    };
    const expressions = (title: string) =>
      body.widgets.find((w) => w.properties.title === title)!.properties.metrics!.map((m) => (m[0] as { expression?: string }).expression);
    expect(expressions(titles[0])).toEqual([undefined, query('MAX(Share5xx)', 'App')]);
    expect(expressions(titles[2])).toEqual([query('MAX(ErrorBursts)', 'Host', ' GROUP BY Host')]);
  });

  test("docs/operations.md's dashboard layout names each widget", () => {
    const page = fs.readFileSync(path.join(PROJECT_ROOT, 'docs/operations.md'), 'utf8').replace(/\s+/g, ' ');
    for (const title of titles) expect([title, page.includes(`**${title}**`)]).toEqual([title, true]);
  });
});

describe('runbook', () => {
  test("each alarm's condition in the docs' table follows the stage's threshold", () => {
    expect(alarmCondition('realtimeShare5xx', thresholds)).toBe("an app's minute > 7% 5xx");
    expect(alarmCondition('realtimeShare5xx', STAGE_CONFIGS.prod.monitoring.thresholds)).toBe("an app's minute > 5% 5xx");
    const table = renderAlarmTable({ prod: thresholds });
    for (const id of REALTIME_ALARMS) {
      expect(table).toContain(
        `| **${RUNBOOK[id].title}** | ${alarmCondition(id, thresholds).replace(/\|/g, '\\|')} | ${RUNBOOK[id].treatMissingData}: `,
      );
    }
    expect(alarmDescription('realtimeDowntime', 'x')).toContain('Missing data is breaching: MSF publishes downtime every minute');
  });
});

test('the stage config needs no new setting to enable the alarms: the threshold has its default in both stages', () => {
  for (const config of Object.values(STAGE_CONFIGS)) expect(config.monitoring.thresholds.realtimeShare5xx).toBe(0.05);
});
