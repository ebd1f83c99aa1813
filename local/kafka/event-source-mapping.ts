/**
 * A local stand-in for Lambda's Kafka event source mapping (provisioned mode), in front of a real broker:
 * it consumes the topic in a consumer group with kafkajs, builds the exact MSK event shape, invokes the
 * consumer function, and commits a partition's offsets only after the function succeeded for them.
 *
 * What it does as the mapping does (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html):
 *   - batches of at most `batchSize` records and at most 6 MB of invocation payload, gathered for up to
 *     `batchingWindowMs`; starting position TRIM_HORIZON (a new group reads the topic from the beginning);
 *   - a partial batch response ({ batchItemFailures: [{ itemIdentifier: { partition, offset } }] }) commits
 *     what precedes the lowest reported offset and retries from it; an identifier that names a partition or
 *     offset not in the event, or a function error (throw, timeout), retries the whole batch;
 *   - after `maxRetryAttempts` retries the records still failing go to the on-failure destination (locally
 *     an emulated S3 bucket of its own, as deployed: local/kafka/on-failure.ts), and the partition moves on.
 * What it simplifies: one partition per event (the mapping may mix partitions in one event), no bisection.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { sleep } from '../child-process';
import { KafkaBrokerError, withTimeout } from './broker';
import { localKafka } from './producer';

/** Lambda's cap on a synchronous invocation's request payload. */
export const INVOCATION_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
const EVENT_SOURCE_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/log-pipeline-local/00000000-0000-0000-0000-000000000000-1';

export interface BatchItemFailureResponse {
  readonly batchItemFailures?:
    readonly { readonly itemIdentifier?: { readonly partition?: unknown; readonly offset?: unknown } | null }[] | null;
}

export type ConsumerFunction = (event: MSKEvent) => Promise<BatchItemFailureResponse | void | null | undefined>;

/** Receives the records the mapping gave up on, with why; must keep them (or throw, and they are retried). */
export type OnFailureDestination = (
  event: MSKEvent,
  info: { readonly attempts: number; readonly condition: string; readonly lastError: string; readonly functionError: boolean },
) => Promise<void>;

export interface EventSourceMappingOptions {
  readonly bootstrap: string;
  readonly topic: string;
  readonly groupId: string;
  readonly handler: ConsumerFunction;
  readonly onFailure: OnFailureDestination;
  /** @default 100 (the mapping's default for Kafka) */
  readonly batchSize?: number;
  /** @default 500 */
  readonly batchingWindowMs?: number;
  /** Retries after the first attempt before the on-failure destination. @default 3 */
  readonly maxRetryAttempts?: number;
  /** The function's timeout. @default 60 s */
  readonly invocationTimeoutMs?: number;
  /** Backoff before retry n is min(cap, base * 2^(n-1)). @default 100 ms, capped at 2 s */
  readonly retryBackoffMs?: number;
  /** Named in messages. @default the bootstrap address */
  readonly brokerName?: string;
  /** Called after each invocation (progress output). */
  readonly onInvocation?: (info: InvocationInfo) => void;
}

export interface InvocationInfo {
  readonly partitionKey: string;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly records: number;
  readonly payloadBytes: number;
  readonly attempt: number;
  readonly outcome: 'ok' | 'partial' | 'error';
  readonly detail?: string;
  readonly ms: number;
}

export interface MappingStats {
  invocations: number;
  /** Records in all invocations (a retried record counts again). */
  recordsDelivered: number;
  retries: number;
  functionErrors: number;
  partialFailures: number;
  /** Records handed to the on-failure destination. */
  recordsToOnFailure: number;
  commits: number;
  largestPayloadBytes: number;
}

export interface EventSourceMapping {
  readonly stats: MappingStats;
  /** Resolves once the group's committed offsets reach the topic's end offsets as of this call. */
  waitUntilCaughtUp(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Thrown when the mapping does not catch up in time; the message gives the lag per partition. */
export class MappingLagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingLagError';
  }
}

export async function startEventSourceMapping(options: EventSourceMappingOptions): Promise<EventSourceMapping> {
  const batchSize = options.batchSize ?? 100;
  const maxRetryAttempts = options.maxRetryAttempts ?? 3;
  const invocationTimeoutMs = options.invocationTimeoutMs ?? 60_000;
  const backoffMs = options.retryBackoffMs ?? 100;
  const brokerName = options.brokerName ?? options.bootstrap;
  const stats: MappingStats = {
    invocations: 0,
    recordsDelivered: 0,
    retries: 0,
    functionErrors: 0,
    partialFailures: 0,
    recordsToOnFailure: 0,
    commits: 0,
    largestPayloadBytes: 0,
  };

  const kafka = localKafka(options.bootstrap, 'log-pipeline-local-esm');
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    // Short heartbeats, so a broker restart or a new member costs seconds, not the defaults' 30 s.
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: options.batchingWindowMs ?? 500,
    maxBytesPerPartition: INVOCATION_PAYLOAD_LIMIT_BYTES,
    allowAutoTopicCreation: false,
    // The consumer restarts itself after connection errors (a broker restart) and resumes from the
    // committed offsets: what was not committed is delivered again, as the mapping would.
    retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 30, restartOnFailure: async () => true },
  });
  await withTimeout(consumer.connect(), 30_000, `connecting the event source mapping's consumer to ${brokerName}`);
  await withTimeout(
    consumer.subscribe({ topics: [options.topic], fromBeginning: true }),
    30_000,
    `subscribing to ${options.topic} on ${brokerName}`,
  );

  // One invocation at a time in this process, as in one Lambda execution environment (the function's
  // module state and its log capture are not shared between concurrent calls).
  let invoking: Promise<unknown> = Promise.resolve();
  const invokeSerially = (event: MSKEvent): ReturnType<typeof invoke> => {
    const run = invoking.then(() => invoke(event));
    invoking = run.catch(() => undefined);
    return run;
  };

  const invoke = async (
    event: MSKEvent,
  ): Promise<{ kind: 'ok' } | { kind: 'retry-from'; offset: number } | { kind: 'error'; message: string }> => {
    let response: BatchItemFailureResponse | void | null | undefined;
    try {
      response = await withTimeout(Promise.resolve(options.handler(event)), invocationTimeoutMs, 'the consumer function');
    } catch (error) {
      return { kind: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
    const failures = response?.batchItemFailures;
    if (failures === undefined || failures === null || failures.length === 0) return { kind: 'ok' };
    const [partitionKey, records] = Object.entries(event.records)[0];
    const offsets = new Set(records.map((r) => r.offset));
    let lowest = Number.POSITIVE_INFINITY;
    for (const failure of failures) {
      const id = failure?.itemIdentifier;
      // As Lambda: an identifier that does not name a record of the event fails the whole batch.
      if (!id || id.partition !== partitionKey || typeof id.offset !== 'number' || !offsets.has(id.offset)) {
        return { kind: 'error', message: `invalid batch item failure ${JSON.stringify(failure)} for ${partitionKey}` };
      }
      lowest = Math.min(lowest, id.offset);
    }
    return { kind: 'retry-from', offset: lowest };
  };

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const partitionKey = `${batch.topic}-${batch.partition}`;
      const pending = batch.messages.map((m) => mskRecordOf(batch.topic, batch.partition, m));
      while (pending.length > 0 && isRunning() && !isStale()) {
        const chunk = takeChunk(pending, batchSize);
        let attempt = 0;
        let lastError = '';
        let lastWasFunctionError = false;
        let done = false;
        while (!done) {
          if (!isRunning() || isStale()) return; // rebalance or stop: uncommitted records are fetched again
          if (attempt > 0) {
            stats.retries++;
            await sleep(Math.min(2_000, backoffMs * 2 ** (attempt - 1)));
          }
          const event: MSKEvent = {
            eventSource: 'aws:kafka',
            eventSourceArn: EVENT_SOURCE_ARN,
            bootstrapServers: options.bootstrap,
            records: { [partitionKey]: chunk },
          };
          const payloadBytes = Buffer.byteLength(JSON.stringify(event));
          stats.invocations++;
          stats.recordsDelivered += chunk.length;
          stats.largestPayloadBytes = Math.max(stats.largestPayloadBytes, payloadBytes);
          const started = Date.now();
          const result = await invokeSerially(event);
          const info = {
            partitionKey,
            firstOffset: chunk[0].offset,
            lastOffset: chunk[chunk.length - 1].offset,
            records: chunk.length,
            payloadBytes,
            attempt,
            ms: Date.now() - started,
          };
          if (result.kind === 'ok') {
            options.onInvocation?.({ ...info, outcome: 'ok' });
            done = true;
          } else if (result.kind === 'retry-from') {
            stats.partialFailures++;
            options.onInvocation?.({ ...info, outcome: 'partial', detail: `retry from offset ${result.offset}` });
            const succeeded = chunk.filter((r) => r.offset < result.offset);
            if (succeeded.length > 0)
              await commit(consumer, batch.topic, batch.partition, succeeded[succeeded.length - 1].offset, resolveOffset, stats);
            chunk.splice(0, succeeded.length);
            lastError = `batch item failure at offset ${result.offset}`;
            lastWasFunctionError = false;
          } else {
            stats.functionErrors++;
            options.onInvocation?.({ ...info, outcome: 'error', detail: result.message });
            lastError = result.message;
            lastWasFunctionError = true;
          }
          if (!done && attempt >= maxRetryAttempts) {
            const failedEvent: MSKEvent = {
              eventSource: 'aws:kafka',
              eventSourceArn: EVENT_SOURCE_ARN,
              bootstrapServers: options.bootstrap,
              records: { [partitionKey]: chunk },
            };
            await options.onFailure(failedEvent, {
              attempts: attempt + 1,
              condition: 'RetryAttemptsExhausted',
              lastError,
              functionError: lastWasFunctionError,
            });
            stats.recordsToOnFailure += chunk.length;
            done = true;
          }
          attempt++;
          await heartbeat();
        }
        await commit(consumer, batch.topic, batch.partition, chunk[chunk.length - 1].offset, resolveOffset, stats);
      }
    },
  });

  return {
    stats,
    waitUntilCaughtUp: (timeoutMs) => waitUntilCaughtUp(kafka, options.topic, options.groupId, timeoutMs, brokerName),
    stop: async () => {
      await withTimeout(consumer.disconnect(), 30_000, `stopping the event source mapping's consumer on ${brokerName}`).catch(
        (error: unknown) => {
          throw new KafkaBrokerError(String(error));
        },
      );
    },
  };
}

/** Records from the front of `pending` for one invocation: at most `batchSize`, within the payload cap. */
function takeChunk(pending: MSKRecord[], batchSize: number): MSKRecord[] {
  // The event's envelope and the partition key, generously.
  let bytes = 512;
  let count = 0;
  while (count < pending.length && count < batchSize) {
    const recordBytes = Buffer.byteLength(JSON.stringify(pending[count])) + 1;
    if (count > 0 && bytes + recordBytes > INVOCATION_PAYLOAD_LIMIT_BYTES) break;
    bytes += recordBytes;
    count++;
  }
  return pending.splice(0, count);
}

async function commit(
  consumer: Consumer,
  topic: string,
  partition: number,
  lastOffset: number,
  resolveOffset: (offset: string) => void,
  stats: MappingStats,
): Promise<void> {
  resolveOffset(String(lastOffset));
  // Kafka's committed offset is the next one to read.
  await consumer.commitOffsets([{ topic, partition, offset: String(lastOffset + 1) }]);
  stats.commits++;
}

/** A kafkajs message as the MSK event carries it: base64 key and value (null stays null), byte-array headers. */
export function mskRecordOf(topic: string, partition: number, message: KafkaMessage): MSKRecord {
  const headers = Object.entries(message.headers ?? {}).flatMap(([name, value]) => {
    const values = Array.isArray(value) ? value : [value];
    return values.filter((v) => v !== undefined).map((v) => ({ [name]: [...(Buffer.isBuffer(v) ? v : Buffer.from(String(v)))] }));
  });
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: 'CREATE_TIME',
    key: (message.key === null ? null : message.key.toString('base64')) as string,
    value: (message.value === null ? null : message.value.toString('base64')) as string,
    headers,
  };
}

async function waitUntilCaughtUp(
  kafka: ReturnType<typeof localKafka>,
  topic: string,
  groupId: string,
  timeoutMs: number,
  brokerName: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const admin = kafka.admin();
  let ends: Map<number, number> | undefined;
  let lag = 'unknown (the broker did not answer)';
  try {
    while (Date.now() < deadline) {
      try {
        await withTimeout(admin.connect(), 5_000, `connecting to ${brokerName}`);
        ends ??= new Map(
          (await withTimeout(admin.fetchTopicOffsets(topic), 5_000, `end offsets of ${topic}`)).map((p) => [p.partition, Number(p.high)]),
        );
        const [committed] = await withTimeout(admin.fetchOffsets({ groupId, topics: [topic] }), 5_000, `committed offsets of ${groupId}`);
        const byPartition = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
        const behind = [...ends].filter(([partition, end]) => (byPartition.get(partition) ?? -1) < end && end > 0);
        if (behind.length === 0) return;
        lag = behind
          .map(([partition, end]) => `partition ${partition}: committed ${Math.max(0, byPartition.get(partition) ?? 0)} of ${end}`)
          .join(', ');
      } catch (error) {
        lag = `unknown (${String(error)})`;
      }
      await sleep(250);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  throw new MappingLagError(
    `the event source mapping (group ${groupId}) did not catch up with ${topic} on ${brokerName} within ${timeoutMs / 1000}s: ${lag}`,
  );
}
