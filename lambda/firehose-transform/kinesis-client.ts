/**
 * What only the overflow path needs: the Kinesis client and re-ingest (which builds PutRecordsCommands).
 * Bundled as kinesis-client.js of its own next to index.js (SEPARATE_MODULES in lib/lambda-bundling.ts);
 * index.ts requires it on the first overflow, so a cold start neither compiles nor runs the SDK.
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
