/**
 * Reads lake objects written since a moment and returns their records: the part of `npm run verify` that
 * talks to S3, run unchanged against moto in the integration test.
 */
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { FoundRecord } from './markers';

/** `dt=` partitions (UTC) from `sinceMs` to `untilMs`, one per day. */
export function dtPartitions(sinceMs: number, untilMs: number): string[] {
  const days: string[] = [];
  const day = 86_400_000;
  for (let t = Math.floor(sinceMs / day) * day; t <= untilMs; t += day) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export interface LakeRead {
  readonly records: FoundRecord[];
  /** Firehose error records (under errors/) whose source data carries `needle`. */
  readonly errorRecords: number;
  readonly objectsRead: number;
  readonly problems: string[];
}

/**
 * Every record of objects under `prefixes` (each ending in `dt=`) for the days since `sinceMs`, written at
 * or after `sinceMs`. Objects already read (by key) are skipped via `seen`, so polling stays cheap.
 */
export async function readLakeSince(
  s3: S3Client,
  bucket: string,
  prefixes: { raw: readonly string[]; errors: readonly string[] },
  sinceMs: number,
  nowMs: number,
  needle: string,
  seen: Map<string, FoundRecord[] | number>,
): Promise<LakeRead> {
  const problems: string[] = [];
  let objectsRead = 0;
  const records: FoundRecord[] = [];
  let errorRecords = 0;
  const days = dtPartitions(sinceMs - 60_000, nowMs);
  for (const kind of ['raw', 'errors'] as const) {
    for (const base of prefixes[kind]) {
      for (const day of days) {
        const prefix = kind === 'raw' ? `${base}${day}/` : base;
        let token: string | undefined;
        do {
          const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
          for (const object of page.Contents ?? []) {
            const key = object.Key!;
            const modified = object.LastModified?.getTime() ?? nowMs;
            if (modified < sinceMs - 60_000) continue; // S3 clocks and ours may differ by seconds
            if (kind === 'errors' && !key.includes(`dt=${day}/`)) continue;
            if (!seen.has(key)) {
              seen.set(key, await readObject(s3, bucket, key, kind, modified, needle, problems));
              objectsRead++;
            }
            const cached = seen.get(key)!;
            if (typeof cached === 'number') errorRecords += cached;
            else records.push(...cached);
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token !== undefined);
      }
    }
  }
  return { records, errorRecords, objectsRead, problems };
}

/**
 * The records of every object under `prefix` whose lines carry `needle` (GZIP JSON lines, as raw/ and the Glue
 * job's quarantine/ are), e.g. a Glue run's quarantine/dt=…/run=<run id>/.
 */
export async function readRecordsUnder(s3: S3Client, bucket: string, prefix: string, needle: string): Promise<LakeRead> {
  const problems: string[] = [];
  const records: FoundRecord[] = [];
  let objectsRead = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      // Spark writes _SUCCESS and .crc files beside its output: only data files hold lines.
      const name = object.Key!.slice(object.Key!.lastIndexOf('/') + 1);
      if (name.startsWith('_') || name.startsWith('.')) continue;
      const found = await readObject(s3, bucket, object.Key!, 'raw', object.LastModified?.getTime() ?? Date.now(), needle, problems);
      records.push(...(found as FoundRecord[]));
      objectsRead++;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return { records, errorRecords: 0, objectsRead, problems };
}

async function readObject(
  s3: S3Client,
  bucket: string,
  key: string,
  kind: 'raw' | 'errors',
  landedAtMs: number,
  needle: string,
  problems: string[],
): Promise<FoundRecord[] | number> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.from(await response.Body!.transformToByteArray());
  let text: string;
  try {
    text = gunzipSync(body).toString('utf8');
  } catch {
    problems.push(`${key}: not GZIP`);
    return kind === 'raw' ? [] : 0;
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (kind === 'errors') {
    // Firehose error records keep the source bytes in rawData (base64).
    return lines.filter((line) => {
      try {
        return Buffer.from(String((JSON.parse(line) as { rawData?: unknown }).rawData ?? ''), 'base64')
          .toString('utf8')
          .includes(needle);
      } catch {
        return false;
      }
    }).length;
  }
  const found: FoundRecord[] = [];
  for (const line of lines) {
    if (!line.includes(needle)) continue; // only marker lines are parsed: the lake may hold millions of others
    try {
      found.push({ key, record: JSON.parse(line) as Record<string, unknown>, landedAtMs });
    } catch {
      problems.push(`${key}: a line with the marker is not JSON`);
    }
  }
  return found;
}
