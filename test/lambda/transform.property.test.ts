/**
 * Property tests: over random and hostile batches, the transform keeps Firehose's contract every time.
 */
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { generateLogLines } from '../../generator/log-lines';
import { STRICT_BASE64, transformEvent, type ReingestFunction } from '../../lambda/firehose-transform/transform';
import { parseLine } from '../../lambda/shared/parsers';
import { serializeRecord, toLogRecord } from '../../lambda/shared/serialize';
import { cloudWatchLogsPayload, firehoseEvent, outputLines, type RecordSpec } from './helpers/firehose-events';
import { schemaErrors } from './helpers/schema';

const SAMPLE_LINES = generateLogLines({ count: 400, seed: 11 }).map((g) => g.line);
const HOSTILE_LINES = [
  '{"a":',
  '{"__proto__":{"x":1},"constructor":"y","time":"9999-12-31T23:59:59-01:00"}',
  '{"ts":1e400,"level":{"x":[1]},"msg":null}',
  '<999>Oct 11 22:14:15 h a: x',
  '<13>Feb 29 00:00:00 h a: leap',
  '<14>1 - - - - - [a@1 x="\\"]"] m',
  '<14>1 2026-11-25T11:52:39Z h a p m [unterminated',
  '1.2.3.4 - - [31/Dec/9999:23:59:59 -1800] "GET / HTTP/1.1" 200 1',
  '1.2.3.4 - - [01/Jan/1000:00:00:00 +1800] "GET / HTTP/1.1" 200 1',
  '"\\"\\\\\u0001\u001f\u007f\u2028\u2029',
  '\uFEFF{"msg":"bom"}',
  '😀'.repeat(50),
  ' '.repeat(10),
  '\t',
];

/** One log line: generated, hostile, or arbitrary Unicode (no NUL: that makes the record binary). */
const lineArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SAMPLE_LINES) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_LINES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }).map((s) => s.split('\u0000').join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 200 }) },
);
const separatorArb = fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\r\r\n');

type RecordCase =
  | { kind: 'text'; lines: string[]; separators: string[]; trailing: boolean }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'cloudwatch'; messages: string[]; control: boolean }
  | { kind: 'gzip-garbage'; bytes: Uint8Array }
  | { kind: 'bad-base64'; text: string };

const recordArb: fc.Arbitrary<RecordCase> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        lines: fc.array(lineArb, { maxLength: 25 }),
        separators: fc.array(separatorArb, { minLength: 25, maxLength: 25 }),
        trailing: fc.boolean(),
      })
      .map((r) => ({ kind: 'text' as const, ...r })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ messages: fc.array(lineArb, { maxLength: 15 }), control: fc.boolean() })
      .map((r) => ({ kind: 'cloudwatch' as const, ...r })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.uint8Array({ maxLength: 60 }), fc.nat(30)).map(([bytes, cut]) => ({
      kind: 'gzip-garbage' as const,
      bytes: Uint8Array.from([...zlib.gzipSync(Buffer.from(bytes)).subarray(0, cut), ...bytes]),
    })),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 }).map((text) => ({ kind: 'bad-base64' as const, text })),
  },
);

function specOf(c: RecordCase): RecordSpec {
  switch (c.kind) {
    case 'text': {
      let text = '';
      c.lines.forEach((line, i) => {
        text += line + (i < c.lines.length - 1 || c.trailing ? c.separators[i] : '');
      });
      return { data: text };
    }
    case 'bytes':
    case 'gzip-garbage':
      return { data: Buffer.from(c.bytes) };
    case 'cloudwatch':
      return { data: cloudWatchLogsPayload(c.control ? 'CONTROL_MESSAGE' : 'DATA_MESSAGE', c.messages) };
    case 'bad-base64':
      return { data: '', base64: STRICT_BASE64.test(c.text) ? `${c.text}*` : c.text };
  }
}

/** The non-empty lines a text record holds, as the transform must split them. */
function linesOf(c: Extract<RecordCase, { kind: 'text' }>): string[] {
  const text = specOf(c).data as string;
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .filter((l) => l.length > 0);
}

const batchArb = fc.record({
  cases: fc.array(recordArb, { maxLength: 20 }),
  directPut: fc.boolean(),
  limit: fc.oneof(fc.constant(6_000_000), fc.integer({ min: 6_000, max: 60_000 })),
  reingestBehaviour: fc.constantFrom('all-ok', 'all-fail', 'alternate', 'throws', 'absent'),
});

function reingestFor(behaviour: string): ReingestFunction | undefined {
  if (behaviour === 'absent') return undefined;
  return async (_arn, records) => {
    if (behaviour === 'throws') throw new Error('boom');
    const reingested = new Set<string>();
    const failed = new Map<string, string>();
    records.forEach((r, i) => {
      if (behaviour === 'all-ok' || (behaviour === 'alternate' && i % 2 === 0)) reingested.add(r.recordId);
      else failed.set(r.recordId, 'InternalFailure: x');
    });
    return { reingested, failed };
  };
}

test('every batch: each recordId once, valid status and base64, Ok lines valid records, response within the cap', async () => {
  await fc.assert(
    fc.asyncProperty(batchArb, async ({ cases, directPut, limit, reingestBehaviour }) => {
      const event: FirehoseTransformationEvent = firehoseEvent(cases.map(specOf), { directPut });
      const { response, stats } = await transformEvent(event, { responseLimitBytes: limit, reingest: reingestFor(reingestBehaviour) });

      expect(response.records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
      expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(limit);
      expect(stats.okRecords + stats.droppedRecords + stats.failedRecords).toBe(event.records.length);

      response.records.forEach((out, i) => {
        const c = cases[i];
        expect(['Ok', 'Dropped', 'ProcessingFailed']).toContain(out.result);
        expect(typeof out.data).toBe('string');
        expect(STRICT_BASE64.test(out.data!)).toBe(true);
        if (out.result === 'Dropped') expect(out.data).toBe('');
        if (out.result === 'ProcessingFailed' && out.data !== '') expect(out.data).toBe(event.records[i].data);
        if (c.kind === 'bad-base64') expect(out.result).toBe('ProcessingFailed');
        if (out.result !== 'Ok') return;

        const lines = outputLines(out.data);
        for (const line of lines) {
          const record = JSON.parse(line) as { raw: string | null; format: string };
          expect(schemaErrors(record)).toEqual([]);
        }
        if (c.kind === 'text') {
          // Nothing lost: one record per non-empty line, unparsed lines kept verbatim.
          const expected = linesOf(c);
          expect(lines).toHaveLength(expected.length);
          lines.forEach((line, j) => {
            const record = JSON.parse(line) as { raw: string | null; format: string };
            if (record.format === 'unparsed') expect(record.raw).toBe(expected[j]);
          });
        }
        if (c.kind === 'cloudwatch') expect(c.control).toBe(false);
      });
      // A text record can only fail for lack of room (or, in Direct PUT / failed re-ingest, overflow).
      response.records.forEach((out, i) => {
        if (cases[i].kind === 'text' && out.result === 'Dropped') {
          expect(linesOf(cases[i] as Extract<RecordCase, { kind: 'text' }>).length === 0 || reingestBehaviour !== 'absent').toBe(true);
        }
      });
    }),
    { numRuns: 300 },
  );
});

test('parsing never throws and always yields a schema-valid record, for any string', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (line) => {
      const event = firehoseEvent([line.split('\u0000').join(' ')]);
      const { response } = await transformEvent(event);
      const out = response.records[0];
      if (out.result === 'Ok') {
        for (const l of outputLines(out.data)) expect(schemaErrors(JSON.parse(l))).toEqual([]);
      } else {
        expect(out.result).toBe('Dropped');
      }
    }),
    { numRuns: 1000 },
  );
});

test('the fast serializer writes exactly what JSON.stringify writes, for any field content (lone surrogates too)', () => {
  const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 30 });
  const token = anyUtf16.map((s) => s.replace(/[\s\]"]/g, '') || 'x');
  const lineArb = fc.oneof(
    fc
      .tuple(token, token, anyUtf16, anyUtf16)
      .map(
        ([ip, user, path, agent]) =>
          `${ip} - ${user} [10/Oct/2000:13:55:36 -0700] "GET /${path.replace(/[\s"\\]/g, '')} HTTP/1.0" 200 1 "-" "${agent.replace(/["\\]/g, '')}"`,
      ),
    fc.tuple(token, anyUtf16).map(([host, msg]) => `<13>Oct 11 22:14:15 ${host} app[1]: ${msg}`),
    fc
      .tuple(token, anyUtf16)
      .map(([app, msg]) => `<14>1 2026-11-25T11:52:39Z h ${app} - - [x@1 k="${msg.replace(/["\\\]]/g, '')}"] ${msg}`),
    fc
      .dictionary(anyUtf16, fc.oneof(anyUtf16, fc.integer(), fc.constant(null), fc.array(anyUtf16, { maxLength: 2 })))
      .map((o) => JSON.stringify(o)),
    fc.tuple(anyUtf16, anyUtf16).map(([msg, level]) => `{"msg":${JSON.stringify(msg)},"level":${JSON.stringify(level)},"app":{"a":1}}`),
    anyUtf16,
  );
  fc.assert(
    fc.property(lineArb, (line) => {
      const parsed = parseLine(line, Date.UTC(2026, 10, 25));
      const args = ['0123456789abcdef0123456789abcdef', 'kinesis', '2026-11-25T00:00:00.000Z', parsed] as const;
      expect(serializeRecord(...args)).toBe(JSON.stringify(toLogRecord(...args)));
    }),
    { numRuns: 3000 },
  );
});
