/**
 * Stage settings of the dashboard, the alarms and their notifications, and their validation. No CDK here:
 * lib/config.ts imports it to validate stage configs at synth, and `npm run cost` reads it too.
 */
import type { Problems } from '../../problems';

/** Alarm thresholds; each alarm's description (and the alarm table in docs/operations.md) says what to do when it fires. */
export interface AlarmThresholds {
  /** "Agent silent": no record reached the stream for this many minutes (5–1440, a multiple of 5). */
  readonly agentSilentMinutes: number;
  /** "Stream write throttles": more throttled writes than this in 5 minutes (0 = any). */
  readonly streamWriteThrottles: number;
  /** "Iterator age": Firehose is this many seconds behind the stream (60–86400). */
  readonly iteratorAgeSeconds: number;
  /** "Transform errors": more failed transform invocations than this in 5 minutes (0 = any). */
  readonly transformErrors: number;
  /** "ProcessingFailed share": more than this percentage of records in 5 minutes went to errors/ (0–100). */
  readonly processingFailedPercent: number;
  /**
   * "Data freshness": the oldest record not yet in the lake is older than this many seconds; must exceed
   * the delivery's buffer interval plus the processor's, or it fires on every quiet buffer.
   */
  readonly dataFreshnessSeconds: number;
  /**
   * "Glue quarantine share": more than this percentage of the lines a run read went to quarantine/ (0–100).
   * Valid input quarantines nothing (the transform writes schema-valid records, unparsed lines included), so the
   * default is low: 1%.
   */
  readonly glueQuarantinePercent: number;
  /** "MSK disk": a broker's data-log disk is more than this percentage full (1–99). */
  readonly kafkaDiskUsedPercent: number;
  /** "Consumer offset lag": the mapping is this many messages behind on some partition (1 or more). */
  readonly kafkaOffsetLag: number;
  /** "Consumer errors": more failed consumer invocations than this in 5 minutes (0 = any). */
  readonly kafkaConsumerErrors: number;
  /**
   * "App 5xx share": some app's one-minute window of the stream analytics job has more than this share of its
   * requests answered 5xx (at least 0, below 1; 0.05 is 5%). The share has no minimum of requests: a quiet app crosses it
   * with a few errors.
   */
  readonly realtimeShare5xx: number;
}

/** Settings of the dashboard and alarms (StageConfig.monitoring). */
export interface MonitoringConfig {
  /** Addresses that get every alarm and OK by email (each confirms a subscription first). None by default. */
  readonly alarmEmails: readonly string[];
  readonly thresholds: AlarmThresholds;
}

/** The documented defaults; a stage overrides what it needs. */
export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  agentSilentMinutes: 15,
  streamWriteThrottles: 0,
  iteratorAgeSeconds: 900,
  transformErrors: 0,
  processingFailedPercent: 5,
  dataFreshnessSeconds: 1800,
  glueQuarantinePercent: 1,
  kafkaDiskUsedPercent: 80,
  kafkaOffsetLag: 10_000,
  kafkaConsumerErrors: 0,
  realtimeShare5xx: 0.05,
};

/** A plain address: local part, @, a domain with a dot; no spaces, no display name. */
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** The delivery settings the freshness threshold must exceed. */
export interface DeliveryTiming {
  readonly bufferIntervalSeconds: number;
  readonly processorBufferIntervalSeconds: number;
}

/** Adds every problem of a monitoring config to `problems`, settings named `monitoring.<setting>`. */
export function monitoringConfigProblems(config: MonitoringConfig, problems: Problems, delivery?: DeliveryTiming): void {
  if (!Array.isArray(config.alarmEmails)) {
    problems.add(`monitoring.alarmEmails must be a list of email addresses (got ${String(config.alarmEmails)})`);
  } else {
    const seen = new Set<string>();
    config.alarmEmails.forEach((address, index) => {
      if (typeof address !== 'string' || address.length > 254 || !EMAIL.test(address)) {
        problems.add(`monitoring.alarmEmails[${index}] must be an email address such as ops@example.com (got '${String(address)}')`);
      } else if (seen.has(address.toLowerCase())) {
        problems.add(`monitoring.alarmEmails[${index}] must not repeat an address (got '${address}' twice)`);
      }
      if (typeof address === 'string') seen.add(address.toLowerCase());
    });
  }
  const t = config.thresholds;
  const max = Number.MAX_SAFE_INTEGER;
  problems.integer('monitoring.thresholds.agentSilentMinutes', t.agentSilentMinutes, 5, 1440);
  if (Number.isInteger(t.agentSilentMinutes) && t.agentSilentMinutes % 5 !== 0) {
    problems.add(`monitoring.thresholds.agentSilentMinutes must be a multiple of 5, the alarm's period (got ${t.agentSilentMinutes})`);
  }
  problems.integer('monitoring.thresholds.streamWriteThrottles', t.streamWriteThrottles, 0, max);
  problems.integer('monitoring.thresholds.iteratorAgeSeconds', t.iteratorAgeSeconds, 60, 86_400);
  problems.integer('monitoring.thresholds.transformErrors', t.transformErrors, 0, max);
  for (const setting of ['processingFailedPercent', 'glueQuarantinePercent'] as const) {
    const value = t[setting];
    if (typeof value !== 'number' || !(value >= 0 && value <= 100)) {
      problems.add(`monitoring.thresholds.${setting} must be a number between 0 and 100 (got ${value})`);
    }
  }
  problems.integer('monitoring.thresholds.dataFreshnessSeconds', t.dataFreshnessSeconds, 60, 86_400);
  problems.integer('monitoring.thresholds.kafkaDiskUsedPercent', t.kafkaDiskUsedPercent, 1, 99);
  problems.integer('monitoring.thresholds.kafkaOffsetLag', t.kafkaOffsetLag, 1, max);
  problems.integer('monitoring.thresholds.kafkaConsumerErrors', t.kafkaConsumerErrors, 0, max);
  // A share of 1 or more never fires: Share5xx is at most 1.
  if (typeof t.realtimeShare5xx !== 'number' || !(t.realtimeShare5xx >= 0 && t.realtimeShare5xx < 1)) {
    problems.add(
      `monitoring.thresholds.realtimeShare5xx must be a number from 0 to below 1, a share such as 0.05 for 5% (got ${t.realtimeShare5xx})`,
    );
  }
  if (delivery !== undefined && !problems.has('monitoring.thresholds.dataFreshnessSeconds')) {
    const buffered = delivery.bufferIntervalSeconds + delivery.processorBufferIntervalSeconds;
    if (t.dataFreshnessSeconds <= buffered) {
      problems.add(
        `monitoring.thresholds.dataFreshnessSeconds must exceed delivery.bufferIntervalSeconds + delivery.processorBufferIntervalSeconds = ${buffered} (got ${t.dataFreshnessSeconds}): records wait that long in the buffers on a quiet stream`,
      );
    }
  }
}
