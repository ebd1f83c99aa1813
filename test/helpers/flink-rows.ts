/**
 * The fields the stream analytics job writes, read from its row writer (analytics/flink Rows.java), so a test
 * comparing them with the lake's table breaks when the job adds, renames or drops a field.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/project-paths';

export const ROWS_JAVA = path.join(PROJECT_ROOT, 'analytics/flink/src/main/java/logpipeline/analytics/Rows.java');

/** One row kind as Rows.java writes it. */
export interface JavaRow {
  /** The `kind` value. */
  readonly kind: string;
  /** Field names in write order, `kind` first. */
  readonly fields: string[];
  /** Fields whose value is an instant (written through `iso(...)`). */
  readonly instants: string[];
  /** Top-paths lists: field → the count field of its entries. */
  readonly topPaths: Record<string, string>;
}

/** Each public static method of Rows.java that builds an ObjectNode: its kind and fields. */
export function javaRows(source = fs.readFileSync(ROWS_JAVA, 'utf8')): JavaRow[] {
  const methods = source.split(/\n {2}public static /).slice(1);
  const rows: JavaRow[] = [];
  for (const method of methods) {
    const kind = /o\.put\("kind", "([a-z]+)"\)/.exec(method)?.[1];
    if (kind === undefined) continue;
    const fields: string[] = [];
    const instants: string[] = [];
    const topPaths: Record<string, string> = {};
    const write = /(?:o\.(?:put|putNull|putArray)\(|putNullable\(o, )"([a-z0-9_]+)"(?:, ([^;]*))?\)/g;
    for (const match of method.matchAll(write)) {
      if (!fields.includes(match[1])) fields.push(match[1]);
      if (match[2]?.startsWith('iso(')) instants.push(match[1]);
    }
    for (const match of method.matchAll(/topList\(o\.putArray\("([a-z0-9_]+)"\), [^,]+, [^,]+, "([a-z0-9_]+)"\)/g)) {
      topPaths[match[1]] = match[2];
    }
    rows.push({ kind, fields, instants, topPaths });
  }
  return rows;
}
