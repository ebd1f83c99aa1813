import { ANALYTICS_OUTPUTS } from '../../lib/stacks/analytics-outputs';
import { synthStage } from '../helpers/app';

// `npm run verify --curated` finds the job, the catalog and the workgroup through these outputs.
describe.each(['dev', 'prod'] as const)('analytics stack outputs (%s)', (stage) => {
  const template = synthStage(stage).templates.analytics;
  const only = (type: string) => {
    const ids = Object.keys(template.findResources(type));
    expect(ids).toHaveLength(1);
    return ids[0];
  };

  test('the Glue job, the database and the curated table, by reference', () => {
    template.hasOutput(ANALYTICS_OUTPUTS.glueJobName, { Value: { Ref: only('AWS::Glue::Job') } });
    template.hasOutput(ANALYTICS_OUTPUTS.database, { Value: { Ref: only('AWS::Glue::Database') } });
    const tables = template.findResources('AWS::Glue::Table');
    const curated = Object.keys(tables).filter((id) => id.includes('CuratedTable'));
    expect(curated).toHaveLength(1);
    template.hasOutput(ANALYTICS_OUTPUTS.curatedTable, { Value: { Ref: curated[0] } });
  });

  test('the Athena workgroup, by the name the workgroup resource has', () => {
    const [workGroup] = Object.values(template.findResources('AWS::Athena::WorkGroup')) as Array<{ Properties: { Name: string } }>;
    expect(typeof workGroup.Properties.Name).toBe('string');
    template.hasOutput(ANALYTICS_OUTPUTS.workGroup, { Value: workGroup.Properties.Name });
  });
});
