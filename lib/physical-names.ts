/**
 * Physical names that follow what CloudFormation needs of them.
 *
 * A resource with a custom name cannot be replaced: CloudFormation creates the replacement before it deletes
 * the old one, and the name is taken ("If you specify a name, you cannot perform updates that require
 * replacement of this resource"; AWS CloudFormation User Guide, "Name type",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html). So a name that
 * must be given (MSK requires one) carries a fingerprint of the values whose change forces replacement: a
 * change of one of them is a new name, and the replacement goes through.
 */
import { createHash } from 'node:crypto';
import * as cdk from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * `<base>-<8 hex>`: the construct's unique name (at most `maxLength` characters, `separator` '-') with a
 * fingerprint of `replacementValues` as they resolve in the template (tokens resolve to their intrinsics,
 * so a subnet list of three references differs from one of two).
 */
export function nameThatChangesWith(scope: Construct, replacementValues: unknown, maxLength: number): string {
  const resolved = JSON.stringify(cdk.Stack.of(scope).resolve(replacementValues));
  const fingerprint = createHash('sha256').update(resolved).digest('hex').slice(0, 8);
  const base = cdk.Names.uniqueResourceName(scope, { maxLength: maxLength - fingerprint.length - 1, separator: '-' });
  return `${base}-${fingerprint}`;
}

/**
 * The UUID of the stack's current incarnation (the last part of AWS::StackId): stable across updates, new
 * when the stack is created again after `cdk destroy`. A name that must be known (Glue 5.0 log groups)
 * but is retained on destroy carries it, so the next deploy's name is free.
 */
export function stackCreationId(): string {
  return cdk.Fn.select(2, cdk.Fn.split('/', cdk.Aws.STACK_ID));
}
