/** Stage settings of the lake's lifecycle, and their validation (no CDK: lib/config.ts imports it). */
import type { Problems } from '../../problems';

export interface LakeConfig {
  /** Raw objects move to S3 Standard-IA after this many days (S3 requires at least 30). */
  readonly rawInfrequentAccessAfterDays: number;
  /** Raw objects move to Glacier Instant Retrieval after this many days (after the IA transition). */
  readonly rawGlacierAfterDays: number;
  /** Raw objects are deleted after this many days; undefined keeps them forever. */
  readonly rawExpireAfterDays?: number;
  /**
   * Curated Parquet moves to S3 Standard-IA after this many days (at least 30): Athena reads recent days most,
   * and Standard-IA charges per GB read. Backup objects (delivery.backupSourceRecords) tier like raw; the stream
   * analytics job's rows (realtime/) like curated.
   */
  readonly curatedInfrequentAccessAfterDays: number;
  /** Curated Parquet (and realtime/) is deleted after this many days; undefined keeps it forever. */
  readonly curatedExpireAfterDays?: number;
  /** Firehose error output is deleted after this many days. */
  readonly errorsExpireAfterDays: number;
  /** S3 server access logs are deleted after this many days. */
  readonly accessLogsExpireAfterDays: number;
}

export function lakeConfigProblems(lake: LakeConfig, problems: Problems): void {
  problems.integer('lake.rawInfrequentAccessAfterDays', lake.rawInfrequentAccessAfterDays, 30, 36500);
  // S3 needs 30 days in Standard-IA before the next transition.
  problems.integer('lake.rawGlacierAfterDays', lake.rawGlacierAfterDays, lake.rawInfrequentAccessAfterDays + 30, 36500);
  if (lake.rawExpireAfterDays !== undefined) {
    problems.integer('lake.rawExpireAfterDays', lake.rawExpireAfterDays, lake.rawGlacierAfterDays + 1, 36500);
  }
  problems.integer('lake.curatedInfrequentAccessAfterDays', lake.curatedInfrequentAccessAfterDays, 30, 36500);
  if (lake.curatedExpireAfterDays !== undefined) {
    problems.integer('lake.curatedExpireAfterDays', lake.curatedExpireAfterDays, lake.curatedInfrequentAccessAfterDays + 30, 36500);
  }
  problems.integer('lake.errorsExpireAfterDays', lake.errorsExpireAfterDays, 1, 36500);
  problems.integer('lake.accessLogsExpireAfterDays', lake.accessLogsExpireAfterDays, 1, 36500);
}
