import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ConfigError } from '../../problems';

export interface DataKeyProps {
  /**
   * What happens to the key on `cdk destroy`. A destroyed key is scheduled for deletion after the
   * pending window; everything it encrypted becomes unreadable then.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: cdk.RemovalPolicy;
  /**
   * Time between `cdk destroy` and the key's deletion, 7–30 days.
   * @default Duration.days(7)
   */
  readonly pendingWindow?: cdk.Duration;
}

/**
 * The customer-managed KMS key that encrypts the pipeline's data at rest: the stream, the lake, the log
 * groups and the Glue job's output. Rotated yearly. Its policy lets CloudWatch Logs use it for the log
 * groups of this account and region only (CloudWatch Logs needs a key-policy grant; IAM is not enough).
 */
export class DataKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DataKeyProps = {}) {
    super(scope, id);
    const pendingWindow = props.pendingWindow ?? cdk.Duration.days(7);
    const days = pendingWindow.toDays({ integral: false });
    if (!(days >= 7 && days <= 30)) {
      throw new ConfigError([`DataKey pendingWindow must be between 7 and 30 days (got ${days})`]);
    }

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the log pipeline data: stream, lake, logs, Glue output',
      enableKeyRotation: true,
      pendingWindow,
      removalPolicy: props.removalPolicy ?? cdk.RemovalPolicy.RETAIN,
    });

    const { region, account, partition } = cdk.Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'], // in a key policy, '*' means this key
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` },
        },
      }),
    );
    // The alarm topic is encrypted with this key: CloudWatch alarms and EventBridge rules publish to it,
    // and SNS needs these two actions on their behalf (an IAM grant cannot reach a service principal).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsAndRulesToPublishToTheAlarmTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // As AWS documents it for alarms and rules on encrypted topics: the service principals, no condition.
        resources: ['*'], // in a key policy, '*' means this key
      }),
    );
  }
}
