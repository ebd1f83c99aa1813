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

/** Per service principal: the trust-policy conditions it gets, or why it gets none. */
export const SERVICE_TRUST_CONDITIONS: Readonly<Record<string, { readonly conditions?: (stack: cdk.Stack) => Conditions; readonly none?: string }>> = {
  // Firehose documents sts:ExternalId = the account ID for roles it assumes ("Allow Firehose to assume an IAM role").
  'firehose.amazonaws.com': { conditions: (stack) => ({ StringEquals: { 'sts:ExternalId': stack.account } }) },
  'glue.amazonaws.com': { conditions: (stack) => ({ StringEquals: { 'aws:SourceAccount': stack.account } }) },
  // VPC Flow Logs documents both keys, the source ARN being this account's flow logs.
  'vpc-flow-logs.amazonaws.com': {
    conditions: (stack) => ({
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }) },
    }),
  },
  'lambda.amazonaws.com': { none: 'Lambda assumes an execution role only for functions of the account that passed it; it documents no source condition for execution roles.' },
  'ec2.amazonaws.com': { none: 'EC2 assumes an instance role only for instances of the account whose profile holds it; it documents no source condition for instance roles.' },
};

export class ConfusedDeputyConditions implements cdk.IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnRole)) return;
    const stack = cdk.Stack.of(node);
    const document = stack.resolve(node.assumeRolePolicyDocument) as { Statement?: Array<{ Principal?: { Service?: unknown }; Condition?: unknown }> };
    (document.Statement ?? []).forEach((statement, index) => {
      for (const service of ([] as unknown[]).concat(statement.Principal?.Service ?? [])) {
        if (typeof service !== 'string') continue;
        const rule = SERVICE_TRUST_CONDITIONS[service];
        if (!rule) {
          cdk.Annotations.of(node).addError(`Role trusts ${service}, which lib/confused-deputy.ts does not classify: add its confused-deputy conditions (or why it has none).`);
          continue;
        }
        if (rule.conditions && statement.Condition === undefined) {
          node.addPropertyOverride(`AssumeRolePolicyDocument.Statement.${index}.Condition`, rule.conditions(stack));
        }
      }
    });
  }
}
