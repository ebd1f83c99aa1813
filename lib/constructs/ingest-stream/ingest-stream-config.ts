/** Stage settings of the Kinesis stream, and their validation (no CDK: lib/config.ts imports it). */
import type { Problems } from '../../problems';

export type StreamCapacity =
  | {
      /** 'on-demand': the stream scales itself and bills per GB; 'provisioned': a fixed shardCount, billed per shard-hour. */
      readonly mode: 'on-demand';
    }
  | {
      readonly mode: 'provisioned';
      /** Shards of a provisioned stream (each 1 MB/s and 1,000 records/s in), 1–500. */
      readonly shardCount: number;
    };

export interface StreamConfig {
  readonly capacity: StreamCapacity;
  /** How long records stay readable in the stream, 24–8760 hours. */
  readonly retentionHours: number;
}

export function streamConfigProblems(stream: StreamConfig, problems: Problems): void {
  if (stream.capacity.mode === 'provisioned') {
    problems.integer('stream.capacity.shardCount', stream.capacity.shardCount, 1, 500);
  } else if (stream.capacity.mode !== 'on-demand') {
    problems.add(`stream.capacity.mode must be 'on-demand' or 'provisioned' (got '${(stream.capacity as { mode: string }).mode}')`);
  }
  problems.integer('stream.retentionHours', stream.retentionHours, 24, 8760);
}
