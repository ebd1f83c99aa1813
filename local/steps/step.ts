/**
 * The local run is a list of steps sharing one context; later paths (Glue on local Spark, Kafka)
 * are new files in this folder appended to the list in local/run.ts.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KafkaBroker } from '../kafka/broker';
import type { LogsInput } from '../line-source';
import type { MotoServer } from '../moto';
import type { CustomFormatDefinition } from '../../lambda/shared/parsers/custom-format';

export interface LocalRunOptions {
  /** Lines to send through the Kinesis path, malformed ones included. */
  readonly lines: number;
  readonly seed: number;
  /** Lines per Kinesis record; undefined packs them as the agent does (local/corpus.ts packLikeAgent). */
  readonly linesPerRecord: number | undefined;
  /** Mix malformed lines into the corpus. */
  readonly malformed: boolean;
  /** Give the transform one batch as large as Firehose's 6 MB request cap, to show overflow re-ingest. */
  readonly overflow: boolean;
  readonly shards: number;
  /** Deadline of each call to the emulator (retries included) and, doubled, of each transform invocation. */
  readonly emulatorTimeoutMs: number;
  /** Leave moto and the broker running after the summary, until Ctrl-C. */
  readonly keep: boolean;
  /** The event source mapping's batch size and batching window on the Kafka path. */
  readonly kafkaBatchSize: number;
  readonly kafkaBatchingWindowMs: number;
  /** Custom formats to try (--formats FILE), bundled into both Lambdas and accepted by the Glue run. @default none */
  readonly formats?: readonly CustomFormatDefinition[];
  /** --logs: the user's files, sent instead of the generator's lines (then lines, seed and malformed are unused). */
  readonly logs: LogsInput | undefined;
}

export interface LocalContext {
  readonly options: LocalRunOptions;
  /** The run's folder: .local/ (gitignored) or --dir; it holds the lock, the logs and the lake copy. */
  readonly workDir: string;
  /** Progress line, prefixed with the step's name. */
  log(message: string): void;
  /** Set by the moto step. */
  moto?: MotoServer;
  kinesis?: KinesisClient;
  s3?: S3Client;
  /** Set by the kafka step. */
  kafka?: KafkaBroker;
  /** What --keep prints for exploring what is left running (steps append their part). */
  readonly keepInstructions: string[];
  /** The lake bucket, created by the first step that needs it. */
  lakeBucket?: string;
  /** Resources to release when the run ends, last registered first. */
  readonly cleanups: Array<() => Promise<void>>;
}

export interface StepResult {
  /** Lines for the final report. */
  readonly report: readonly string[];
  /** Problems that make the run fail (lost records, contract breaches…); empty when all is well. */
  readonly failures: readonly string[];
}

export interface LocalStep {
  readonly name: string;
  /** The steps after this one cannot run without it: a failure here ends the run. @default false */
  readonly required?: boolean;
  run(context: LocalContext): Promise<StepResult>;
}
