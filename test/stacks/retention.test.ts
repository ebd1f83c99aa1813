import { synthStage } from '../helpers/app';

/** Resource types that hold data or its metadata: what `retainData` must keep in prod. */
const STATEFUL_TYPES = [
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::Kinesis::Stream',
  'AWS::Glue::Database',
  'AWS::Athena::WorkGroup',
  'AWS::Glue::SecurityConfiguration',
  'AWS::MSK::Cluster',
  'AWS::MSK::Configuration',
  'AWS::MSK::Topic',
];

function statefulResources(stage: 'dev' | 'prod') {
  const { templates } = synthStage(stage);
  return Object.entries(templates).flatMap(([stack, template]) =>
    Object.entries(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }>)
      .filter(([, resource]) => STATEFUL_TYPES.includes(resource.Type))
      .map(([id, resource]) => ({ where: `${stack}/${id} (${resource.Type})`, deletion: resource.DeletionPolicy, replace: resource.UpdateReplacePolicy })),
  );
}

describe('retainData reaches every stack', () => {
  test('prod: every log group, bucket, key, stream and catalog object in every stack is retained on cdk destroy', () => {
    const resources = statefulResources('prod');
    expect(resources.length).toBeGreaterThan(10);
    expect(resources.filter((r) => r.deletion !== 'Retain' || r.replace !== 'Retain').map((r) => r.where)).toEqual([]);
  });

  test('dev: every one of them is deleted', () => {
    const resources = statefulResources('dev');
    expect(resources.filter((r) => r.deletion !== 'Delete').map((r) => r.where)).toEqual([]);
  });
});
