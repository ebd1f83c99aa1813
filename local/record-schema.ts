/** The lake's record schema (schema/log-record.schema.json) compiled once, for checking what landed. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { PROJECT_ROOT } from '../lib/lambda-bundling';

export const RECORD_SCHEMA_PATH = path.join(PROJECT_ROOT, 'schema', 'log-record.schema.json');

export type RecordValidator = (record: unknown) => string[];

/** Returns a function that lists a record's schema violations (empty when valid). */
export function recordValidator(): RecordValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(RECORD_SCHEMA_PATH, 'utf8')));
  return (record) => (validate(record) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`));
}
