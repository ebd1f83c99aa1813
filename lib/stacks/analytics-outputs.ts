/**
 * The Analytics stack's output keys, in one place: the stack declares them and `npm run verify --curated`
 * reads them (CDK-free, so the CLI does not load aws-cdk-lib for four strings).
 */
export const ANALYTICS_OUTPUTS = {
  glueJobName: 'GlueJobName',
  database: 'GlueDatabaseName',
  curatedTable: 'CuratedTableName',
  workGroup: 'AthenaWorkGroupName',
} as const;
