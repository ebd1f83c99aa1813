import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IngestStream, type IngestStreamProps } from '../../../lib/constructs/ingest-stream/ingest-stream';
import { freshStack, logicalIdOf } from '../../helpers/constructs';

function streamStack(props: Partial<IngestStreamProps> = {}) {
  const stack = freshStack();
  const key = new kms.Key(stack, 'Key');
  const ingest = new IngestStream(stack, 'IngestStream', {
    encryptionKey: key,
    config: { capacity: { mode: 'on-demand' }, retentionHours: 48 },
    ...props,
  });
  return { stack, key, ingest, template: Template.fromStack(stack) };
}

describe('IngestStream on demand, with its defaults', () => {
  const { stack, key, ingest, template } = streamStack();

  test('exposes the one stream it creates', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    expect(Object.keys(template.findResources('AWS::Kinesis::Stream'))).toEqual([logicalIdOf(ingest.stream)]);
  });

  test('is encrypted with the given encryptionKey, on demand (no shard count), with the configured retention', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamEncryption: { EncryptionType: 'KMS', KeyId: stack.resolve(key.keyArn) },
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
      RetentionPeriodHours: 48,
    });
  });

  test('removalPolicy defaults to DESTROY: the records are transient, and a kept stream bills its shards', () => {
    const stream = Object.values(template.findResources('AWS::Kinesis::Stream'))[0];
    expect(stream.DeletionPolicy).toBe('Delete');
    expect(stream.UpdateReplacePolicy).toBe('Delete');
  });
});

describe('IngestStream props', () => {
  test('provisioned capacity sets the stream mode and its shard count', () => {
    const { template } = streamStack({ config: { capacity: { mode: 'provisioned', shardCount: 4 }, retentionHours: 24 } });
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 4,
      RetentionPeriodHours: 24,
    });
  });

  test('removalPolicy DESTROY deletes the stream on cdk destroy', () => {
    const stream = Object.values(
      streamStack({ removalPolicy: cdk.RemovalPolicy.DESTROY }).template.findResources('AWS::Kinesis::Stream'),
    )[0];
    expect(stream.DeletionPolicy).toBe('Delete');
  });
});
