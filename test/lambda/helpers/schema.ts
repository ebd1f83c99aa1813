/** The lake's record schema, compiled once with ajv (draft 2020-12) and ajv-formats. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export const SCHEMA_PATH = path.join(__dirname, '..', '..', '..', 'schema', 'log-record.schema.json');
export const FIXTURES_DIR = path.join(__dirname, '..', '..', '..', 'schema', 'fixtures');

export const recordSchema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as {
  required: string[];
  properties: Record<string, { enum?: string[] }>;
};

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
export const validateRecord = ajv.compile(recordSchema);

/** Schema errors of a record, as readable strings ([] when valid). */
export function schemaErrors(record: unknown): string[] {
  if (validateRecord(record)) return [];
  return (validateRecord.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
