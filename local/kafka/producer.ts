/**
 * Puts log lines into a topic the way the pipeline's producers must: an idempotent kafkajs producer with
 * acks=all, so a broker that crashes mid-send neither loses a line (the producer retries until the broker
 * is back) nor stores one twice (the broker drops retried duplicates by producer id and sequence number).
 * One line per message, as a log agent ships them; keys spread lines over partitions, one key per host.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { KafkaBrokerError, withTimeout } from './broker';

export interface ProduceOptions {
  /** Messages per send() call. @default 500 */
  readonly batchSize?: number;
  /** Distinct message keys (hosts), spread over the partitions. @default 8 */
  readonly keys?: number;
  /** Called after each acknowledged send. */
  readonly onProgress?: (sent: number, total: number) => void;
  /** Longest a single send may take, broker restarts included. @default 120 s */
  readonly sendTimeoutMs?: number;
  /** Named in messages. @default the bootstrap address */
  readonly brokerName?: string;
}

export interface ProduceResult {
  readonly messages: number;
  readonly sends: number;
  readonly ms: number;
}

/** kafkajs client settings for local runs: quiet logs, short timeouts and backoff (a restart takes seconds). */
export function localKafka(bootstrap: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 60 },
  });
}

/**
 * `lines` is an array, or batches of lines read as they are sent (a large file is never held whole); with
 * batches, `options.total` is the line count progress is shown against.
 */
export async function produceLines(
  bootstrap: string,
  topic: string,
  lines: readonly Buffer[] | AsyncIterable<readonly Buffer[]>,
  options: ProduceOptions & { readonly total?: number } = {},
): Promise<ProduceResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 500;
  const keys = options.keys ?? 8;
  const sendTimeoutMs = options.sendTimeoutMs ?? 120_000;
  const brokerName = options.brokerName ?? bootstrap;
  const producer: Producer = localKafka(bootstrap, 'log-pipeline-local-producer').producer({
    idempotent: true,
    // One request in flight keeps per-partition order across retries (what idempotence guarantees with 1-5).
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await withTimeout(producer.connect(), sendTimeoutMs, `connecting the producer to ${brokerName}`);
  let sends = 0;
  let sent = 0;
  const batches: AsyncIterable<readonly Buffer[]> | Iterable<readonly Buffer[]> = Array.isArray(lines)
    ? [lines as readonly Buffer[]]
    : (lines as AsyncIterable<readonly Buffer[]>);
  const total = Array.isArray(lines) ? lines.length : (options.total ?? 0);
  try {
    for await (const batch of batches) {
      for (let i = 0; i < batch.length; i += batchSize) {
        const messages = batch.slice(i, i + batchSize).map((value, j) => ({ key: `host-${(sent + j) % keys}`, value }));
        await withTimeout(
          producer.send({ topic, acks: -1, messages }),
          sendTimeoutMs,
          `sending ${messages.length} messages to ${topic} on ${brokerName}`,
        );
        sends++;
        sent += messages.length;
        options.onProgress?.(sent, Math.max(total, sent));
      }
    }
  } catch (error) {
    throw error instanceof KafkaBrokerError
      ? error
      : new KafkaBrokerError(`producing to ${topic} on ${brokerName} failed: ${String(error)}`);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  return { messages: sent, sends, ms: Date.now() - started };
}
