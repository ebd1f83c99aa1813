/**
 * The deploy rehearsal: `cdk destroy`.
 *
 * AWS's rule: CloudFormation deletes a stack's resources except those whose DeletionPolicy keeps them, and it
 * cannot delete a resource that a kept one still uses (a security group or subnet held by a retained MSK
 * cluster's network interfaces): the delete fails (DELETE_FAILED) and the stack stays. So whatever a kept
 * resource uses must be kept too ("DeletionPolicy attribute", AWS CloudFormation User Guide,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html).
 *
 * "Uses" is read from the templates: every Ref, Fn::GetAtt and Fn::Sub of a kept resource's properties, and
 * every Fn::GetStackOutput and Fn::ImportValue followed to the resource behind the other stack's output.
 */
import { allResources, describe_, keptOnDestroy, referencedResources, STAGES, stageTemplates } from './redeploy-templates';

describe.each(STAGES)('%s: cdk destroy', (stage) => {
  const templates = stageTemplates(stage);
  const resources = allResources(templates);

  test('no resource destroy keeps uses a resource destroy deletes, in its own stack or another', () => {
    const kept = resources.filter((r) => keptOnDestroy(r.resource));
    const broken = kept.flatMap((r) =>
      referencedResources(templates, r.stack, r.resource.Properties)
        .filter((used) => !keptOnDestroy(used.resource))
        .map((used) => `${describe_(r)} uses ${describe_(used)}, which destroy deletes`),
    );
    expect(broken).toEqual([]);
  });

  test('the walk sees references across stacks (a kept resource reading another stack is followed there)', () => {
    // Guards the check above against passing by reading nothing: the consumer mapping reads the cluster and the
    // log groups read the key, both through other stacks' outputs.
    const crossStack = resources.flatMap((r) =>
      referencedResources(templates, r.stack, r.resource.Properties).filter((used) => used.stack !== r.stack),
    );
    expect(crossStack.some((used) => used.resource.Type === 'AWS::KMS::Key')).toBe(true);
    expect(crossStack.some((used) => used.resource.Type === 'AWS::MSK::Cluster')).toBe(true);
  });
});

test('prod keeps its data on destroy (the key, the buckets, the log groups); dev keeps nothing', () => {
  const kept = (stage: 'dev' | 'prod') =>
    new Set(
      allResources(stageTemplates(stage))
        .filter((r) => keptOnDestroy(r.resource))
        .map((r) => r.resource.Type),
    );
  expect(kept('dev')).toEqual(new Set());
  expect([...kept('prod')].sort()).toEqual(['AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::Logs::LogStream', 'AWS::S3::Bucket']);
});
