/**
 * Syslog RFC 5424.
 *
 * NILVALUE '-' → null; MSGID → attributes.msgid; SD-PARAMs → attributes['sd.<id>.<name>'] (a repeated name →
 * JSON array string; an element without params → 'sd.<id>': ''); a leading BOM of MSG is dropped.
 */
import { isoFromParts, millisFromFraction, offsetMinutesOf } from '../timestamps';
import { dashToNull, emptyParsed, newAttributes, type ParsedLine } from './parsed-line';
import { applyPri } from './syslog-pri';

const RFC5424_HEADER = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/;

/** End of the SD-NAME at `start`: its characters are any but ' ', '=', ']' and '"' (RFC 5424's SD-NAME, leniently). */
function sdNameEnd(line: string, start: number): number {
  let at = start;
  while (at < line.length) {
    const c = line.charCodeAt(at);
    if (c === 32 || c === 61 || c === 93 || c === 34) break;
    at++;
  }
  return at;
}

export function parseRfc5424(line: string): ParsedLine | null {
  const parsed = emptyParsed('syslog_rfc5424');
  let at = rfc5424Header(line, parsed);
  if (at === -1) return null;
  let attributes = parsed.attributes;
  if (line.charCodeAt(at) === 45 /* - */) {
    at += 1;
  } else {
    const end = parseStructuredData(line, at, attributes ?? (attributes = newAttributes()));
    if (end === -1) return null;
    at = end;
  }
  if (at < line.length) {
    if (line.charCodeAt(at) !== 32) return null;
    // MSG may start with a UTF-8 BOM to say it is UTF-8; it is not part of the text.
    parsed.message = line.charCodeAt(at + 1) === 0xfeff ? line.slice(at + 2) : line.slice(at + 1);
  }
  parsed.attributes = attributes;
  return parsed;
}

/**
 * RFC5424_HEADER and its RFC3339 timestamp: sets PRI, timestamp, HOSTNAME, APP-NAME, PROCID and MSGID into
 * `parsed` and returns the index after the header, or -1 when it is not a valid header.
 */
function rfc5424Header(line: string, parsed: ParsedLine): number {
  const h = RFC5424_HEADER.exec(line);
  if (h === null) return -1;
  if (!applyPri(parsed, h[1])) return -1;
  if (h[2] !== '-') {
    const t = RFC3339.exec(h[2]);
    if (t === null) return -1;
    const offset = t[8] === 'Z' ? 0 : offsetMinutesOf(t[8]);
    if (offset === null) return -1;
    const timestamp = isoFromParts(t[1], +t[2], t[3], t[4], t[5], t[6], millisFromFraction(t[7]), offset);
    if (timestamp === null) return -1;
    parsed.timestamp = timestamp;
  }
  parsed.host = dashToNull(h[3]);
  parsed.app = dashToNull(h[4]);
  parsed.proc_id = dashToNull(h[5]);
  if (h[6] !== '-') {
    parsed.attributes = newAttributes();
    parsed.attributes.msgid = h[6];
  }
  return h[0].length;
}

/**
 * Reads one or more SD-ELEMENTs starting at `start` ('[') into attributes; returns the index after the
 * last ']' or -1 when the structured data is malformed.
 */
function parseStructuredData(line: string, start: number, attributes: Record<string, string>): number {
  let at = start;
  // A repeated SD-PARAM name keeps every value, as a JSON array string.
  let repeated: Map<string, string[]> | null = null;
  while (line.charCodeAt(at) === 91 /* [ */) {
    const idEnd = sdNameEnd(line, at + 1);
    if (idEnd === at + 1) return -1;
    const prefix = `sd.${line.slice(at + 1, idEnd)}`;
    at = idEnd;
    let params = 0;
    while (line.charCodeAt(at) === 32) {
      const nameStart = at + 1;
      const nameEnd = sdNameEnd(line, nameStart);
      if (nameEnd === nameStart) return -1;
      at = nameEnd;
      if (line.charCodeAt(at) !== 61 /* = */ || line.charCodeAt(at + 1) !== 34 /* " */) return -1;
      at += 2;
      // PARAM-VALUE: '"', '\' and ']' are escaped with '\'; a '\' before anything else is kept as is.
      let value: string;
      const quote = line.indexOf('"', at);
      if (quote === -1) return -1;
      const backslash = line.indexOf('\\', at);
      if (backslash === -1 || backslash > quote) {
        // No escape in the value: it ends at the next '"'.
        value = line.slice(at, quote);
        at = quote;
      } else {
        value = '';
        let chunkStart = at;
        for (;;) {
          const c = line.charCodeAt(at);
          if (Number.isNaN(c)) return -1;
          if (c === 34 /* " */) break;
          if (c === 92 /* \ */) {
            const next = line.charCodeAt(at + 1);
            if (next === 34 || next === 92 || next === 93) {
              value += line.slice(chunkStart, at);
              chunkStart = at + 1;
              at += 2;
              continue;
            }
          }
          at++;
        }
        value += line.slice(chunkStart, at);
      }
      at++;
      const key = `${prefix}.${line.slice(nameStart, nameEnd)}`;
      if (!(key in attributes)) {
        attributes[key] = value;
      } else {
        repeated ??= new Map();
        let values = repeated.get(key);
        if (values === undefined) {
          values = [attributes[key]];
          repeated.set(key, values);
        }
        values.push(value);
        attributes[key] = JSON.stringify(values);
      }
      params++;
    }
    if (line.charCodeAt(at) !== 93 /* ] */) return -1;
    at++;
    if (params === 0 && !(prefix in attributes)) attributes[prefix] = '';
  }
  return at;
}
