import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataKey, type DataKeyProps } from '../../../lib/constructs/data-key/data-key';
import { freshStack, logicalIdOf } from '../../helpers/constructs';

function keyStack(props?: DataKeyProps) {
  const stack = freshStack();
  const dataKey = new DataKey(stack, 'DataKey', props);
  return { stack, dataKey, template: Template.fromStack(stack) };
}

describe('DataKey with its defaults', () => {
  const { dataKey, template } = keyStack();

  test('exposes the one key it creates', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual([logicalIdOf(dataKey.key)]);
  });

  test('rotates yearly and waits the default 7 days before deletion', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, PendingWindowInDays: 7 });
  });

  test('removalPolicy defaults to RETAIN', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0];
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
  });

  test("lets CloudWatch Logs of this region use it, only for this account's log groups", () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchLogsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
            Resource: '*',
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*'],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
  });
});

describe('DataKey props', () => {
  test('removalPolicy DESTROY schedules the key for deletion on cdk destroy', () => {
    const key = Object.values(keyStack({ removalPolicy: cdk.RemovalPolicy.DESTROY }).template.findResources('AWS::KMS::Key'))[0];
    expect(key.DeletionPolicy).toBe('Delete');
  });

  test.each([7, 30])('a pendingWindow of %d days is the deletion window', (days) => {
    keyStack({ pendingWindow: cdk.Duration.days(days) }).template.hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: days });
  });

  test.each([6, 31])('a pendingWindow of %d days is refused with the allowed range', (days) => {
    expect(() => keyStack({ pendingWindow: cdk.Duration.days(days) })).toThrow(
      `DataKey pendingWindow must be between 7 and 30 days (got ${days})`,
    );
  });
});
