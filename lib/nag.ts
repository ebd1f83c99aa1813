/**
 * cdk-nag acknowledgments that need the synthesized form of a policy.
 *
 * cdk-nag 3 matches an IAM5 finding by its exact text, e.g.
 * `AwsSolutions-IAM5[Resource::<LakeBucket.Arn>/*]`. For a resource in another stack that text only
 * exists once CDK has turned the reference into an import, after construction. So these rules are
 * applied from a construct validation, which runs after references are resolved and before cdk-nag
 * reads the acknowledgments; each finding is still acknowledged one by one, with its reason.
 */
import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

export interface WildcardRule {
  /** Matches the finding text after `AwsSolutions-IAM5[` (e.g. `Action::s3:GetObject*`). */
  readonly finding: RegExp;
  /** Why the wildcard is acceptable here, for the reviewer. */
  readonly reason: string;
}

/** Acknowledges the IAM5 findings of the policies under `scope` that match one of `rules`. */
export function acknowledgeIamWildcards(scope: IConstruct, rules: readonly WildcardRule[]): void {
  scope.node.addValidation({
    validate: () => {
      for (const node of scope.node.findAll()) {
        for (const finding of wildcardFindings(node)) {
          const rule = rules.find((r) => r.finding.test(finding));
          if (rule) cdk.Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: rule.reason });
        }
      }
      return [];
    },
  });
}

/** The findings cdk-nag's IAM5 rule reports for a policy resource: wildcard actions and resources. */
function wildcardFindings(node: IConstruct): string[] {
  if (!(node instanceof iam.CfnPolicy)) return [];
  const document = cdk.Stack.of(node).resolve(node.policyDocument) as {
    Statement?: Array<{ Effect: string; Action: unknown; Resource: unknown }>;
  };
  const findings = new Set<string>();
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of ([] as unknown[]).concat(statement.Action)) {
      if (typeof action === 'string' && action.includes('*')) findings.add(`Action::${action}`);
    }
    for (const resource of ([] as unknown[]).concat(statement.Resource)) {
      const flat = flattenCfnReference(resource);
      if (flat.includes('*')) findings.add(`Resource::${flat}`);
    }
  }
  return [...findings];
}

/** KMS grants (`grantEncryptDecrypt`, a stream's `grantWrite`) use these action families on one key ARN. */
export const KMS_GRANT_ACTIONS: WildcardRule = {
  finding: /^Action::kms:(GenerateDataKey|ReEncrypt)\*$/,
  reason: 'CDK KMS grant: GenerateDataKey* and ReEncrypt* families on the single data key ARN only (no other key).',
};
