/**
 * The Kafka client of the records topic: kafkajs and, for MSK, the IAM signer. Bundled as records-producer.js
 * of its own next to index.js (SEPARATE_MODULES in lib/lambda-bundling.ts); index.ts requires it only when
 * RECORDS_TOPIC is set, so a consumer that does not publish neither compiles nor runs it at cold start.
 *
 * One producer per container, reused across invocations; it connects on the first send. Idempotent with
 * acks=all (what the Kafka path's producers use: a retried send is not stored twice), one request in flight
 * (per-partition order across retries), GZIP (the capacity plan's 0.47 of the log bytes assumes it).
 */
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { CompressionTypes, Kafka, logLevel, type KafkaConfig, type LogEntry, type Producer, type ProducerConfig } from 'kafkajs';
import type { PublishConfig, RecordMessage } from './publish';

export interface RecordsProducer {
  /** Sends to one partition; resolves once all in-sync replicas have the messages. */
  send(partition: number, messages: readonly RecordMessage[]): Promise<void>;
  /** Closes the connections; the next send would connect again. */
  disconnect(): Promise<void>;
}

/** kafkajs's ERROR and WARN lines, for the function's own logger. */
export type ClientLog = (level: 'error' | 'warn', message: string, details: Record<string, unknown>) => void;

/**
 * Retries of a failed send inside one invocation: 300 ms doubling, with jitter, each attempt bounded by the
 * request and connection timeouts; the invocation's deadline bounds them all (publish.ts). After them the
 * partition is a batch item failure, which the mapping retries from its group's first offset; the producer is
 * then replaced (index.ts).
 */
const RETRY = { initialRetryTime: 300, maxRetryTime: 5_000, retries: 5 };

export function kafkaClientConfig(config: PublishConfig, clientLog?: ClientLog): KafkaConfig {
  const security: Pick<KafkaConfig, 'ssl' | 'sasl'> =
    config.security === 'msk-iam'
      ? {
          // SASL/OAUTHBEARER with a SigV4-signed token over TLS, the MSK IAM flow for non-Java clients
          // ("Configure clients for IAM access control",
          // https://docs.aws.amazon.com/msk/latest/developerguide/configure-clients-for-iam-access-control.html).
          // A token per new connection, signed with the function role's credentials from its environment.
          ssl: true,
          sasl: {
            mechanism: 'oauthbearer',
            oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region: config.region })).token }),
          },
        }
      : {};
  return {
    clientId: 'log-pipeline-kafka-consumer',
    brokers: [...config.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: RETRY,
    logLevel: clientLog === undefined ? logLevel.NOTHING : logLevel.WARN,
    logCreator:
      clientLog === undefined
        ? undefined
        : () =>
            ({ level, log }: LogEntry) => {
              // Powertools owns `timestamp` and `level`; kafkajs's own are dropped.
              const details: Record<string, unknown> = { ...log };
              for (const key of ['message', 'timestamp', 'level']) delete details[key];
              // Bounded retries are the point here (see RETRY): kafkajs warns about them at every start.
              if (log.message.startsWith('Limiting retries for the idempotent producer')) return;
              clientLog(level === logLevel.ERROR ? 'error' : 'warn', `kafkajs: ${log.message}`, details);
            },
    ...security,
  };
}

export const PRODUCER_CONFIG: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  // Topics are created on purpose (the CDK app's kafka.topics): a missing one fails the send.
  allowAutoTopicCreation: false,
  retry: RETRY,
};

/** Every send: acknowledged by all in-sync replicas, GZIP record batches. */
export const SEND_OPTIONS = { acks: -1, compression: CompressionTypes.GZIP } as const;

export function createRecordsProducer(config: PublishConfig, clientLog?: ClientLog): RecordsProducer {
  const producer: Producer = new Kafka(kafkaClientConfig(config, clientLog)).producer(PRODUCER_CONFIG);
  let connected: Promise<void> | undefined;
  return {
    async send(partition, messages) {
      connected ??= producer.connect().catch((error: unknown) => {
        connected = undefined;
        throw error;
      });
      await connected;
      await producer.send({
        topic: config.topic,
        ...SEND_OPTIONS,
        messages: messages.map((m) => ({ partition, key: m.key, value: m.value })),
      });
    },
    async disconnect() {
      connected = undefined;
      await producer.disconnect();
    },
  };
}
