import {
  DEFAULT_ALARM_THRESHOLDS,
  monitoringConfigProblems,
  type MonitoringConfig,
} from '../../../lib/constructs/monitoring/monitoring-config';
import { STAGE_CONFIGS, validateStageConfig } from '../../../lib/config';
import { Problems } from '../../../lib/problems';

function problemsOf(config: MonitoringConfig, delivery = { bufferIntervalSeconds: 300, processorBufferIntervalSeconds: 60 }): string[] {
  const problems = new Problems();
  monitoringConfigProblems(config, problems, delivery);
  return problems.list;
}

const valid: MonitoringConfig = { alarmEmails: [], thresholds: DEFAULT_ALARM_THRESHOLDS };

test('both stages are valid and subscribe nobody by default', () => {
  for (const config of Object.values(STAGE_CONFIGS)) {
    expect(() => validateStageConfig(config)).not.toThrow();
    expect(config.monitoring.alarmEmails).toEqual([]);
  }
  expect(problemsOf(valid)).toEqual([]);
});

test('email addresses are validated one by one, repeats named', () => {
  const problems = problemsOf({
    ...valid,
    alarmEmails: ['ops@example.com', 'Ops <ops@example.com>', 'no-at.example.com', 'a@b', 'OPS@example.com'],
  });
  expect(problems).toEqual([
    "monitoring.alarmEmails[1] must be an email address such as ops@example.com (got 'Ops <ops@example.com>')",
    "monitoring.alarmEmails[2] must be an email address such as ops@example.com (got 'no-at.example.com')",
    "monitoring.alarmEmails[3] must be an email address such as ops@example.com (got 'a@b')",
    "monitoring.alarmEmails[4] must not repeat an address (got 'OPS@example.com' twice)",
  ]);
});

test('thresholds out of range are each named with the value', () => {
  const problems = problemsOf({
    ...valid,
    thresholds: {
      ...DEFAULT_ALARM_THRESHOLDS,
      agentSilentMinutes: 7,
      processingFailedPercent: 120,
      kafkaDiskUsedPercent: 100,
      iteratorAgeSeconds: 10,
    },
  });
  expect(problems).toEqual([
    "monitoring.thresholds.agentSilentMinutes must be a multiple of 5, the alarm's period (got 7)",
    'monitoring.thresholds.iteratorAgeSeconds must be an integer between 60 and 86400 (got 10)',
    'monitoring.thresholds.processingFailedPercent must be a number between 0 and 100 (got 120)',
    'monitoring.thresholds.kafkaDiskUsedPercent must be an integer between 1 and 99 (got 100)',
  ]);
});

test('the App 5xx share threshold is a share below 1, 0 allowed', () => {
  const share = (realtimeShare5xx: number) => problemsOf({ ...valid, thresholds: { ...DEFAULT_ALARM_THRESHOLDS, realtimeShare5xx } });
  expect(DEFAULT_ALARM_THRESHOLDS.realtimeShare5xx).toBe(0.05);
  expect([share(0), share(0.5), share(0.999)]).toEqual([[], [], []]);
  for (const bad of [1, 5, -0.01, NaN]) {
    expect(share(bad)).toEqual([
      `monitoring.thresholds.realtimeShare5xx must be a number from 0 to below 1, a share such as 0.05 for 5% (got ${bad})`,
    ]);
  }
});

test('data freshness must exceed what the buffers hold back on a quiet stream', () => {
  const problems = problemsOf({ ...valid, thresholds: { ...DEFAULT_ALARM_THRESHOLDS, dataFreshnessSeconds: 360 } });
  expect(problems).toEqual([
    'monitoring.thresholds.dataFreshnessSeconds must exceed delivery.bufferIntervalSeconds + delivery.processorBufferIntervalSeconds = 360 (got 360): records wait that long in the buffers on a quiet stream',
  ]);
});

test('the stage config reports monitoring problems with the others', () => {
  const config = { ...STAGE_CONFIGS.dev, monitoring: { ...valid, alarmEmails: ['nope'] } };
  expect(() => validateStageConfig(config)).toThrow(/monitoring\.alarmEmails\[0\] must be an email address/);
});
