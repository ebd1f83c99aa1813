/**
 * The lake writes of the functions that put GZIP objects of JSON lines (the Kafka consumer and realtime-rows):
 * the bucket name read from LAKE_BUCKET, and one PutObject per object with a client whose timeouts keep a dead
 * endpoint from eating the invocation (the mapping would then retry every partition of the batch). The client is
 * HTTP/1.1 (NodeHttpHandler), which also works against emulators.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { EnvironmentReader } from './environment';

/** An object for the lake: its key, its GZIP body and its user metadata. */
export interface LakeObject {
  readonly key: string;
  readonly body: Buffer;
  readonly metadata: Readonly<Record<string, string>>;
}

/** LAKE_BUCKET, required, checked against S3's naming rules (the subset a typo breaks: 3-63 of a-z, 0-9, '.', '-'). */
export function readLakeBucket(read: EnvironmentReader): string {
  const lakeBucket = read.required('LAKE_BUCKET');
  if (lakeBucket !== '' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(lakeBucket)) {
    read.problem(`LAKE_BUCKET must be an S3 bucket name (got '${lakeBucket}')`);
  }
  return lakeBucket;
}

/** Writes one object into `bucket` per call, with up to `maxAttempts` SDK attempts. */
export function lakeObjectWriter(bucket: string, maxAttempts: number): (object: LakeObject) => Promise<void> {
  const s3 = new S3Client({
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 20_000 }),
    maxAttempts,
  });
  return async (object) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: object.key,
        Body: object.body,
        ContentType: 'application/gzip',
        Metadata: { ...object.metadata },
      }),
    );
  };
}
