/**
 * Publishing the records the consumer parsed to the records topic (docs/analytics-realtime.md), without a
 * Kafka client: the settings, the messages a lake object's JSON lines become, the sends they are cut into,
 * and a deadline. The client itself is records-producer.ts, loaded only when publishing is on.
 *
 * Each message's value is one record's JSON line exactly as written to the lake (no trailing newline). Its
 * key is the record's `event_id`: the partition is chosen explicitly (the raw partition the lines came
 * from), so the key plays no part in placement; it lets a reader drop the copies a retried batch publishes
 * again, as the Glue job does in the lake, and names the record in Kafka's tools.
 */
import type { EnvironmentReader } from '../shared/environment';

export const KAFKA_SECURITY_MODES = ['msk-iam', 'plaintext'] as const;
/** `msk-iam`: SASL OAUTHBEARER with a SigV4 token over TLS (MSK, port 9098); `plaintext`: the local broker. */
export type KafkaSecurity = (typeof KAFKA_SECURITY_MODES)[number];

export interface PublishConfig {
  /** The records topic. */
  readonly topic: string;
  /** host:port of the bootstrap brokers. */
  readonly brokers: readonly string[];
  readonly security: KafkaSecurity;
  /** The region the MSK IAM token is signed for (Lambda sets AWS_REGION). */
  readonly region: string;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/**
 * The publishing settings: RECORDS_TOPIC (unset or empty: publishing off, undefined), KAFKA_BOOTSTRAP_BROKERS
 * (comma-separated host:port), KAFKA_SECURITY (`msk-iam` or `plaintext`) and, for msk-iam, AWS_REGION.
 * Problems go to `read`, which throws them together with the rest of the environment's.
 */
export function readPublishConfig(env: NodeJS.ProcessEnv, read: EnvironmentReader): PublishConfig | undefined {
  const topic = env.RECORDS_TOPIC?.trim() ?? '';
  if (topic === '') return undefined;
  if (!TOPIC_NAME.test(topic))
    read.problem(`RECORDS_TOPIC must be a Kafka topic name of letters, digits, '.', '_' and '-' (got '${topic}')`);
  const brokers = read
    .required('KAFKA_BOOTSTRAP_BROKERS')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const badBrokers = brokers.filter((b) => !BROKER.test(b));
  if (badBrokers.length > 0)
    read.problem(`KAFKA_BOOTSTRAP_BROKERS must be comma-separated host:port pairs (got '${badBrokers.join("', '")}')`);
  const security = read.required('KAFKA_SECURITY');
  if (security !== '' && !(KAFKA_SECURITY_MODES as readonly string[]).includes(security))
    read.problem(`KAFKA_SECURITY must be one of ${KAFKA_SECURITY_MODES.join(', ')} (got '${security}')`);
  const region = env.AWS_REGION?.trim() ?? '';
  if (security === 'msk-iam' && region === '')
    read.problem('AWS_REGION must be set with KAFKA_SECURITY=msk-iam (the token is signed for it)');
  return { topic, brokers, security: security as KafkaSecurity, region };
}

/** One message of the records topic. */
export interface RecordMessage {
  readonly key: string | null;
  readonly value: string;
}

/** Every record line starts with its event id (lambda/shared/serialize.ts): 32 hex characters. */
const EVENT_ID_PREFIX = '{"event_id":"';
const EVENT_ID_LENGTH = 32;

/** A lake object's JSON lines (each ending in '\n') as messages, in order. */
export function recordMessages(jsonLines: string): RecordMessage[] {
  const messages: RecordMessage[] = [];
  let start = 0;
  while (start < jsonLines.length) {
    let end = jsonLines.indexOf('\n', start);
    if (end === -1) end = jsonLines.length;
    if (end > start) {
      const value = jsonLines.slice(start, end);
      const key = value.startsWith(EVENT_ID_PREFIX) ? value.slice(EVENT_ID_PREFIX.length, EVENT_ID_PREFIX.length + EVENT_ID_LENGTH) : null;
      messages.push({ key, value });
    }
    start = end + 1;
  }
  return messages;
}

/**
 * Uncompressed bytes of values (and keys) per send. A send to one partition is one record batch, which the
 * broker refuses whole above the topic's max.message.bytes (1 MB by default, after compression): 900 KiB
 * before gzip stays under it even for records that do not compress. A single message above it is not sent
 * (recordPublisher): the broker could refuse it on every retry, which would hold the partition back for good.
 */
export const MAX_SEND_BYTES = 900 * 1024;

/** Messages cut, in order, into sends of at most `maxBytes` (a larger message goes alone). */
export function chunkMessages(messages: readonly RecordMessage[], maxBytes: number = MAX_SEND_BYTES): RecordMessage[][] {
  const chunks: RecordMessage[][] = [];
  let current: RecordMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageBytes(message);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Sends messages to one partition of the records topic; resolves once all in-sync replicas have them. */
export type PartitionSender = (partition: number, messages: readonly RecordMessage[]) => Promise<void>;

/** What one publish did: messages sent, and messages over the send bound left out (the lake has them). */
export interface PublishResult {
  readonly published: number;
  readonly tooLarge: number;
}

/** Publishes one lake object's JSON lines to a partition, in order. */
export type RecordPublisher = (partition: number, jsonLines: string) => Promise<PublishResult>;

function messageBytes(message: RecordMessage): number {
  return Buffer.byteLength(message.value) + (message.key === null ? 0 : message.key.length);
}

/** Thrown when a publish did not finish before the invocation's deadline. */
export class PublishTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublishTimeoutError';
  }
}

/**
 * A publisher over `send`: the object's messages in sends of at most `maxSendBytes`, one after the other
 * (so a partition's records keep their order), each bounded by `deadline()` (epoch ms): no send starts once it
 * has passed. A message larger than `maxSendBytes` alone is left out and counted as too large.
 */
export function recordPublisher(
  send: PartitionSender,
  options: { readonly deadline?: () => number; readonly maxSendBytes?: number } = {},
): RecordPublisher {
  const maxSendBytes = options.maxSendBytes ?? MAX_SEND_BYTES;
  return async (partition, jsonLines) => {
    const messages = recordMessages(jsonLines);
    const fitting = messages.filter((m) => messageBytes(m) <= maxSendBytes);
    let published = 0;
    for (const chunk of chunkMessages(fitting, maxSendBytes)) {
      const deadline = options.deadline?.();
      if (deadline === undefined) {
        await send(partition, chunk);
      } else {
        if (Date.now() >= deadline) throw timeoutError(partition);
        await beforeDeadline(send(partition, chunk), deadline, partition);
      }
      published += chunk.length;
    }
    return { published, tooLarge: messages.length - fitting.length };
  };
}

function timeoutError(partition: number): PublishTimeoutError {
  return new PublishTimeoutError(`publishing to partition ${partition} did not finish before the invocation's deadline`);
}

function beforeDeadline<T>(promise: Promise<T>, deadlineMs: number, partition: number): Promise<T> {
  const ms = deadlineMs - Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(partition)), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
