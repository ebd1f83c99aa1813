/**
 * Reads back what landed in the lake bucket (raw GZIP JSON lines and Firehose error records) and counts
 * it, so a run can prove that every line sent came out exactly once: as a record in raw/ or as a
 * ProcessingFailed record under errors/.
 */
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { LAKE_PREFIXES } from '../contracts/lake-layout';
import type { FirehoseErrorRecord } from './kinesis/firehose-simulator';

export interface LakeObject {
  readonly key: string;
  /** The key without the object name, e.g. raw/source=kinesis/dt=2026-11-25/ */
  readonly prefix: string;
  readonly kind: 'raw' | 'error' | 'other';
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly lines: number;
}

export interface RawLine {
  readonly key: string;
  /** Parsed JSON (validate it against the schema before trusting its shape). */
  readonly record: Record<string, unknown>;
}

export interface ErrorLine {
  readonly key: string;
  readonly record: FirehoseErrorRecord;
  /** The source record's lines, decoded from rawData. */
  readonly sourceLines: readonly string[];
}

export interface LakeInventory {
  readonly objects: readonly LakeObject[];
  readonly rawLines: readonly RawLine[];
  readonly errorLines: readonly ErrorLine[];
  /** Objects or lines that could not be read: not GZIP, not JSON. Empty when everything is readable. */
  readonly problems: readonly string[];
}

/**
 * Lists and reads every object under raw/ and errors/, or, with `under`, only the objects under those
 * prefixes (the others are not fetched).
 */
export async function readLake(s3: S3Client, bucket: string, under?: readonly string[]): Promise<LakeInventory> {
  const objects: LakeObject[] = [];
  const rawLines: RawLine[] = [];
  const errorLines: ErrorLine[] = [];
  const problems: string[] = [];

  for (const key of await listKeys(s3, bucket)) {
    if (under && !under.some((prefix) => key.startsWith(prefix))) continue;
    const kind = key.startsWith(LAKE_PREFIXES.raw) ? 'raw' : key.startsWith(LAKE_PREFIXES.errors) ? 'error' : 'other';
    const body = await getBytes(s3, bucket, key);
    let text: string;
    try {
      text = gunzipSync(body).toString('utf8');
    } catch (error) {
      problems.push(`${key}: not GZIP (${(error as Error).message})`);
      objects.push({ key, prefix: prefixOf(key), kind, compressedBytes: body.length, uncompressedBytes: 0, lines: 0 });
      continue;
    }
    const lines = splitLines(text);
    objects.push({
      key,
      prefix: prefixOf(key),
      kind,
      compressedBytes: body.length,
      uncompressedBytes: Buffer.byteLength(text),
      lines: lines.length,
    });
    if (kind === 'other') continue;
    lines.forEach((line, index) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        problems.push(`${key} line ${index + 1}: not JSON: ${line.slice(0, 120)}`);
        return;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        problems.push(`${key} line ${index + 1}: not a JSON object`);
        return;
      }
      if (kind === 'raw') {
        rawLines.push({ key, record: parsed as Record<string, unknown> });
      } else {
        const record = parsed as FirehoseErrorRecord;
        if (typeof record.rawData !== 'string') {
          problems.push(`${key} line ${index + 1}: error record without rawData`);
          return;
        }
        errorLines.push({ key, record, sourceLines: splitLines(Buffer.from(record.rawData, 'base64').toString('utf8')) });
      }
    });
  }
  return { objects, rawLines, errorLines, problems };
}

export interface LakeSummary {
  readonly objectsByPrefix: Readonly<
    Record<string, { objects: number; lines: number; compressedBytes: number; uncompressedBytes: number }>
  >;
  /** Raw records per `format` (parsed formats and 'unparsed'). */
  readonly recordsByFormat: Readonly<Record<string, number>>;
  readonly rawRecords: number;
  readonly parsedRecords: number;
  readonly unparsedRecords: number;
  /** Lines inside ProcessingFailed source records. */
  readonly failedLines: number;
  readonly duplicateEventIds: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

export function summarizeLake(inventory: LakeInventory): LakeSummary {
  const objectsByPrefix: Record<string, { objects: number; lines: number; compressedBytes: number; uncompressedBytes: number }> = {};
  for (const object of inventory.objects) {
    const entry = (objectsByPrefix[object.prefix] ??= { objects: 0, lines: 0, compressedBytes: 0, uncompressedBytes: 0 });
    entry.objects += 1;
    entry.lines += object.lines;
    entry.compressedBytes += object.compressedBytes;
    entry.uncompressedBytes += object.uncompressedBytes;
  }
  const recordsByFormat: Record<string, number> = {};
  const seenIds = new Set<string>();
  let duplicateEventIds = 0;
  for (const { record } of inventory.rawLines) {
    const format = String(record.format);
    recordsByFormat[format] = (recordsByFormat[format] ?? 0) + 1;
    const id = String(record.event_id);
    if (seenIds.has(id)) duplicateEventIds += 1;
    seenIds.add(id);
  }
  const unparsedRecords = recordsByFormat.unparsed ?? 0;
  return {
    objectsByPrefix,
    recordsByFormat,
    rawRecords: inventory.rawLines.length,
    parsedRecords: inventory.rawLines.length - unparsedRecords,
    unparsedRecords,
    failedLines: inventory.errorLines.reduce((sum, e) => sum + e.sourceLines.length, 0),
    duplicateEventIds,
    compressedBytes: inventory.objects.reduce((sum, o) => sum + o.compressedBytes, 0),
    uncompressedBytes: inventory.objects.reduce((sum, o) => sum + o.uncompressedBytes, 0),
  };
}

/**
 * What a record says about its event, without what depends on the delivery (event_id, ingested_at,
 * and a timestamp that fell back to ingested_at): equal for the same line however often it travelled.
 */
export function eventContentKey(record: Record<string, unknown>): string {
  const rest: Record<string, unknown> = { ...record };
  delete rest.event_id;
  delete rest.ingested_at;
  if (rest.timestamp === record.ingested_at) delete rest.timestamp;
  return JSON.stringify(rest);
}

export async function listKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

export async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

function prefixOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}

/** JSON-lines and log-record splitting: '\n'-terminated, a missing final newline tolerated. */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
