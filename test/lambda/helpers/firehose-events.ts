/**
 * AWS-shaped Firehose transformation events (Kinesis source), as Firehose sends them to the Lambda:
 * base64 data, approximateArrivalTimestamp in epoch ms, kinesisRecordMetadata per record.
 */
import * as zlib from 'node:zlib';
import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord } from 'aws-lambda';

export const SOURCE_STREAM_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/log-pipeline-dev-IngestStream';
export const DELIVERY_STREAM_ARN = 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/log-pipeline-dev-Delivery';
export const SHARD_ID = 'shardId-000000000003';
/** 2026-11-25T11:52:40.000Z */
export const ARRIVAL_MS = Date.UTC(2026, 10, 25, 11, 52, 40);

export interface RecordSpec {
  /** Raw bytes of the Kinesis record (string → UTF-8). */
  readonly data: string | Buffer;
  readonly recordId?: string;
  readonly arrivalMs?: number;
  readonly sequenceNumber?: string;
  readonly subsequenceNumber?: string;
  readonly partitionKey?: string;
  /** Direct PUT records have no Kinesis metadata. */
  readonly withoutMetadata?: boolean;
  /** Override the base64 text (to send invalid base64). */
  readonly base64?: string;
}

let sequence = 49_656_000_000_000_000_000_000_000_000_000_000_000_000_000n;

export function firehoseRecord(spec: RecordSpec, index: number): FirehoseTransformationEventRecord {
  const bytes = typeof spec.data === 'string' ? Buffer.from(spec.data, 'utf8') : spec.data;
  const arrival = spec.arrivalMs ?? ARRIVAL_MS;
  sequence += 1n;
  const record: FirehoseTransformationEventRecord = {
    recordId: spec.recordId ?? `49656${String(index).padStart(8, '0')}000000000000000000000000000000000000000000`,
    approximateArrivalTimestamp: arrival,
    data: spec.base64 ?? bytes.toString('base64'),
  };
  if (!spec.withoutMetadata) {
    record.kinesisRecordMetadata = {
      shardId: SHARD_ID,
      partitionKey: spec.partitionKey ?? `host-${index % 3}`,
      approximateArrivalTimestamp: arrival,
      sequenceNumber: spec.sequenceNumber ?? sequence.toString(),
      subsequenceNumber: spec.subsequenceNumber ?? '0',
    };
  }
  return record;
}

export function firehoseEvent(specs: readonly (RecordSpec | string)[], options: { directPut?: boolean } = {}): FirehoseTransformationEvent {
  const event: FirehoseTransformationEvent = {
    invocationId: 'invocationIdExample-0001',
    deliveryStreamArn: DELIVERY_STREAM_ARN,
    region: 'eu-west-1',
    records: specs.map((spec, index) =>
      firehoseRecord(
        typeof spec === 'string' ? { data: spec, withoutMetadata: options.directPut } : { withoutMetadata: options.directPut, ...spec },
        index,
      ),
    ),
  };
  if (!options.directPut) event.sourceKinesisStreamArn = SOURCE_STREAM_ARN;
  return event;
}

/** A CloudWatch Logs subscription payload, gzipped as CloudWatch Logs writes it to Kinesis. */
export function cloudWatchLogsPayload(messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE', messages: readonly string[]): Buffer {
  const body = {
    messageType,
    owner: messageType === 'CONTROL_MESSAGE' ? 'CloudwatchLogs' : '123456789012',
    logGroup: messageType === 'CONTROL_MESSAGE' ? '' : '/var/log/demo/access.log',
    logStream: messageType === 'CONTROL_MESSAGE' ? '' : 'i-0123456789abcdef0',
    subscriptionFilters: messageType === 'CONTROL_MESSAGE' ? [] : ['log-pipeline'],
    logEvents: messages.map((message, i) => ({
      id: `3719823612978645213287367215367812637821637821637821${String(i).padStart(2, '0')}`,
      timestamp: ARRIVAL_MS - 1000 + i,
      message,
    })),
  };
  return zlib.gzipSync(Buffer.from(JSON.stringify(body)));
}

/** The JSON lines of an Ok record's data. */
export function outputLines(data: string | undefined): string[] {
  const text = Buffer.from(data ?? '', 'base64').toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

export function outputRecords(data: string | undefined): Record<string, unknown>[] {
  return outputLines(data).map((line) => JSON.parse(line) as Record<string, unknown>);
}
