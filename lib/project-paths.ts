/** Where the project's own files are, for the CDK app, the local tools and the tests alike. */
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** The one record schema (JSON Schema) that the Lambdas, the Glue job, the tables and the tests share. */
export const RECORD_SCHEMA_PATH = path.join(PROJECT_ROOT, 'schema', 'log-record.schema.json');

/** The names of the counts each Glue run publishes, shared by the job and the CDK app (contracts/glue-run-metrics.ts). */
export const GLUE_RUN_METRICS_PATH = path.join(PROJECT_ROOT, 'contracts', 'glue-run-metrics.json');
