/** The result every format's parser returns, and the pieces the parsers share to build it. */
import type { RecordFormatName } from '../../../contracts/record';

/** The fields a line yields; the caller adds event_id, source and ingested_at (see serialize.ts). */
export interface ParsedLine {
  format: RecordFormatName;
  /** Null when the line carries no usable time (the record then uses ingested_at). */
  timestamp: string | null;
  host: string | null;
  client_ip: string | null;
  user: string | null;
  method: string | null;
  path: string | null;
  protocol: string | null;
  status: number | null;
  bytes: number | null;
  referrer: string | null;
  user_agent: string | null;
  severity: string | null;
  facility: string | null;
  app: string | null;
  proc_id: string | null;
  message: string | null;
  attributes: Record<string, string> | null;
  raw: string | null;
  /**
   * True when no text field (all but attributes) contains '"', '\\' or a control character, so the
   * serializer can quote them without JSON escaping. False is always safe.
   */
  plainText: boolean;
}

export { FACILITY_NAMES, SEVERITY_NAMES } from '../../../contracts/syslog';

/** One shape for every result keeps property access monomorphic on the hot path. */
export function emptyParsed(format: RecordFormatName): ParsedLine {
  return {
    format,
    timestamp: null,
    host: null,
    client_ip: null,
    user: null,
    method: null,
    path: null,
    protocol: null,
    status: null,
    bytes: null,
    referrer: null,
    user_agent: null,
    severity: null,
    facility: null,
    app: null,
    proc_id: null,
    message: null,
    attributes: null,
    raw: null,
    plainText: false,
  };
}

export function unparsedLine(line: string): ParsedLine {
  const parsed = emptyParsed('unparsed');
  parsed.raw = line;
  return parsed;
}

/**
 * Attribute maps inherit nothing (no Object.prototype above them), so a JSON key like '__proto__' is
 * stored as data, not obeyed, and 'toString' is not "in" an empty map. Instances of a class whose
 * prototype has a null prototype, rather than Object.create(null): those start in V8's slow dictionary
 * mode, these keep fast properties, which are quicker to fill and to JSON.stringify.
 */
const AttributeMap = function AttributeMap() {} as unknown as new () => Record<string, string>;
AttributeMap.prototype = Object.create(null) as object;

export function newAttributes(): Record<string, string> {
  return new AttributeMap();
}

export function dashToNull(value: string): string | null {
  return value === '-' ? null : value;
}
