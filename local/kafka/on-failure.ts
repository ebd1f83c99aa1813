/**
 * The event source mapping's on-failure destination, S3, as the deployed mapping has it: a bucket of its
 * own (FailedBatchesBucket in lib/stacks/kafka-stack.ts), not a prefix of the lake, because an S3
 * on-failure destination is a bucket ARN and Lambda chooses the keys. Each object is one JSON invocation
 * record: the metadata of the failed invocation plus, for an S3 destination, the whole event as `payload`
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html), so the records are kept and can
 * be replayed from it. The key follows the layout Lambda uses for stream sources' S3 destinations,
 * aws/lambda/<mapping UUID>/<topic-partition>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { MSKEvent } from 'aws-lambda';
import type { OnFailureDestination } from './event-source-mapping';

/** The simulated mapping's UUID (a deployed mapping has its own; it names the first key segment). */
export const LOCAL_MAPPING_UUID = '00000000-0000-4000-8000-00000000e5a1';
const LOCAL_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:log-pipeline-local-kafka-consumer';

/** What an on-failure object holds (the fields of Lambda's invocation record for a Kafka event source). */
export interface OnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: string;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: { readonly statusCode: number; readonly executedVersion: string; readonly functionError?: string };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KafkaBatchInfo: {
    readonly batchSize: number;
    readonly eventSourceArn: string;
    readonly bootstrapServers: string;
    readonly payloadSize: number;
    readonly recordsInfo: Record<
      string,
      {
        readonly firstRecordOffset: string;
        readonly firstRecordTimestamp: string;
        readonly lastRecordOffset: string;
        readonly lastRecordTimestamp: string;
      }
    >;
  };
  /** The failed event, records and all. */
  readonly payload: MSKEvent;
}

/** The key prefix of the on-failure objects of one topic-partition. */
export function onFailureKeyPrefix(partitionKey?: string): string {
  return `aws/lambda/${LOCAL_MAPPING_UUID}/${partitionKey === undefined ? '' : `${partitionKey}/`}`;
}

export function s3OnFailureDestination(s3: S3Client, failedBatchesBucket: string): OnFailureDestination {
  return async (event, info) => {
    const entries = Object.entries(event.records);
    const recordsInfo: OnFailureRecord['KafkaBatchInfo']['recordsInfo'] = {};
    for (const [partitionKey, records] of entries) {
      const first = records[0];
      const last = records[records.length - 1];
      recordsInfo[partitionKey] = {
        firstRecordOffset: String(first.offset),
        firstRecordTimestamp: new Date(first.timestamp).toISOString(),
        lastRecordOffset: String(last.offset),
        lastRecordTimestamp: new Date(last.timestamp).toISOString(),
      };
    }
    const now = new Date();
    const record: OnFailureRecord = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: LOCAL_FUNCTION_ARN,
        condition: info.condition,
        approximateInvokeCount: info.attempts,
      },
      // A function error is reported as such; a batch item failure is a successful invocation (200, no error).
      responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(info.functionError ? { functionError: 'Unhandled' } : {}) },
      version: '1.0',
      timestamp: now.toISOString(),
      KafkaBatchInfo: {
        batchSize: entries.reduce((sum, [, records]) => sum + records.length, 0),
        eventSourceArn: event.eventSourceArn,
        bootstrapServers: event.bootstrapServers,
        payloadSize: Buffer.byteLength(JSON.stringify(event)),
        recordsInfo,
      },
      payload: event,
    };
    const [partitionKey] = Object.keys(recordsInfo);
    const iso = now.toISOString();
    const key = `${onFailureKeyPrefix(partitionKey)}${iso.slice(0, 10).replace(/-/g, '/')}/${iso.slice(0, 19).replace(/:/g, '.')}-${randomUUID()}`;
    await s3.send(
      new PutObjectCommand({ Bucket: failedBatchesBucket, Key: key, Body: JSON.stringify(record), ContentType: 'application/json' }),
    );
  };
}
