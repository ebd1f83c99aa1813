/**
 * The logic of `npm run verify`, with no AWS calls: the marker lines it writes, finding them again among
 * lake records, checking each parsed into the record schema, and saying where in the chain they stopped.
 * cli.ts, lake.ts and glue-athena.ts do the calls; the integration test runs this against the local emulated stack.
 */
import { randomBytes } from 'node:crypto';

/** The paths a line can take into the lake, each with the raw/ prefix it lands under (contracts/lake-layout.ts). */
export const VERIFY_PATHS = ['kinesis', 'kafka'] as const;
export type VerifyPath = (typeof VERIFY_PATHS)[number];

const MARKER_TAG = 'log-pipeline-verify';

export interface Marker {
  readonly runId: string;
  readonly path: VerifyPath;
  readonly seq: number;
  /** The text every landed record carries in `message` (or, unparsed, in `raw`). */
  readonly text: string;
  /** The JSON log line written to the host's file. */
  readonly line: string;
}

/** A run id unique enough that two verify runs never see each other's markers. */
export function newRunId(now: Date = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}-${randomBytes(3).toString('hex')}`;
}

/** `count` marker lines for a path, as a JSON logger would write them (the transform parses them as 'json'). */
export function makeMarkers(runId: string, path: VerifyPath, count: number, now: Date = new Date()): Marker[] {
  if (!/^[0-9a-z-]{6,40}$/.test(runId)) throw new Error(`marker run id must be 6–40 characters of [0-9a-z-] (got '${runId}')`);
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw new Error(`marker count must be an integer from 1 to 1000 (got ${count})`);
  return Array.from({ length: count }, (_, seq) => {
    const text = `${MARKER_TAG} run=${runId} path=${path} seq=${seq}`;
    const line = JSON.stringify({ time: now.toISOString(), level: 'info', logger: MARKER_TAG, message: text });
    return { runId, path, seq, text, line };
  });
}

/** A lake record as read back (any JSON object), with where it was found. */
export interface FoundRecord {
  readonly key: string;
  readonly record: Record<string, unknown>;
  /** When its object was written, ms since the epoch (S3 LastModified). */
  readonly landedAtMs?: number;
}

export interface MarkerMatch {
  readonly marker: Marker;
  readonly found: readonly FoundRecord[];
  /** Schema problems of the first record found; empty when it is valid and parsed as json. */
  readonly problems: readonly string[];
}

const MARKER_PATTERN = /log-pipeline-verify run=([0-9a-z-]+) path=(kinesis|kafka) seq=(\d+)/;

/**
 * The marker a record carries, from its message (parsed), its raw line (unparsed) or, for a line the Glue job
 * quarantined, the line it kept in `value`; undefined if none.
 */
export function markerOf(record: Record<string, unknown>): { runId: string; path: VerifyPath; seq: number } | undefined {
  for (const field of ['message', 'raw', 'value']) {
    const value = record[field];
    if (typeof value !== 'string') continue;
    const match = MARKER_PATTERN.exec(value);
    if (match) return { runId: match[1], path: match[2] as VerifyPath, seq: Number(match[3]) };
  }
  return undefined;
}

/** Each marker with the records that carry it, in the order of `markers`. */
function groupByMarker(markers: readonly Marker[], records: readonly FoundRecord[]): { marker: Marker; found: FoundRecord[] }[] {
  const byText = new Map<string, FoundRecord[]>();
  for (const found of records) {
    const marker = markerOf(found.record);
    if (marker === undefined) continue;
    const text = `${MARKER_TAG} run=${marker.runId} path=${marker.path} seq=${marker.seq}`;
    byText.set(text, [...(byText.get(text) ?? []), found]);
  }
  return markers.map((marker) => ({ marker, found: byText.get(marker.text) ?? [] }));
}

/**
 * Matches `records` to `markers`: each marker with the records that carry it (more than one means a
 * duplicate, which the Glue job drops by event id) and its schema problems.
 */
export function matchMarkers(
  markers: readonly Marker[],
  records: readonly FoundRecord[],
  validate: (record: unknown) => string[],
): MarkerMatch[] {
  return groupByMarker(markers, records).map(({ marker, found }) => {
    const problems: string[] = [];
    if (found.length > 0) {
      const { record, key } = found[0];
      problems.push(...validate(record).map((p) => `${key}: ${p}`));
      if (record.format !== 'json') problems.push(`${key}: parsed as '${String(record.format)}', expected 'json'`);
      if (typeof key === 'string' && !key.startsWith(`raw/source=${marker.path}/`))
        problems.push(`${key}: not under raw/source=${marker.path}/`);
    }
    return { marker, found, problems };
  });
}

/**
 * Matches curated-table rows (from the Athena query, `key` naming their partition) to `markers`. Only rows of
 * the marker's own `source` partition count: the host ships each line to every path, so a marker line also
 * arrives (with another event id) through the other path. The table's column types already enforce the
 * schema, so what is checked is what the Glue job promises: one row per event (it drops duplicates by
 * event id), parsed as json.
 */
export function matchCuratedMarkers(markers: readonly Marker[], rows: readonly FoundRecord[]): MarkerMatch[] {
  return groupByMarker(markers, rows).map(({ marker, found: all }) => {
    const found = all.filter((f) => f.record.source === marker.path);
    const problems: string[] = [];
    if (found.length > 1) problems.push(`${marker.text}: ${found.length} rows in the curated table (the Glue job keeps one per event_id)`);
    for (const { key, record } of found.slice(0, 1)) {
      if (record.format !== 'json') problems.push(`${key}: format '${String(record.format)}', expected 'json'`);
    }
    return { marker, found, problems };
  });
}

/** The parts of a path's chain, in order, as the report names them. */
export const CHAIN: Record<VerifyPath, readonly string[]> = {
  kinesis: ['the host file (SSM Run Command)', 'the agent → Kinesis stream', 'Firehose + transform → lake raw/source=kinesis/'],
  kafka: ['the host file (SSM Run Command)', 'the producer → MSK topic', 'the consumer Lambda → lake raw/source=kafka/'],
};

/** What is known about one path when the wait ends. */
export interface PathEvidence {
  readonly path: VerifyPath;
  readonly expected: number;
  /** Whether the SSM command that wrote the lines succeeded (undefined: not known). */
  readonly written: boolean;
  /** Whether the first hop saw the lines (the stream's or topic's incoming count rose); undefined: not checked. */
  readonly firstHopSeen?: boolean;
  readonly matches: readonly MarkerMatch[];
  /** Marker records found under errors/ (ProcessingFailed) instead of raw/. */
  readonly inErrors: number;
  /** ms from writing to the last marker landing, when all landed. */
  readonly elapsedMs?: number;
}

export interface PathVerdict {
  readonly path: VerifyPath;
  readonly ok: boolean;
  /** One line for the report. */
  readonly summary: string;
  /** The part of the chain where the markers stopped, when not ok. */
  readonly stoppedAt?: string;
  readonly problems: readonly string[];
}

/** The verdict for one path: all markers landed once and parsed, or where they stopped and why. */
export function judgePath(evidence: PathEvidence): PathVerdict {
  const chain = CHAIN[evidence.path];
  const landed = evidence.matches.filter((m) => m.found.length > 0);
  const problems = evidence.matches.flatMap((m) => m.problems);
  const duplicates = evidence.matches.filter((m) => m.found.length > 1).length;
  const base = { path: evidence.path, problems };
  if (!evidence.written) {
    return {
      ...base,
      ok: false,
      stoppedAt: chain[0],
      summary: `${evidence.path}: the marker lines were not written on the host (the SSM command failed)`,
    };
  }
  if (landed.length === evidence.expected && problems.length === 0) {
    const took = evidence.elapsedMs === undefined ? '' : ` in ${(evidence.elapsedMs / 1000).toFixed(1)} s`;
    const dup = duplicates > 0 ? ` (${duplicates} delivered twice; the Glue job drops duplicates by event id)` : '';
    return {
      ...base,
      ok: true,
      summary: `${evidence.path}: all ${evidence.expected} markers landed under raw/source=${evidence.path}/ and parsed into the record schema${took}${dup}`,
    };
  }
  if (landed.length === evidence.expected) {
    return {
      ...base,
      ok: false,
      stoppedAt: chain[2],
      summary: `${evidence.path}: all ${evidence.expected} markers landed, but ${problems.length} schema problem(s)`,
    };
  }
  if (evidence.inErrors > 0) {
    return {
      ...base,
      ok: false,
      stoppedAt: chain[2],
      summary: `${evidence.path}: ${evidence.inErrors} marker(s) were marked ProcessingFailed and are under errors/, ${landed.length} of ${evidence.expected} in raw/`,
    };
  }
  const stoppedAt =
    landed.length > 0 || evidence.firstHopSeen === true
      ? chain[2]
      : evidence.firstHopSeen === false
        ? chain[1]
        : `${chain[1]} or ${chain[2]}`;
  return {
    ...base,
    ok: false,
    stoppedAt,
    summary: `${evidence.path}: ${landed.length} of ${evidence.expected} markers landed before the timeout; they stopped at ${stoppedAt}`,
  };
}

/**
 * The curated part of a path's chain (`--curated`), in order: raw/ (judged by judgePath), the Glue job run
 * that curates raw/ into curated/, and the curated table that Athena reads.
 */
export function curatedChain(path: VerifyPath): readonly [string, string, string] {
  return [`lake raw/source=${path}/`, 'the Glue job run (raw/ → curated/)', 'the curated table (Athena)'];
}

/** What is known about one path's markers after the Glue run and the Athena query. */
export interface CuratedEvidence {
  /** The path's raw verdict (judgePath): the curated check only means something when it passed. */
  readonly raw: PathVerdict;
  readonly expected: number;
  /** The Glue run: its id and last state (SUCCEEDED, or where it was when the wait ended); undefined when not started. */
  readonly glueRun?: { readonly id: string; readonly state: string };
  /** The Athena query's matches (matchCuratedMarkers); undefined when no query ran or it did not finish. */
  readonly matches?: readonly MarkerMatch[];
  /** Marker lines found in the run's quarantine (quarantine/dt=…/run=<run id>/). */
  readonly quarantined: number;
  /** Where the run's quarantine is, for the report. */
  readonly quarantinePrefix?: string;
  /** ms from writing the markers to the query that found them all. */
  readonly elapsedMs?: number;
}

/** The curated verdict for one path: every marker in the curated table once, or where they stopped. */
export function judgeCurated(evidence: CuratedEvidence): PathVerdict {
  const { path } = evidence.raw;
  const chain = curatedChain(path);
  const fail = (stoppedAt: string, summary: string, problems: readonly string[] = []): PathVerdict => ({
    path,
    ok: false,
    stoppedAt,
    summary: `${path} (curated): ${summary}`,
    problems,
  });
  if (!evidence.raw.ok) {
    return fail(
      evidence.raw.stoppedAt ?? chain[0],
      `not checked: the markers did not all reach ${chain[0]} (they stopped at ${evidence.raw.stoppedAt ?? 'raw/'})`,
    );
  }
  if (evidence.glueRun === undefined) return fail(chain[1], 'the Glue job was not started');
  if (evidence.glueRun.state !== 'SUCCEEDED') {
    return fail(
      chain[1],
      `the Glue run ${evidence.glueRun.id} was still ${evidence.glueRun.state} when the wait ended; they stopped at ${chain[1]}`,
    );
  }
  if (evidence.matches === undefined)
    return fail(chain[2], `the Athena query over the curated table did not finish; they stopped at ${chain[2]}`);
  const present = evidence.matches.filter((m) => m.found.length > 0).length;
  const problems = evidence.matches.flatMap((m) => m.problems);
  const quarantine =
    evidence.quarantined > 0
      ? `; ${evidence.quarantined} quarantined by the run${evidence.quarantinePrefix ? ` (${evidence.quarantinePrefix})` : ''}`
      : '';
  if (present < evidence.expected) {
    return fail(
      chain[1],
      `${present} of ${evidence.expected} markers in the curated table after the Glue run ${evidence.glueRun.id}${quarantine}; they stopped at ${chain[1]}`,
      problems,
    );
  }
  if (problems.length > 0)
    return fail(chain[2], `all ${evidence.expected} markers in the curated table, but ${problems.length} problem(s)`, problems);
  const took = evidence.elapsedMs === undefined ? '' : ` ${(evidence.elapsedMs / 1000).toFixed(1)} s after they were written`;
  // Every marker arrived; another line carrying the run's marker (a corrupted copy) was quarantined: worth a look.
  return {
    path,
    ok: true,
    problems: [],
    summary: `${path} (curated): all ${evidence.expected} markers in the curated table once each${took} (Glue run ${evidence.glueRun.id})${quarantine}`,
  };
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Injected for tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onProgress?: (message: string) => void;
}

/** A problem verify reports with a message written for the operator (exit 2): access, deployment, a failed run. */
export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

export class VerifyTimeoutError extends Error {
  constructor(
    message: string,
    readonly lastState: unknown,
  ) {
    super(message);
    this.name = 'VerifyTimeoutError';
  }
}

/**
 * Polls `check` until it reports done or the timeout passes; each poll's progress line goes to
 * `onProgress`. Returns the last state either way, with whether it finished in time.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<{ done: boolean; state: T; progress: string }>,
  options: WaitOptions,
): Promise<{ done: boolean; state: T; elapsedMs: number }> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  for (;;) {
    const result = await check();
    const elapsedMs = now() - started;
    options.onProgress?.(`${what}: ${result.progress} (${Math.round(elapsedMs / 1000)} s)`);
    if (result.done) return { done: true, state: result.state, elapsedMs };
    if (elapsedMs + options.intervalMs > options.timeoutMs) return { done: false, state: result.state, elapsedMs };
    await sleep(options.intervalMs);
  }
}

/** The shell command (run by SSM as root on the host) that appends the markers to a file the agent ships. */
export function appendCommand(file: string, markers: readonly Marker[]): string {
  if (!/^\/[\w./-]+$/.test(file)) throw new Error(`the marker file must be an absolute path of [A-Za-z0-9_./-] (got '${file}')`);
  // Lines are JSON without single quotes, so one quoted printf per line is safe.
  for (const m of markers) if (m.line.includes("'")) throw new Error('a marker line contains a single quote');
  return [`mkdir -p "$(dirname '${file}')"`, ...markers.map((m) => `printf '%s\\n' '${m.line}' >> '${file}'`)].join('\n');
}
