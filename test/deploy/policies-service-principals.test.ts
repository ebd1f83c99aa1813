/**
 * The deploy rehearsal, resource policies: a resource policy the app writes (an SNS topic policy, a bucket policy, a
 * key policy) is all the service sees, so it must admit every service principal the app's wiring sends to that
 * resource. The needs are derived from the wiring in both stages' templates (every alarm action, rule target, log
 * group key, logging target, on-failure destination, delivery stream), so a new wiring is checked without a list.
 */
import type { StageName } from '../../lib/config';
import {
  actionMatches,
  asArray,
  roleStatements,
  servicePrincipals,
  stageWiring,
  text,
  type Located,
  type Statement,
  type StageWiring,
} from './wiring';

const STAGES: StageName[] = ['dev', 'prod'];

function topicPolicy(wiring: StageWiring, topic: Located): Statement[] {
  const policies = wiring.resources.filter(
    (r) =>
      r.resource.Type === 'AWS::SNS::TopicPolicy' &&
      asArray(r.resource.Properties?.Topics as unknown[]).some((t) => wiring.locate(r.stack, t)?.logicalId === topic.logicalId),
  );
  return policies.flatMap((p) => (p.resource.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

function bucketPolicy(wiring: StageWiring, bucket: Located): Statement[] {
  return wiring.resources
    .filter(
      (r) =>
        r.resource.Type === 'AWS::S3::BucketPolicy' &&
        wiring.locate(r.stack, r.resource.Properties?.Bucket)?.logicalId === bucket.logicalId &&
        r.stack === bucket.stack,
    )
    .flatMap((p) => (p.resource.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

function keyPolicy(key: Located): Statement[] {
  return (key.resource.Properties?.KeyPolicy as { Statement: Statement[] }).Statement;
}

/** Allow statements of `statements` that give `service` every one of `actions`. */
function allowsService(statements: Statement[], service: string | RegExp, actions: string[]): Statement[] {
  return statements.filter(
    (s) =>
      s.Effect === 'Allow' &&
      servicePrincipals(s).some((p) => (typeof service === 'string' ? p === service : service.test(p))) &&
      actions.every((a) => asArray(s.Action).some((pattern) => actionMatches(pattern, a))),
  );
}

/** Every Deny of a resource policy is the TLS-only one (aws:SecureTransport false): none refuses the app's own callers. */
function onlyTlsDenies(statements: Statement[]): boolean {
  return statements
    .filter((s) => s.Effect === 'Deny')
    .every((s) => JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }));
}

const THIS_ACCOUNTS_ALARMS = /^arn:(\$\{AWS::Partition\}|aws):cloudwatch:\$\{AWS::Region\}:\$\{AWS::AccountId\}:alarm:/;

describe.each(STAGES)('%s: resource policies admit the services the wiring sends', (stage) => {
  const wiring = stageWiring(stage);
  const ofType = (type: string) => wiring.resources.filter((r) => r.resource.Type === type);

  // AWS re:Post Knowledge Center, "Why didn't I receive an SNS notification for my CloudWatch alarm trigger?",
  // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
  test("an alarm may notify a topic only if the topic policy lets cloudwatch.amazonaws.com publish, scoped by aws:SourceArn to this account's alarms", () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    const notifying = alarms.flatMap((alarm) =>
      ['AlarmActions', 'OKActions', 'InsufficientDataActions']
        .flatMap((key) => asArray(alarm.resource.Properties?.[key] as unknown[]))
        .map((action) => wiring.locate(alarm.stack, action))
        .filter((target): target is Located => target?.resource.Type === 'AWS::SNS::Topic')
        .map((topic) => ({ alarm: alarm.logicalId, topic })),
    );
    expect(notifying.length).toBeGreaterThanOrEqual(alarms.length);
    for (const { alarm, topic } of notifying) {
      const allowed = allowsService(topicPolicy(wiring, topic), 'cloudwatch.amazonaws.com', ['sns:Publish']).filter((s) =>
        asArray(Object.values(s.Condition?.ArnLike ?? s.Condition?.ArnEquals ?? {})).some(() =>
          THIS_ACCOUNTS_ALARMS.test(text((s.Condition?.ArnLike ?? s.Condition?.ArnEquals)?.['aws:SourceArn'])),
        ),
      );
      expect({ alarm, topic: topic.logicalId, allowed: allowed.length }).toEqual({ alarm, topic: topic.logicalId, allowed: 1 });
      expect(onlyTlsDenies(topicPolicy(wiring, topic))).toBe(true);
    }
  });

  // Amazon EventBridge, "Amazon SNS permissions" (resource-based policies),
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
  test('a rule may target a topic only if the topic policy lets events.amazonaws.com publish', () => {
    const targets = ofType('AWS::Events::Rule').flatMap((rule) =>
      asArray(rule.resource.Properties?.Targets as Array<{ Arn: unknown }>)
        .map((t) => wiring.locate(rule.stack, t.Arn))
        .filter((target): target is Located => target?.resource.Type === 'AWS::SNS::Topic'),
    );
    expect(targets.length).toBeGreaterThan(0);
    for (const topic of targets)
      expect(allowsService(topicPolicy(wiring, topic), 'events.amazonaws.com', ['sns:Publish'])).not.toHaveLength(0);
  });

  // Amazon SNS, "Enable compatibility between event sources from AWS services and encrypted topics",
  // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
  test("an encrypted topic's key policy lets each service that publishes to it use the key (kms:Decrypt, kms:GenerateDataKey*)", () => {
    const topics = ofType('AWS::SNS::Topic').filter((t) => t.resource.Properties?.KmsMasterKeyId !== undefined);
    expect(topics.length).toBeGreaterThan(0);
    for (const topic of topics) {
      const key = wiring.locate(topic.stack, topic.resource.Properties?.KmsMasterKeyId);
      expect(key?.resource.Type).toBe('AWS::KMS::Key');
      const publishers = new Set(
        topicPolicy(wiring, topic)
          .filter((s) => s.Effect === 'Allow')
          .flatMap(servicePrincipals),
      );
      expect([...publishers].sort()).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
      for (const service of publishers)
        expect({ service, statements: allowsService(keyPolicy(key!), service, ['kms:Decrypt', 'kms:GenerateDataKey']).length > 0 }).toEqual(
          { service, statements: true },
        );
    }
  });

  // Amazon CloudWatch Logs, "Encrypt log data in CloudWatch Logs using AWS Key Management Service",
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
  test("every log group with a KMS key: the key policy lets logs.<region>.amazonaws.com use it for this account's log groups", () => {
    const groups = ofType('AWS::Logs::LogGroup').filter((g) => g.resource.Properties?.KmsKeyId !== undefined);
    expect(groups.length).toBeGreaterThan(3);
    for (const group of groups) {
      const key = wiring.locate(group.stack, group.resource.Properties?.KmsKeyId);
      expect(key?.resource.Type).toBe('AWS::KMS::Key');
      const allowed = allowsService(keyPolicy(key!), 'logs.${AWS::Region}.amazonaws.com', [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:GenerateDataKey',
        'kms:DescribeKey',
      ]);
      expect(allowed).toHaveLength(1);
      expect(text(allowed[0].Condition?.ArnLike?.['kms:EncryptionContext:aws:logs:arn'])).toMatch(
        /:logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:log-group:\*$/,
      );
    }
  });

  // AWS KMS, "Default key policy" (allows access to the AWS account and enables IAM policies),
  // https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
  test('every key a role is granted through IAM delegates to the account in its key policy, or the IAM grant is void', () => {
    const keys = ofType('AWS::KMS::Key');
    const grantedViaIam = new Set(
      ofType('AWS::IAM::Policy').flatMap((p) =>
        (p.resource.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.filter((s) =>
          asArray(s.Action).some((a) => a.startsWith('kms:')),
        ).flatMap((s) =>
          asArray(s.Resource)
            .map((r) => wiring.locate(p.stack, r))
            .filter((k): k is Located => k?.resource.Type === 'AWS::KMS::Key')
            .map((k) => `${k.stack}/${k.logicalId}`),
        ),
      ),
    );
    expect(grantedViaIam.size).toBeGreaterThan(0);
    for (const key of keys.filter((k) => grantedViaIam.has(`${k.stack}/${k.logicalId}`))) {
      const root = keyPolicy(key).filter(
        (s) =>
          s.Effect === 'Allow' &&
          /:iam::\$\{AWS::AccountId\}:root$/.test(text((s.Principal as { AWS?: unknown })?.AWS)) &&
          asArray(s.Action).includes('kms:*'),
      );
      expect(root).toHaveLength(1);
    }
  });

  // Amazon S3, "Enabling Amazon S3 server access logging" (permissions for log delivery: a bucket policy for
  // logging.s3.amazonaws.com; the target bucket must not use SSE-KMS default encryption),
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
  test("every bucket that sends server access logs: its target's policy lets logging.s3.amazonaws.com put under its prefix, and the target is SSE-S3", () => {
    const sources = ofType('AWS::S3::Bucket').filter((b) => b.resource.Properties?.LoggingConfiguration !== undefined);
    // Only a stage that keeps its buckets logs (policies-log-delivery-target.test.ts).
    expect(sources.length > 0).toBe(ofType('AWS::S3::Bucket').some((b) => b.resource.DeletionPolicy === 'Retain'));
    for (const source of sources) {
      const logging = source.resource.Properties?.LoggingConfiguration as { DestinationBucketName: unknown; LogFilePrefix?: string };
      const target = wiring.locate(source.stack, logging.DestinationBucketName);
      expect(target?.resource.Type).toBe('AWS::S3::Bucket');
      const encryption = JSON.stringify(target!.resource.Properties?.BucketEncryption);
      expect(encryption).toContain('AES256');
      const statements = bucketPolicy(wiring, target!);
      const allowed = allowsService(statements, 'logging.s3.amazonaws.com', ['s3:PutObject']).filter((s) =>
        asArray(s.Resource).some((r) => text(r).endsWith(`/${logging.LogFilePrefix ?? ''}*`)),
      );
      expect({ source: source.logicalId, allowed: allowed.length }).toEqual({ source: source.logicalId, allowed: 1 });
      expect(onlyTlsDenies(statements)).toBe(true);
    }
  });

  // AWS Lambda, "Capturing discarded batches for Amazon MSK and self-managed Apache Kafka event sources"
  // (an S3 on-failure destination is written with the function's execution role: s3:PutObject and s3:ListBucket,
  // and kms:GenerateDataKey with the bucket's own key),
  // https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html
  test("every event source mapping with an S3 on-failure destination: its function's role may put and list objects there and use the bucket's key; the bucket policy denies only non-TLS", () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter((m) => m.resource.Properties?.DestinationConfig !== undefined);
    expect(mappings.length).toBeGreaterThan(0);
    for (const mapping of mappings) {
      const destination = (mapping.resource.Properties?.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination;
      const bucket = wiring.locate(mapping.stack, destination);
      expect(bucket?.resource.Type).toBe('AWS::S3::Bucket');
      const fn = wiring.locate(mapping.stack, mapping.resource.Properties?.FunctionName);
      const role = wiring.locate(fn!.stack, fn!.resource.Properties?.Role);
      const statements = roleStatements(wiring, role!);
      const puts = statements.filter(
        (s) =>
          s.Effect === 'Allow' &&
          asArray(s.Action).some((a) => actionMatches(a, 's3:PutObject')) &&
          asArray(s.Resource).some(
            (r) => text(r).includes(text(destination)) || wiring.locate(role!.stack, r)?.logicalId === bucket!.logicalId,
          ),
      );
      expect(puts).not.toHaveLength(0);
      const lists = statements.filter(
        (s) =>
          s.Effect === 'Allow' &&
          asArray(s.Action).some((a) => actionMatches(a, 's3:ListBucket')) &&
          asArray(s.Resource).some((r) => wiring.locate(role!.stack, r)?.logicalId === bucket!.logicalId),
      );
      expect(lists).not.toHaveLength(0);
      const keyRef = JSON.stringify(bucket!.resource.Properties?.BucketEncryption).match(/"KMSMasterKeyID":(\{[^}]*\}\}?|"[^"]*")/);
      if (keyRef) {
        const key = wiring.locate(bucket!.stack, JSON.parse(keyRef[1]));
        const keyGrants = statements.filter(
          (s) =>
            s.Effect === 'Allow' &&
            asArray(s.Action).some((a) => actionMatches(a, 'kms:GenerateDataKey')) &&
            asArray(s.Resource).some((r) => wiring.locate(role!.stack, r)?.logicalId === key?.logicalId),
        );
        expect(keyGrants).not.toHaveLength(0);
      }
      expect(onlyTlsDenies(bucketPolicy(wiring, bucket!))).toBe(true);
    }
  });

  // Amazon Data Firehose, "Grant Firehose access to an Amazon S3 destination",
  // https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
  test('every delivery stream: its role may put objects into its S3 destination, whose bucket policy denies only non-TLS', () => {
    const streams = ofType('AWS::KinesisFirehose::DeliveryStream');
    expect(streams.length).toBeGreaterThan(0);
    for (const stream of streams) {
      const destination = stream.resource.Properties?.ExtendedS3DestinationConfiguration as { BucketARN: unknown; RoleARN: unknown };
      const bucket = wiring.locate(stream.stack, destination.BucketARN);
      const role = wiring.locate(stream.stack, destination.RoleARN);
      expect(bucket?.resource.Type).toBe('AWS::S3::Bucket');
      const puts = roleStatements(wiring, role!).filter(
        (s) => s.Effect === 'Allow' && asArray(s.Action).some((a) => actionMatches(a, 's3:PutObject')),
      );
      expect(puts).not.toHaveLength(0);
      expect(onlyTlsDenies(bucketPolicy(wiring, bucket!))).toBe(true);
    }
  });
});
