/**
 * The event source mapping's on-failure destination, S3: each object is one GZIP JSON invocation record
 * holding the whole failed event, so the records are kept, not lost, and can be replayed from it.
 * Locally it writes under the lake's errors/kafka-on-failure/ prefix (lib/lake-layout.ts). A deployed
 * mapping's S3 destination is a bucket ARN without a prefix: Lambda chooses the keys of what it writes.
 */
import * as zlib from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { MSKEvent } from 'aws-lambda';
import { KAFKA_ERROR_OUTPUT_TYPES, kafkaErrorPrefixFor } from '../../lib/lake-layout';
import type { OnFailureDestination } from './event-source-mapping';

/** What an on-failure object holds (after the fields of Lambda's invocation record for Kafka). */
export interface OnFailureRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: { readonly condition: string; readonly approximateInvokeCount: number };
  readonly responseContext: { readonly lastError: string };
  readonly KafkaBatchInfo: {
    readonly eventSourceArn: string;
    readonly bootstrapServers: string;
    readonly batchSize: number;
    readonly recordsInfo: Record<string, { readonly firstRecordOffset: number; readonly lastRecordOffset: number }>;
  };
  /** The failed event, records and all. */
  readonly payload: MSKEvent;
}

export function s3OnFailureDestination(s3: S3Client, bucket: string): OnFailureDestination {
  return async (event, info) => {
    const entries = Object.entries(event.records);
    const recordsInfo: OnFailureRecord['KafkaBatchInfo']['recordsInfo'] = {};
    for (const [partitionKey, records] of entries) {
      recordsInfo[partitionKey] = { firstRecordOffset: records[0].offset, lastRecordOffset: records[records.length - 1].offset };
    }
    const now = new Date();
    const record: OnFailureRecord = {
      version: '1.0',
      timestamp: now.toISOString(),
      requestContext: { condition: info.condition, approximateInvokeCount: info.attempts },
      responseContext: { lastError: info.lastError },
      KafkaBatchInfo: {
        eventSourceArn: event.eventSourceArn,
        bootstrapServers: event.bootstrapServers,
        batchSize: entries.reduce((sum, [, records]) => sum + records.length, 0),
        recordsInfo,
      },
      payload: event,
    };
    const [partitionKey, { firstRecordOffset, lastRecordOffset }] = Object.entries(recordsInfo)[0];
    const key = `${kafkaErrorPrefixFor(KAFKA_ERROR_OUTPUT_TYPES.onFailure, now)}${partitionKey}-${firstRecordOffset}-${lastRecordOffset}.json.gz`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: zlib.gzipSync(JSON.stringify(record)) }));
  };
}
