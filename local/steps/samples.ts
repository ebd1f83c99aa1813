/**
 * The summary's last section: a few records of each format as they landed, as JSON, read from the raw objects
 * the run kept on disk (<dir>/lake/raw/, the copy of the emulated bucket the Glue step made). One per path
 * first, so both paths show; strings longer than SAMPLE_STRING_MAX are shortened for the screen (the lake
 * keeps them whole: npm run query shows them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { filesUnder } from '../log-files';
import type { LocalStep } from './step';
import { displayPath } from '../display-path';

export const SAMPLES_PER_FORMAT = 2;
const SAMPLE_STRING_MAX = 160;

export const samplesStep: LocalStep = {
  name: 'samples',
  async run(context) {
    const rawDir = path.join(context.workDir, 'lake', 'raw');
    if (!fs.existsSync(rawDir)) return Promise.resolve({ report: [], failures: [] });
    const samples = sampleRecords(rawDir, SAMPLES_PER_FORMAT);
    const report: string[] = [`records as they landed (${SAMPLES_PER_FORMAT} per format; from ${displayPath(rawDir)}/):`];
    for (const [format, records] of Object.entries(samples).sort(([a], [b]) =>
      a === 'unparsed' ? 1 : b === 'unparsed' ? -1 : a.localeCompare(b),
    )) {
      report.push(`  ${format}:`, ...records.map((r) => `    ${JSON.stringify(shorten(r))}`));
    }
    return Promise.resolve({ report, failures: [] });
  },
};

/**
 * Up to `perFormat` raw records of each format under `rawDir` (gzip JSON lines, as Firehose and the consumer
 * write them), taken from each source in turn. Reads one object at a time.
 */
export function sampleRecords(rawDir: string, perFormat: number): Record<string, Record<string, unknown>[]> {
  // Up to perFormat of each format from each source, then interleaved: one from each path first.
  const perSource = new Map<string, Map<string, Record<string, unknown>[]>>();
  for (const file of filesUnder(rawDir)) {
    const source = /(?:^|\/)source=([^/]+)\//.exec(path.relative(rawDir, file).split(path.sep).join('/'))?.[1] ?? 'unknown';
    for (const line of gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n')) {
      if (line === '') continue;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue; // the kinesis step reports a raw line that is not JSON
      }
      const byFormat = perSource.get(String(record.format)) ?? new Map<string, Record<string, unknown>[]>();
      perSource.set(String(record.format), byFormat);
      const kept = byFormat.get(source) ?? [];
      byFormat.set(source, kept);
      if (kept.length < perFormat) kept.push(record);
    }
  }
  const picked: Record<string, Record<string, unknown>[]> = {};
  for (const [format, bySource] of perSource) {
    const lists = [...bySource.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, records]) => records);
    const out: Record<string, unknown>[] = [];
    for (let i = 0; out.length < perFormat && lists.some((l) => i < l.length); i++) {
      for (const list of lists) if (i < list.length && out.length < perFormat) out.push(list[i]);
    }
    picked[format] = out;
  }
  return picked;
}

function shorten(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) =>
      typeof value === 'string' && value.length > SAMPLE_STRING_MAX
        ? [key, `${value.slice(0, SAMPLE_STRING_MAX)}… (${value.length.toLocaleString('en-US')} chars)`]
        : [key, value],
    ),
  );
}
