/**
 * AWS-shaped MSK events, as the Lambda event source mapping sends them: `records` keyed
 * `<topic>-<partition>`, each record with base64 `key` and `value` (value null for a tombstone), `headers`
 * as a list of { name: byte values }, `offset`, epoch-ms `timestamp` and `timestampType`.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';

export const CLUSTER_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/log-pipeline-dev/4b7d2e8a-6a8d-4e55-9a13-1f6c8f3c2a10-2';
export const BOOTSTRAP =
  'b-1.logpipelinedev.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.logpipelinedev.abc123.c2.kafka.eu-west-1.amazonaws.com:9098';
/** 2026-11-25T11:52:40.000Z */
export const TIMESTAMP_MS = Date.UTC(2026, 10, 25, 11, 52, 40);

export interface MskRecordSpec {
  /** The value's bytes (string → UTF-8); null sends a tombstone. */
  readonly value: string | Buffer | null;
  /** Override the base64 text (to send invalid base64). */
  readonly base64?: string;
  readonly key?: string | null;
  readonly timestamp?: number;
  readonly headers?: Record<string, string>[];
}

/** `{ 'logs-0': [...specs] }` → an MSK event; offsets count up from `firstOffset` per partition. */
export function mskEvent(partitions: Record<string, readonly MskRecordSpec[]>, firstOffset = 100): MSKEvent {
  const records: MSKEvent['records'] = {};
  for (const [partitionKey, specs] of Object.entries(partitions)) {
    const dash = partitionKey.lastIndexOf('-');
    const topic = partitionKey.slice(0, dash);
    const partition = Number(partitionKey.slice(dash + 1));
    records[partitionKey] = specs.map((spec, index) => mskRecord(topic, partition, firstOffset + index, spec));
  }
  return { eventSource: 'aws:kafka', eventSourceArn: CLUSTER_ARN, bootstrapServers: BOOTSTRAP, records };
}

export function mskRecord(topic: string, partition: number, offset: number, spec: MskRecordSpec): MSKRecord {
  const value =
    spec.value === null
      ? null
      : (spec.base64 ?? (typeof spec.value === 'string' ? Buffer.from(spec.value, 'utf8') : spec.value).toString('base64'));
  return {
    topic,
    partition,
    offset,
    timestamp: spec.timestamp ?? TIMESTAMP_MS + offset,
    timestampType: 'CREATE_TIME',
    key: (spec.key === null ? null : Buffer.from(spec.key ?? `host-${partition}`).toString('base64')) as string,
    value: value as string,
    headers: (spec.headers ?? [{ agent: 'fluent-bit' }]).map((header) =>
      Object.fromEntries(Object.entries(header).map(([name, text]) => [name, [...Buffer.from(text)]])),
    ),
  };
}
