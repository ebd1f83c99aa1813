import * as fs from 'node:fs';
import { LOG_FORMATS } from '../../generator/log-lines';
import { LOG_RECORD_FIELDS, RECORD_FORMATS, RECORD_SOURCES, REQUIRED_RECORD_FIELDS, type LogRecord } from '../../contracts/record';
import { serializeRecord, toLogRecord } from '../../lambda/shared/serialize';
import { parseLine } from '../../lambda/shared/parsers';
import { SCHEMA_PATH, recordSchema, schemaErrors } from './helpers/schema';

describe('record.ts matches schema/log-record.schema.json', () => {
  test('same fields, in the order of the schema; the same required fields', () => {
    expect([...LOG_RECORD_FIELDS]).toEqual(Object.keys(recordSchema.properties));
    expect([...REQUIRED_RECORD_FIELDS]).toEqual(recordSchema.required);
    expect(LOG_RECORD_FIELDS.slice(0, REQUIRED_RECORD_FIELDS.length)).toEqual([...REQUIRED_RECORD_FIELDS]);
  });

  test('same formats and sources; the generator writes every format but unparsed', () => {
    expect([...RECORD_FORMATS]).toEqual(recordSchema.properties.format.enum);
    expect([...RECORD_SOURCES]).toEqual(recordSchema.properties.source.enum);
    expect([...LOG_FORMATS]).toEqual(RECORD_FORMATS.filter((f) => f !== 'unparsed'));
  });

  test('LogRecord has exactly the schema fields (compile-time check through a full literal)', () => {
    const record: Required<LogRecord> = {
      event_id: '0'.repeat(32),
      source: 'kafka',
      format: 'unparsed',
      timestamp: '2026-01-01T00:00:00.000Z',
      ingested_at: '2026-01-01T00:00:00.000Z',
      host: null,
      client_ip: null,
      user: null,
      method: null,
      path: null,
      protocol: null,
      status: null,
      bytes: null,
      referrer: null,
      user_agent: null,
      severity: null,
      facility: null,
      app: null,
      proc_id: null,
      message: null,
      attributes: null,
      raw: 'x',
    };
    expect(Object.keys(record)).toEqual(Object.keys(recordSchema.properties));
    expect(schemaErrors(record)).toEqual([]);
    expect(fs.existsSync(SCHEMA_PATH)).toBe(true);
  });

  test('a record with only the required fields is valid, and so is one with explicit nulls', () => {
    const base = {
      event_id: 'f'.repeat(32),
      source: 'kinesis',
      format: 'json',
      timestamp: '2026-01-01T00:00:00.000Z',
      ingested_at: '2026-01-01T00:00:00.000Z',
    };
    expect(schemaErrors(base)).toEqual([]);
    expect(schemaErrors({ ...base, host: null, attributes: null })).toEqual([]);
  });

  test('serializeRecord and JSON.stringify(toLogRecord) give the same text', () => {
    for (const line of [
      '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /\\"x HTTP/1.0" 200 2326',
      '{"level":"info","msg":"a\\tb","x":{"y":1},"__proto__":"p"}',
      '<14>1 - h a p m [x@1 k="v"] m',
      'raw "text"',
    ]) {
      const parsed = parseLine(line, Date.UTC(2026, 0, 1));
      const args = ['a'.repeat(32), 'kafka', '2026-01-01T00:00:00.000Z', parsed] as const;
      expect(serializeRecord(...args)).toBe(JSON.stringify(toLogRecord(...args)));
    }
  });
});
