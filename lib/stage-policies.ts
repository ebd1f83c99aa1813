/**
 * The two stage-wide policies every stack applies, derived in one place: what `cdk destroy` does with
 * stateful resources (from `retainData`), and how long log groups keep their events (from
 * `logRetentionDays`, as the aws-cdk-lib type constructs take).
 */
import * as cdk from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';

/** RETAIN when the stage keeps its data on `cdk destroy`, DESTROY otherwise. */
export function removalPolicyFor(retainData: boolean): cdk.RemovalPolicy {
  return retainData ? cdk.RemovalPolicy.RETAIN : cdk.RemovalPolicy.DESTROY;
}

/** The RetentionDays member for a number of days; throws for a value CloudWatch Logs does not accept. */
export function logRetentionFor(days: number): logs.RetentionDays {
  const match = Object.values(logs.RetentionDays).find((value): value is logs.RetentionDays => value === days);
  if (match === undefined) throw new Error(`${days} days is not a CloudWatch Logs retention period`);
  return match;
}
