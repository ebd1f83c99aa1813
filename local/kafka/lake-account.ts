/**
 * Reads back what the Kafka path landed in the lake and checks it against the topic: every offset of
 * every partition must be in the lake exactly as one of
 *   a raw record (its event id is kafka|topic|partition|offset|0),
 *   an error line under errors/kafka-consumer-failed/ (the record's bytes kept, with the reason), or
 *   in an invocation record in the failed-batches bucket (the mapping gave up on it; the records are kept).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { KafkaErrorRecord } from '../../lambda/kafka-consumer/consume';
import { kafkaEventId } from '../../lambda/shared/event-id';
import { KAFKA_ERROR_OUTPUT_TYPES, kafkaErrorPrefix, LAKE_PREFIXES } from '../../contracts/lake-layout';
import { getBytes, listKeys, readLake } from '../lake-inventory';
import type { RecordValidator } from '../../lib/record-schema';
import { onFailureKeyPrefix, type OnFailureRecord } from './on-failure';

const RAW_PREFIX = `${LAKE_PREFIXES.raw}source=kafka/`;
const CONSUMER_FAILED_PREFIX = kafkaErrorPrefix(KAFKA_ERROR_OUTPUT_TYPES.consumerFailed);

export interface KafkaLakeAccount {
  readonly rawObjects: number;
  readonly rawRecords: number;
  readonly rawBytes: number;
  readonly recordsByFormat: Readonly<Record<string, number>>;
  /** Raw records sharing an event id with another (at-least-once delivery; the Glue job drops them). */
  readonly duplicateEventIds: number;
  readonly failedObjects: number;
  readonly failedRecords: number;
  readonly failedByReason: Readonly<Record<string, number>>;
  readonly onFailureObjects: number;
  readonly onFailureRecords: number;
  /** Offsets of the topic found nowhere in the lake, `partition:offset`. */
  readonly missing: readonly string[];
  /** Unreadable objects, schema violations, objects outside the Kafka prefixes. */
  readonly problems: readonly string[];
}

/**
 * `ends`: partition → end offset (the topic's high watermark when producing finished); `failedBatchesBucket`:
 * the on-failure destination's bucket (its objects count as kept, not lost).
 */
export async function accountKafkaLake(
  s3: S3Client,
  bucket: string,
  failedBatchesBucket: string,
  topic: string,
  ends: ReadonlyMap<number, number>,
  validate: RecordValidator,
): Promise<KafkaLakeAccount> {
  const problems: string[] = [];
  const eventIds = new Map<string, number>();
  const failedOffsets = new Set<string>();
  const onFailureOffsets = new Set<string>();
  const recordsByFormat: Record<string, number> = {};
  const failedByReason: Record<string, number> = {};
  let onFailureObjects = 0;
  let onFailureRecords = 0;
  let invalid = 0;

  for (const key of await listKeys(s3, failedBatchesBucket)) {
    onFailureObjects++;
    let record: OnFailureRecord;
    try {
      record = JSON.parse((await getBytes(s3, failedBatchesBucket, key)).toString('utf8')) as OnFailureRecord;
    } catch (error) {
      problems.push(`s3://${failedBatchesBucket}/${key}: not a JSON invocation record (${(error as Error).message})`);
      continue;
    }
    if (!key.startsWith(onFailureKeyPrefix())) problems.push(`s3://${failedBatchesBucket}/${key}: not under ${onFailureKeyPrefix()}`);
    for (const records of Object.values(record.payload?.records ?? {})) {
      for (const r of records) {
        if (r.topic !== topic) continue;
        onFailureOffsets.add(`${r.partition}:${r.offset}`);
        onFailureRecords++;
      }
    }
  }

  // The shared reader: unreadable objects and lines that are not JSON objects come back as problems.
  const lake = await readLake(s3, bucket, [RAW_PREFIX, CONSUMER_FAILED_PREFIX]);
  problems.push(...lake.problems);
  const rawObjects = lake.objects.filter((o) => o.key.startsWith(RAW_PREFIX));
  const rawBytes = rawObjects.reduce((sum, o) => sum + o.compressedBytes, 0);
  const failedObjects = lake.objects.length - rawObjects.length;
  for (const { key, record } of lake.rawLines) {
    const errors = validate(record);
    if (errors.length > 0 && ++invalid <= 3)
      problems.push(`${key}: record ${String(record.event_id)} breaks the schema: ${errors.join('; ')}`);
    if (record.source !== 'kafka')
      problems.push(`${key}: record ${String(record.event_id)} has source ${String(record.source)}, not kafka`);
    recordsByFormat[String(record.format)] = (recordsByFormat[String(record.format)] ?? 0) + 1;
    eventIds.set(String(record.event_id), (eventIds.get(String(record.event_id)) ?? 0) + 1);
  }
  for (const line of lake.errorLines) {
    const record = line.record as unknown as KafkaErrorRecord;
    failedByReason[record.errorCode] = (failedByReason[record.errorCode] ?? 0) + 1;
    failedOffsets.add(`${record.partition}:${record.offset}`);
  }
  if (invalid > 3) problems.push(`… ${invalid} raw records in all break the schema`);

  const missing: string[] = [];
  for (const [partition, end] of ends) {
    for (let offset = 0; offset < end; offset++) {
      const at = `${partition}:${offset}`;
      if (!eventIds.has(kafkaEventId(topic, partition, offset, 0)) && !failedOffsets.has(at) && !onFailureOffsets.has(at)) missing.push(at);
    }
  }
  let duplicateEventIds = 0;
  for (const count of eventIds.values()) duplicateEventIds += count - 1;
  return {
    rawObjects: rawObjects.length,
    rawRecords: lake.rawLines.length,
    rawBytes,
    recordsByFormat,
    duplicateEventIds,
    failedObjects,
    failedRecords: lake.errorLines.length,
    failedByReason,
    onFailureObjects,
    onFailureRecords,
    missing,
    problems,
  };
}
