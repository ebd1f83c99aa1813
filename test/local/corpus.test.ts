/**
 * The local run's default packing (issue 17's target): the corpus's Kinesis payloads, packed as the agent
 * packs them, average at least 5 KiB a record, so the run bills what a deployed agent's records bill.
 */
import { buildCorpus, DEFAULT_LINES_PER_FLUSH } from '../../local/corpus';

const KiB = 1024;

function averageRecordBytes(payloads: readonly Buffer[]): number {
  return payloads.reduce((sum, p) => sum + p.length, 0) / payloads.length;
}

test("the default corpus's Kinesis records average at least 5 KiB, a flush a record", () => {
  const corpus = buildCorpus({ lines: 5000 });
  expect(corpus.payloads).toHaveLength(5000 / DEFAULT_LINES_PER_FLUSH);
  expect(averageRecordBytes(corpus.payloads)).toBeGreaterThanOrEqual(5 * KiB);
  // Every line is in a record, once, in order.
  expect(Buffer.concat(corpus.payloads)).toEqual(Buffer.concat(corpus.lines.flatMap((line) => [line, Buffer.from('\n')])));
});

test('the generated lines alone (without the 64 KiB malformed line) still average at least 5 KiB a record', () => {
  const corpus = buildCorpus({ lines: 5000, malformed: false });
  expect(averageRecordBytes(corpus.payloads)).toBeGreaterThanOrEqual(5 * KiB);
});

test('--lines-per-record 1 (the old one line a record) is far below it', () => {
  expect(averageRecordBytes(buildCorpus({ lines: 5000, linesPerRecord: 1 }).payloads)).toBeLessThan(KiB);
});
