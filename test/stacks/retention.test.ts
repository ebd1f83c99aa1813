import { synthStage } from '../helpers/app';

/** Resource types that hold data: what `retainData` must keep in prod (README, "What prod keeps"). */
const DATA_TYPES = ['AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::KMS::Key'];

/**
 * Types deleted on destroy in every stage: rebuilt from the code (catalog, workgroup, security configuration)
 * or transient (the cluster and its topics, the Kinesis stream: the lake has every record; a kept stream would
 * bill its shard-hours). Retained, they would use what destroy
 * deletes (the cluster's subnets and security group) or collide by name with the next deploy
 * (test/deploy/destroy-closure.test.ts and redeploy-names.test.ts check that rule on every resource).
 */
const REBUILT_TYPES = [
  'AWS::Glue::Database',
  'AWS::Glue::Table',
  'AWS::Athena::WorkGroup',
  'AWS::Glue::SecurityConfiguration',
  'AWS::MSK::Cluster',
  'AWS::MSK::Configuration',
  'AWS::MSK::Topic',
  'AWS::Kinesis::Stream',
];

function resourcesOf(stage: 'dev' | 'prod', types: readonly string[]) {
  const { templates } = synthStage(stage);
  return Object.entries(templates).flatMap(([stack, template]) =>
    Object.entries(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }>)
      .filter(([, resource]) => types.includes(resource.Type))
      .map(([id, resource]) => ({
        where: `${stack}/${id} (${resource.Type})`,
        deletion: resource.DeletionPolicy ?? 'Delete',
        replace: resource.UpdateReplacePolicy,
      })),
  );
}

describe('retainData reaches every stack', () => {
  test('prod: every log group, bucket and key in every stack is retained on cdk destroy', () => {
    const resources = resourcesOf('prod', DATA_TYPES);
    expect(resources.length).toBeGreaterThan(10);
    expect(resources.filter((r) => r.deletion !== 'Retain' || r.replace !== 'Retain').map((r) => r.where)).toEqual([]);
  });

  test('dev: every one of them is deleted', () => {
    const resources = resourcesOf('dev', DATA_TYPES);
    expect(resources.filter((r) => r.deletion !== 'Delete').map((r) => r.where)).toEqual([]);
  });

  test.each(['dev', 'prod'] as const)('%s: the catalog, workgroup, security configuration and MSK resources are deleted', (stage) => {
    const resources = resourcesOf(stage, REBUILT_TYPES);
    expect(new Set(resources.map((r) => r.where.replace(/^.*\((.*)\)$/, '$1')))).toEqual(new Set(REBUILT_TYPES));
    expect(resources.filter((r) => r.deletion !== 'Delete').map((r) => r.where)).toEqual([]);
  });
});
