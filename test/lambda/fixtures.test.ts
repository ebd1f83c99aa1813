/**
 * schema/fixtures/ is shared with the Glue job's Python tests: the transform must reproduce the valid
 * records byte for byte, every valid record must pass the schema and every invalid one must fail it.
 * To regenerate after a deliberate output change, write transformFixtureInputs' lines to
 * valid-records.jsonl and review the diff.
 */
import * as fs from 'node:fs';
import { RECORD_FORMATS } from '../../contracts/record';
import {
  INVALID_RECORDS_PATH,
  VALID_INPUTS_PATH,
  VALID_RECORDS_PATH,
  readJsonLines,
  transformFixtureInputs,
  type FixtureInput,
} from './helpers/fixtures';
import { schemaErrors } from './helpers/schema';

const inputs = readJsonLines<FixtureInput>(VALID_INPUTS_PATH);
const validLines = fs
  .readFileSync(VALID_RECORDS_PATH, 'utf8')
  .split('\n')
  .filter((line) => line.length > 0);
const invalid = readJsonLines<{ reason: string; record: unknown }>(INVALID_RECORDS_PATH);

describe('valid-records.jsonl', () => {
  test('the transform reproduces it exactly from valid-records.input.jsonl', async () => {
    expect(await transformFixtureInputs(inputs)).toEqual(validLines);
  });

  test.each(validLines.map((line, i) => [inputs[i]?.description ?? `line ${i + 1}`, line]))(
    '%s: valid against the schema',
    (_name, line) => {
      expect(schemaErrors(JSON.parse(line))).toEqual([]);
    },
  );

  test('covers every format, unparsed included', () => {
    const formats = new Set(validLines.map((line) => (JSON.parse(line) as { format: string }).format));
    expect([...formats].sort()).toEqual([...RECORD_FORMATS].sort());
  });

  test('the file ends with a newline and has one record per input', () => {
    expect(fs.readFileSync(VALID_RECORDS_PATH, 'utf8').endsWith('}\n')).toBe(true);
    expect(validLines).toHaveLength(inputs.length);
  });
});

describe('invalid-records.jsonl', () => {
  test('has realistic cases, each with a reason', () => {
    const reasons = invalid.map((c) => c.reason);
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const expected of [
      'missing event_id',
      'status as a string',
      'unknown format',
      'extra field not in the schema',
      'timestamp without milliseconds',
    ]) {
      expect(reasons).toContain(expected);
    }
  });

  test.each(invalid.map((c) => [c.reason, c.record]))('%s: fails schema validation', (_reason, record) => {
    expect(schemaErrors(record)).not.toEqual([]);
  });
});
