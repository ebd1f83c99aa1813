/**
 * The counts each Glue run publishes (glue/log_etl/run_metrics.py), read from the file the job publishes them
 * by (contracts/glue-run-metrics.json, copied into the job's library at bundling): the job role's PutMetricData
 * condition, the dashboard, the quarantine alarm and the local run's check use these names, so none can drift
 * from what the job publishes. No CDK here.
 */
import runMetrics from './glue-run-metrics.json';

/** The run counts, keyed by the BatchResult field each one publishes (glue/log_etl/batch.py). */
export interface GlueRunMetricNames {
  readonly namespace: string;
  /** Dimension of every datum; its value is the Glue job's name (the JOB_NAME Glue passes each run). */
  readonly dimension: string;
  readonly metrics: {
    readonly raw_lines: string;
    readonly curated_rows: string;
    readonly quarantined_rows: string;
    readonly duplicates_dropped: string;
  };
}

export const GLUE_RUN_METRICS: GlueRunMetricNames = runMetrics;

export type GlueRunCount = keyof GlueRunMetricNames['metrics'];
