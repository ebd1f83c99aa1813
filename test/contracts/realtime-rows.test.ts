/**
 * contracts/realtime-rows.ts against the job's row writer (analytics/flink Rows.java): the kinds, every field
 * (the realtime-rows Lambda checks them, the Glue table has one column each), instants and top-paths lists.
 */
import * as fs from 'node:fs';
import { REALTIME_ROW_FIELDS, REALTIME_ROW_KINDS } from '../../contracts/realtime-rows';
import { javaRows, ROWS_JAVA } from '../helpers/flink-rows';

const rows = javaRows();

test('the reader finds each kind of row with its fields (so the comparisons below can fail)', () => {
  expect(rows.map((r) => r.kind)).toEqual(['window', 'burst', 'late', 'invalid']);
  expect(rows.find((r) => r.kind === 'window')?.fields).toEqual(expect.arrayContaining(['kind', 'window_start', 'share_5xx', 'bytes_p99']));
  // A field the job would add in its usual way is found.
  const added = fs.readFileSync(ROWS_JAVA, 'utf8').replace('o.put("quiet_until"', 'o.put("cooldown_ms", 1L);\n    o.put("quiet_until"');
  expect(javaRows(added).find((r) => r.kind === 'burst')?.fields).toContain('cooldown_ms');
});

test("the kinds are the job's", () => {
  expect([...REALTIME_ROW_KINDS]).toEqual(rows.map((r) => r.kind));
});

test("the fields are every field of every kind but kind, in the window row's order first", () => {
  const fields = [...new Set(rows.flatMap((r) => r.fields))].filter((f) => f !== 'kind');
  expect(Object.keys(REALTIME_ROW_FIELDS)).toEqual(fields);
});

test("instants are the fields the job writes through iso(); top-paths lists name the job's count fields", () => {
  const instants = new Set(rows.flatMap((r) => r.instants));
  const declared = Object.entries(REALTIME_ROW_FIELDS).filter(([, type]) => type === 'instant');
  expect(declared.map(([name]) => name).sort()).toEqual([...instants].sort());
  const topPaths = Object.assign({}, ...rows.map((r) => r.topPaths)) as Record<string, string>;
  const declaredTop = Object.entries(REALTIME_ROW_FIELDS).flatMap(([name, type]) =>
    typeof type === 'object' ? [[name, type.topPaths]] : [],
  );
  expect(Object.fromEntries(declaredTop)).toEqual(topPaths);
  expect(Object.keys(topPaths)).toEqual(['top_paths_by_requests', 'top_paths_by_5xx']);
});
