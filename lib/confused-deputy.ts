/**
 * Confused-deputy conditions on every service role of the app, in one place: an aspect that finds each
 * IAM role a service principal may assume and adds the condition AWS documents for that service, so a
 * service acting for another account cannot be tricked into assuming this account's roles.
 *
 * A role for a service that is not listed here fails synth: a new service role must be classified.
 */
import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

type Conditions = Record<string, Record<string, unknown>>;

/**
 * Per service principal: the trust-policy conditions it gets, or why it gets none. Only what the service's
 * own documentation gives: a positive condition on a key the service does not send is false, and then every
 * AssumeRole is refused (the role works in no emulator check and fails on the first real call).
 */
export const SERVICE_TRUST_CONDITIONS: Readonly<
  Record<string, { readonly conditions?: (stack: cdk.Stack) => Conditions; readonly page: string; readonly none?: string }>
> = {
  // sts:ExternalId = the account ID for roles Firehose assumes.
  'firehose.amazonaws.com': {
    page: 'Amazon Data Firehose, "Grant Firehose access to an Amazon S3 destination", https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3',
    conditions: (stack) => ({ StringEquals: { 'sts:ExternalId': stack.account } }),
  },
  'glue.amazonaws.com': {
    page: 'AWS Glue, "Step 2: Create an IAM role for AWS Glue", https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html',
    none: 'Glue documents its job role with the bare service principal and no source condition key; Glue is not shown to send aws:SourceAccount or aws:SourceArn when it assumes a job role, so a condition on them could refuse every run.',
  },
  // Both keys, the source ARN being this account's flow logs.
  'vpc-flow-logs.amazonaws.com': {
    page: 'Amazon VPC, "IAM role for publishing flow logs to CloudWatch Logs", https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html',
    conditions: (stack) => ({
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }) },
    }),
  },
  // Both keys, the source ARN being any of this account's Managed Service for Apache Flink resources in the region
  // (the application's name is generated, so its ARN is not known before it exists).
  'kinesisanalytics.amazonaws.com': {
    page: 'Managed Service for Apache Flink, "Cross-service confused deputy prevention", https://docs.aws.amazon.com/managed-flink/latest/java/iam-cross-service-confused-deputy-prevention.html',
    conditions: (stack) => ({
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:kinesisanalytics:${stack.region}:${stack.account}:*` },
    }),
  },
  // Both keys, the source ARN being any of this account's state machines in the region: the Provider framework's
  // waiter state machine has a generated name, so its ARN is not known before it exists.
  'states.amazonaws.com': {
    page: 'AWS Step Functions, "Creating an IAM role for your state machine", https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html',
    conditions: (stack) => ({
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:states:${stack.region}:${stack.account}:stateMachine:*` },
    }),
  },
  'lambda.amazonaws.com': {
    page: 'AWS Lambda, "Defining Lambda function permissions with an execution role", https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html',
    none: 'Lambda assumes an execution role only for functions of the account that passed it; it documents no source condition for execution roles.',
  },
  'ec2.amazonaws.com': {
    page: 'Amazon EC2, "IAM roles for Amazon EC2", https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html',
    none: 'EC2 assumes an instance role only for instances of the account whose profile holds it; it documents no source condition for instance roles.',
  },
};

export class ConfusedDeputyConditions implements cdk.IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnRole)) return;
    const stack = cdk.Stack.of(node);
    const document = stack.resolve(node.assumeRolePolicyDocument) as {
      Statement?: Array<{ Principal?: { Service?: unknown }; Condition?: unknown }>;
    };
    (document.Statement ?? []).forEach((statement, index) => {
      for (const service of ([] as unknown[]).concat(statement.Principal?.Service ?? [])) {
        if (typeof service !== 'string') continue;
        const rule = SERVICE_TRUST_CONDITIONS[service];
        if (!rule) {
          cdk.Annotations.of(node).addError(
            `Role trusts ${service}, which lib/confused-deputy.ts does not classify: add its confused-deputy conditions (or why it has none).`,
          );
          continue;
        }
        if (rule.conditions && statement.Condition === undefined) {
          node.addPropertyOverride(`AssumeRolePolicyDocument.Statement.${index}.Condition`, rule.conditions(stack));
        }
      }
    });
  }
}
