/** The lake's record schema (schema/log-record.schema.json) compiled once, for checking what landed. */
import * as fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { RECORD_SCHEMA_PATH } from './project-paths';

export type RecordValidator = (record: unknown) => string[];

/**
 * Returns a function that lists a record's schema violations (empty when valid). `customFormats` are
 * accepted as `format` besides the schema's built-ins, as the Glue job accepts its --custom_formats.
 */
export function recordValidator(customFormats: readonly string[] = []): RecordValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const schema = JSON.parse(fs.readFileSync(RECORD_SCHEMA_PATH, 'utf8')) as { properties: { format: { enum: string[] } } };
  schema.properties.format.enum.push(...customFormats);
  const validate = ajv.compile(schema);
  return (record) => (validate(record) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`));
}
