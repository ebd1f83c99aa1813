/**
 * The deploy rehearsal, server access log targets: S3 delivers server access logs "on a best-effort basis", most
 * "within a few hours", some "long after the request was actually processed" (Amazon S3 User Guide, "Logging
 * requests with server access logging", https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html).
 * A target bucket that the same `cdk destroy` empties and deletes is refilled by the records of destroy's own last
 * requests (the auto-delete handler emptying its sources), and its DeleteBucket fails with BucketNotEmpty. So a
 * target is never deleted by destroy: every bucket that receives server access logs is retained (Lake.accessLogsBucket).
 */
import type { StageName } from '../../lib/config';
import { stageWiring, type Located } from './wiring';

describe.each(['dev', 'prod'] as StageName[])('%s: server access log targets', (stage) => {
  const wiring = stageWiring(stage);
  const buckets = wiring.resources.filter((r) => r.resource.Type === 'AWS::S3::Bucket');

  test('no bucket that cdk destroy deletes receives server access logs', () => {
    const targets = buckets
      .filter((b) => b.resource.Properties?.LoggingConfiguration !== undefined)
      .map((source) => ({
        source,
        target: wiring.locate(
          source.stack,
          (source.resource.Properties?.LoggingConfiguration as { DestinationBucketName: unknown }).DestinationBucketName,
        ),
      }));
    for (const { source, target } of targets) {
      expect(target?.resource.Type).toBe('AWS::S3::Bucket');
      expect({ source: source.logicalId, target: target!.logicalId, deletion: target!.resource.DeletionPolicy }).toEqual({
        source: source.logicalId,
        target: target!.logicalId,
        deletion: 'Retain',
      });
    }
    // A stage that deletes its buckets has no log target at all; one that keeps them logs every bucket it keeps.
    const deleted = (b: Located) => b.resource.DeletionPolicy !== 'Retain';
    if (buckets.every(deleted)) expect(targets).toEqual([]);
    else expect(targets.length).toBeGreaterThan(0);
  });
});
