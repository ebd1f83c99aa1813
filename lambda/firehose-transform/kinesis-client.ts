/**
 * What only the overflow path needs: the Kinesis client and re-ingest (which builds PutRecordsCommands).
 * index.ts imports this module dynamically on the first overflow, so the SDK (most of the bundle's load
 * time) is evaluated only then; esbuild still bundles it into the same file (see index.ts).
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export { reingestRecords } from './reingest';

export function createKinesisClient(): KinesisClient {
  // NodeHttpHandler (HTTP/1.1) also works against emulators; the timeouts keep a dead endpoint from eating
  // the whole invocation (Firehose would then retry the entire batch).
  return new KinesisClient({
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 10_000 }),
  });
}
