/**
 * Stable event ids: the first 32 hex chars of SHA-256 over where the event sits in its delivery, so the
 * same event delivered twice (at-least-once Kinesis/Firehose/Kafka) gets the same id and the Glue job can
 * drop the duplicate.
 *
 *   kinesis|<shardId>|<sequenceNumber>|<subsequenceNumber>|<lineIndex>
 *   kafka|<topic>|<partition>|<offset>|<lineIndex>
 *   firehose|<recordId>|<lineIndex>        Direct PUT: no Kinesis metadata, Firehose's recordId is all we have
 *
 * `lineIndex` counts the record's non-empty lines (CloudWatch Logs: its log events) from 0.
 */
import * as crypto from 'node:crypto';

export type DeliveryCoordinates =
  | {
      readonly kind: 'kinesis';
      readonly shardId: string;
      readonly sequenceNumber: string;
      /** Empty for records that were not KPL-aggregated. */
      readonly subsequenceNumber: string;
    }
  | { readonly kind: 'kafka'; readonly topic: string; readonly partition: number; readonly offset: number | string }
  | { readonly kind: 'firehose'; readonly recordId: string };

/** The coordinates part of the hashed key, computed once per record; `eventId` appends the line index. */
export function eventIdPrefix(coordinates: DeliveryCoordinates): string {
  switch (coordinates.kind) {
    case 'kinesis':
      return `kinesis|${coordinates.shardId}|${coordinates.sequenceNumber}|${coordinates.subsequenceNumber}|`;
    case 'kafka':
      return `kafka|${coordinates.topic}|${coordinates.partition}|${coordinates.offset}|`;
    case 'firehose':
      return `firehose|${coordinates.recordId}|`;
  }
}

// crypto.hash (Node ≥ 20.12) hashes in one call, without a Hash object per line.
const sha256Hex: (data: string) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

/** Event id of line `lineIndex` of the record whose coordinates gave `prefix`. */
export function eventId(prefix: string, lineIndex: number): string {
  return sha256Hex(prefix + lineIndex).slice(0, 32);
}

export function kinesisEventId(
  shardId: string,
  sequenceNumber: string,
  subsequenceNumber: string,
  lineIndex: number,
): string {
  return eventId(eventIdPrefix({ kind: 'kinesis', shardId, sequenceNumber, subsequenceNumber }), lineIndex);
}

export function kafkaEventId(topic: string, partition: number, offset: number | string, lineIndex: number): string {
  return eventId(eventIdPrefix({ kind: 'kafka', topic, partition, offset }), lineIndex);
}

export function firehoseEventId(recordId: string, lineIndex: number): string {
  return eventId(eventIdPrefix({ kind: 'firehose', recordId }), lineIndex);
}
