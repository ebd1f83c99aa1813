/**
 * The deploy rehearsal: a deploy after `cdk destroy`.
 *
 * AWS's rule: a resource destroy kept still exists, and a new resource with the same name cannot be created
 * ("Name type", AWS CloudFormation User Guide: a custom name must be unique in the account and region,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html): the next deploy
 * fails with "already exists". So no resource destroy keeps may carry a name that the next deploy gives again.
 *
 * A name is fixed when it is the same on the next deploy: literals, the account, region and stack name, and
 * references to other fixed names. Names CloudFormation generates, or that carry AWS::StackId (new for every
 * stack creation), are free again. Where a type keeps its name comes from CloudFormation's resource schemas.
 */
import { allResources, describe_, hasFixedName, keptOnDestroy, nameOf, STAGES, stageTemplates } from './redeploy-templates';

describe.each(STAGES)('%s: the deploy after destroy', (stage) => {
  const templates = stageTemplates(stage);

  test('no resource destroy keeps holds a name the next deploy would give again', () => {
    const collisions = allResources(templates)
      .filter((r) => keptOnDestroy(r.resource) && hasFixedName(templates, r))
      .map((r) => `${describe_(r)} keeps the name ${nameOf(r)}`);
    expect(collisions).toEqual([]);
  });

  test('the check sees fixed names where they are (so it can fail)', () => {
    // The MSK cluster's and the topic's names are fixed (MSK requires them); they are not kept, so they are
    // fine, but the check must recognise them as fixed, and a generated name as not.
    const fixed = allResources(templates)
      .filter((r) => hasFixedName(templates, r))
      .map((r) => r.resource.Type);
    expect(fixed).toEqual(
      expect.arrayContaining(['AWS::MSK::Cluster', 'AWS::MSK::Configuration', 'AWS::MSK::Topic', 'AWS::Athena::WorkGroup']),
    );
    expect(fixed).not.toContain('AWS::S3::Bucket');
    expect(fixed).not.toContain('AWS::KMS::Key');
  });
});
