/**
 * Pins MAX_OUTPUT_EXPANSION (contracts/limits.ts), which sizes Firehose's processor buffer: the
 * transform's output bytes over its raw input bytes, for generated corpora of every format alone (a host
 * may ship only access logs) and all formats mixed. A parser change that fattens the output fails here
 * before it can push responses over Firehose's 6 MB cap.
 */
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { generateLogLines, LOG_FORMATS, type LogFormat } from '../../generator/log-lines';
import { transformEvent } from '../../lambda/firehose-transform/transform';
import { MAX_OUTPUT_EXPANSION, maxSafeProcessorBufferMiB } from '../../contracts/limits';

const LINES_PER_RECORD = 100;

const SEEDS = [1, 2, 3];
const measured = new Map<string, Promise<number>>();

/** The output/raw ratio of one generated corpus, measured once per file: the worst-case test reuses the per-corpus measurements. */
function expansion(formats: readonly LogFormat[], seed: number): Promise<number> {
  const key = `${formats.join(',')}|${seed}`;
  let ratio = measured.get(key);
  if (ratio === undefined) measured.set(key, (ratio = measureExpansion(formats, seed)));
  return ratio;
}

async function measureExpansion(formats: readonly LogFormat[], seed: number, count = 10_000): Promise<number> {
  const lines = generateLogLines({ count, seed, formats, start: new Date(Date.UTC(2026, 10, 25)) });
  const records: FirehoseTransformationEvent['records'] = [];
  let rawBytes = 0;
  for (let i = 0; i < lines.length; i += LINES_PER_RECORD) {
    const data = Buffer.from(
      lines
        .slice(i, i + LINES_PER_RECORD)
        .map((g) => `${g.line}\n`)
        .join(''),
    );
    rawBytes += data.length;
    records.push({
      recordId: String(i),
      approximateArrivalTimestamp: Date.UTC(2026, 10, 25, 0, 5),
      data: data.toString('base64'),
      kinesisRecordMetadata: {
        shardId: 'shardId-000000000000',
        partitionKey: 'host',
        approximateArrivalTimestamp: Date.UTC(2026, 10, 25, 0, 5),
        sequenceNumber: `4965600000000000000000000000000000000000000000000${String(i).padStart(6, '0')}`,
        subsequenceNumber: '0',
      },
    });
  }
  const { response } = await transformEvent(
    { invocationId: 'x', deliveryStreamArn: 'y', region: 'z', records },
    { responseLimitBytes: Number.MAX_SAFE_INTEGER },
  );
  let outputBytes = 0;
  for (const record of response.records) {
    expect(record.result).toBe('Ok');
    outputBytes += Buffer.from(record.data!, 'base64').length;
  }
  return outputBytes / rawBytes;
}

const CORPORA: [string, readonly LogFormat[]][] = [
  ...LOG_FORMATS.map((f): [string, LogFormat[]] => [f, [f]]),
  ['all formats', LOG_FORMATS],
];

test.each(CORPORA)('output/raw bytes of a %s corpus stays within MAX_OUTPUT_EXPANSION', async (_name, formats) => {
  for (const seed of SEEDS) {
    const ratio = await expansion(formats, seed);
    expect(ratio).toBeGreaterThan(1);
    expect(ratio).toBeLessThanOrEqual(MAX_OUTPUT_EXPANSION);
  }
});

test('MAX_OUTPUT_EXPANSION is close to the measured worst case (not padded far beyond it)', async () => {
  // The worst of every corpus and seed above (18 measurements, not a 19th set of its own).
  let worst = 0;
  for (const [, formats] of CORPORA) for (const seed of SEEDS) worst = Math.max(worst, await expansion(formats, seed));
  // Rounded up to one decimal plus a little headroom: stale padding would shrink the processor buffer for nothing.
  expect(MAX_OUTPUT_EXPANSION - worst).toBeLessThan(0.4);
  expect(maxSafeProcessorBufferMiB()).toBeGreaterThanOrEqual(1);
});
