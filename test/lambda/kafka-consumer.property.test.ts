/**
 * Property tests: over random and hostile MSK events the consumer accounts for every record exactly once
 * (lines in raw/, an error line under errors/, or dropped with nothing to keep), writes only schema-valid
 * records, answers failed writes with identifiers the mapping accepts, and never throws on bad data.
 */
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { generateLogLines } from '../../generator/log-lines';
import { deliverPlan, planBatch, UnretriableWriteError, type KafkaErrorRecord } from '../../lambda/kafka-consumer/consume';
import { kafkaEventId } from '../../lambda/shared/event-id';
import { schemaErrors } from './helpers/schema';

const SAMPLE_LINES = generateLogLines({ count: 300, seed: 21 }).map((g) => g.line);

/** A record value: generated lines, random bytes (bad UTF-8, NUL, gzip magic), bad base64, null, wrong types. */
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(fc.constantFrom(...SAMPLE_LINES), { maxLength: 6 })
      .map((lines) => Buffer.from(lines.join('\n')).toString('base64')),
  },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from([0x1f, 0x8b, ...bytes]).toString('base64')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((s) => Buffer.from(s).toString('base64')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, 42, {}, [], true) },
);

const offsetArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('seq') },
  { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, Number.NaN, null, undefined, '12', 'x', 2 ** 60) },
);

const timestampArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: Date.UTC(2026, 10, 29), max: Date.UTC(2026, 11, 2) }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, -1e20, 'now', Number.POSITIVE_INFINITY) },
);

const recordArb = fc.record({
  value: valueArb,
  offset: offsetArb,
  timestamp: timestampArb,
  key: fc.option(fc.base64String({ maxLength: 12 })),
  headerCount: fc.nat(2),
});
const partitionArb = fc.oneof(
  { weight: 10, arbitrary: fc.array(recordArb, { maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom('x', null, 7) },
);
const eventArb = fc.dictionary(
  fc.oneof(fc.constantFrom('logs-0', 'logs-1', 'app.events-12', 'a-b-c-3'), fc.string({ maxLength: 12 })),
  partitionArb,
  { maxKeys: 4 },
);

function buildEvent(spec: Record<string, unknown>): { event: unknown; inputRecords: number } {
  let inputRecords = 0;
  // Null prototype: a generated key may be '__proto__', which a real event (parsed JSON) holds as an own key.
  const records: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(spec)) {
    if (!Array.isArray(value)) {
      records[key] = value;
      continue;
    }
    // Above the fixed hostile offsets, so offsets stay unique within a partition as in a real event.
    let next = 1000;
    const used = new Set<unknown>();
    records[key] = value.map((r: { value: unknown; offset: unknown; timestamp: unknown; key: string | null; headerCount: number }) => {
      inputRecords++;
      // A hostile offset may repeat in the generated list; a real partition never repeats one.
      const offset = r.offset === 'seq' || used.has(String(r.offset)) ? next++ : r.offset;
      used.add(String(offset));
      return {
        topic: key.slice(0, Math.max(0, key.lastIndexOf('-'))),
        partition: Number(key.slice(key.lastIndexOf('-') + 1)) || 0,
        offset,
        timestamp: r.timestamp,
        timestampType: 'CREATE_TIME',
        key: r.key,
        value: r.value,
        headers: Array.from({ length: r.headerCount }, (_, i) => ({ [`h${i}`]: [104, 105] })),
      };
    });
  }
  return { event: { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/1', records }, inputRecords };
}

function jsonLines(body: Buffer): Record<string, unknown>[] {
  return zlib
    .gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('every record accounted for exactly once, schema-valid output, no throw', () => {
  fc.assert(
    fc.property(eventArb, (spec) => {
      const { event, inputRecords } = buildEvent(spec);
      const plan = planBatch(event);
      const outcomes = plan.partitions.flatMap((p) => p.outcomes);
      expect(outcomes).toHaveLength(inputRecords);
      expect(plan.stats.okRecords + plan.stats.droppedRecords + plan.stats.failedRecords).toBe(inputRecords);

      for (const partition of plan.partitions) {
        const failed = partition.outcomes.filter((o) => o.kind === 'failed').length;
        const lines = partition.outcomes.reduce((sum, o) => sum + (o.kind === 'lines' ? o.lines : 0), 0);
        const objects = partition.groups.flatMap((g) => g.objects);
        const raw = objects.filter((o) => o.kind === 'raw').flatMap((o) => jsonLines(o.body));
        const errors = objects.filter((o) => o.kind === 'error').flatMap((o) => jsonLines(o.body)) as unknown as KafkaErrorRecord[];
        expect(raw).toHaveLength(lines);
        expect(errors).toHaveLength(failed);
        expect(partition.groups.reduce((sum, g) => sum + g.records, 0)).toBe(partition.outcomes.length);
        for (const record of raw) {
          expect(schemaErrors(record)).toEqual([]);
          expect(record.source).toBe('kafka');
        }
        expect(new Set(raw.map((r) => r.event_id)).size).toBe(raw.length);
        for (const error of errors) {
          expect(typeof error.errorCode).toBe('string');
          expect(() => Buffer.from(error.rawData, 'base64')).not.toThrow();
          expect(error.partitionKey).toBe(partition.partitionKey);
        }
        for (const object of objects) {
          expect(object.key).toMatch(
            /^(raw\/source=kafka|errors\/kafka-consumer-failed)\/dt=\d{4}-\d{2}-\d{2}\/[A-Za-z0-9._-]+-[0-9a-z-]+\.gz$/,
          );
        }
      }
    }),
    { numRuns: 150 },
  );
});

test('event ids follow topic, partition, offset and line index', () => {
  const lines = SAMPLE_LINES.slice(0, 3).join('\n');
  const plan = planBatch({
    records: {
      'logs-4': [
        { topic: 'logs', partition: 4, offset: 77, timestamp: Date.UTC(2026, 10, 30), value: Buffer.from(lines).toString('base64') },
      ],
    },
  });
  const raw = jsonLines(plan.partitions[0].groups[0].objects[0].body);
  expect(raw.map((r) => r.event_id)).toEqual([0, 1, 2].map((i) => kafkaEventId('logs', 4, 77, i)));
});

test("a partition key of '__proto__' (a legal topic name) is a partition like any other", () => {
  const value = Buffer.from(SAMPLE_LINES[0]).toString('base64');
  const event: unknown = JSON.parse(
    JSON.stringify({
      records: { '__proto__-0': [{ topic: '__proto__', partition: 0, offset: 1, timestamp: Date.UTC(2026, 10, 30), value }] },
    }).replace('"__proto__-0"', '"__proto__"'),
  );
  const plan = planBatch(event);
  expect(plan.partitions.map((p) => p.partitionKey)).toEqual(['__proto__']);
  expect(plan.stats.okRecords + plan.stats.droppedRecords + plan.stats.failedRecords).toBe(1);
});

test('failed writes: identifiers name a partition and an offset of the event, at most one per partition', async () => {
  await fc.assert(
    fc.asyncProperty(eventArb, fc.func(fc.boolean()), async (spec, fails) => {
      const { event } = buildEvent(spec);
      const plan = planBatch(event);
      try {
        const outcome = await deliverPlan(plan, async (object) => {
          if (fails(object.key)) throw new Error('SlowDown');
        });
        const seen = new Set<string>();
        for (const { itemIdentifier } of outcome.response.batchItemFailures) {
          const partition = plan.partitions.find((p) => p.partitionKey === itemIdentifier.partition);
          expect(partition).toBeDefined();
          expect(partition!.groups.map((g) => g.firstOffset)).toContain(itemIdentifier.offset);
          expect(seen.has(itemIdentifier.partition)).toBe(false);
          seen.add(itemIdentifier.partition);
        }
        expect(outcome.writeFailures).toHaveLength(outcome.response.batchItemFailures.length);
      } catch (error) {
        // Only a group of records that all lacked an offset cannot be named; then the whole batch retries.
        expect(error).toBeInstanceOf(UnretriableWriteError);
        expect(plan.partitions.some((p) => p.groups.some((g) => g.firstOffset === null))).toBe(true);
      }
    }),
    { numRuns: 100 },
  );
});
