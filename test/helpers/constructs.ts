/**
 * Testing one construct on its own, as aws-cdk's construct tests do: a fresh stack, the construct, and
 * assertions on the resources it is known by (its public readonly fields), not on guessed logical IDs.
 */
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { projectApp } from './app';

/**
 * A stack of its own in a project app. Stacks of one app share its asset cache, so a Lambda is bundled
 * once per app: a test file that bundles builds all its stacks in one app, then reads their templates
 * (synthesis covers the whole app, which must not change after it).
 */
export function freshStack(app: cdk.App = projectApp(), id = 'TestStack', props: cdk.StackProps = {}): cdk.Stack {
  return new cdk.Stack(app, id, props);
}

/** Logical ID of the CloudFormation resource behind an L2 construct (its default child). */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof cdk.CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource as its default child`);
  return cdk.Stack.of(construct).getLogicalId(resource);
}

/** The template entry (Type, Properties, DeletionPolicy, ...) of an L2 construct's resource. */
export function resourceOf(template: Template, construct: IConstruct): ReturnType<Template['findResources']>[string] {
  const resource = template.toJSON().Resources[logicalIdOf(construct)];
  if (resource === undefined) throw new Error(`${construct.node.path} is not in this template`);
  return resource;
}

/** A log group encrypted with `encryptionKey`, keeping events `retentionDays`, kept or deleted on `cdk destroy`. */
export function expectLogGroup(
  template: Template,
  group: logs.ILogGroup,
  expected: { encryptionKey: kms.IKey; retentionDays: number; removalPolicy: cdk.RemovalPolicy },
): void {
  const resource = resourceOf(template, group);
  expect(resource.Properties).toEqual({
    KmsKeyId: cdk.Stack.of(group).resolve(expected.encryptionKey.keyArn),
    RetentionInDays: expected.retentionDays,
  });
  const policy = expected.removalPolicy === cdk.RemovalPolicy.DESTROY ? 'Delete' : 'Retain';
  expect(resource.DeletionPolicy).toBe(policy);
  expect(resource.UpdateReplacePolicy).toBe(policy);
}
