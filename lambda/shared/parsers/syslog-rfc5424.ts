/**
 * Syslog RFC 5424.
 *
 * NILVALUE '-' → null; MSGID → attributes.msgid; SD-PARAMs → attributes['sd.<id>.<name>'] (a repeated name →
 * JSON array string; an element without params → 'sd.<id>': ''); a leading BOM of MSG is dropped.
 */
import { isoFromFields, isoFromParts, millisFromFraction, offsetMinutesOf } from '../timestamps';
import { dashToNull, emptyParsed, newAttributes, type ParsedLine } from './parsed-line';
import { isDashAt, isDigit, tokenEnd, twoDigitsAt } from './positions';
import { applyPri, priAt, setPri } from './syslog-pri';

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
  let at = rfc5424HeaderByPositions(line, parsed);
  if (at === UNSURE) at = rfc5424HeaderByRegex(line, parsed);
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

/** A header reader's answer when it cannot judge the line: the next reader decides. */
export const UNSURE = -2;

/**
 * RFC5424_HEADER and the RFC3339 timestamp read by positions, for headers of printable ASCII tokens:
 * sets PRI, timestamp, HOSTNAME, APP-NAME, PROCID and MSGID into `parsed` and returns the index after the
 * header (-1: not a valid header, as the regex path would say), or UNSURE for anything else (non-ASCII
 * tokens, a timestamp in another shape), which the regex path then reads.
 */
export function rfc5424HeaderByPositions(line: string, parsed: ParsedLine): number {
  // '<' PRI '>1 '
  let priEnd = 1;
  while (priEnd < 4 && isDigit(line.charCodeAt(priEnd))) priEnd++;
  if (line.charCodeAt(0) !== 60 /* < */ || priEnd === 1 || line.charCodeAt(priEnd) !== 62 /* > */ || line.charCodeAt(priEnd + 1) !== 49 || line.charCodeAt(priEnd + 2) !== 32) return UNSURE;
  const timeStart = priEnd + 3;
  const timeEnd = tokenEnd(line, timeStart);
  const hostEnd = tokenEnd(line, timeEnd + 1);
  const appEnd = tokenEnd(line, hostEnd + 1);
  const procEnd = tokenEnd(line, appEnd + 1);
  const msgidEnd = tokenEnd(line, procEnd + 1);
  if (
    timeEnd === timeStart || line.charCodeAt(timeEnd) !== 32 || hostEnd === timeEnd + 1 || line.charCodeAt(hostEnd) !== 32 ||
    appEnd === hostEnd + 1 || line.charCodeAt(appEnd) !== 32 || procEnd === appEnd + 1 || line.charCodeAt(procEnd) !== 32 ||
    msgidEnd === procEnd + 1 || line.charCodeAt(msgidEnd) !== 32
  ) {
    return UNSURE;
  }
  if (!isDashAt(line, timeStart, timeEnd)) {
    const timestamp = rfc3339ByPositions(line, timeStart, timeEnd);
    if (timestamp === UNSURE) return UNSURE;
    if (timestamp === null) return -1;
    parsed.timestamp = timestamp;
  }
  if (!setPri(parsed, priAt(line, 1, priEnd))) return -1;
  if (!isDashAt(line, timeEnd + 1, hostEnd)) parsed.host = line.slice(timeEnd + 1, hostEnd);
  if (!isDashAt(line, hostEnd + 1, appEnd)) parsed.app = line.slice(hostEnd + 1, appEnd);
  if (!isDashAt(line, appEnd + 1, procEnd)) parsed.proc_id = line.slice(appEnd + 1, procEnd);
  if (!isDashAt(line, procEnd + 1, msgidEnd)) {
    parsed.attributes = newAttributes();
    parsed.attributes.msgid = line.slice(procEnd + 1, msgidEnd);
  }
  return msgidEnd + 1;
}

/** The same as rfc5424HeaderByPositions (without UNSURE), by RFC5424_HEADER and RFC3339. */
export function rfc5424HeaderByRegex(line: string, parsed: ParsedLine): number {
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
 * RFC3339 ('YYYY-MM-DDThh:mm:ss[.1-6 digits](Z|+hh:mm)') of line[start..end) by char codes: the schema
 * timestamp, null for a date, time or offset that cannot exist, UNSURE for any other shape.
 */
function rfc3339ByPositions(line: string, start: number, end: number): string | null | typeof UNSURE {
  const century = twoDigitsAt(line, start);
  const yearInCentury = twoDigitsAt(line, start + 2);
  const month = twoDigitsAt(line, start + 5);
  const day = twoDigitsAt(line, start + 8);
  const hour = twoDigitsAt(line, start + 11);
  const minute = twoDigitsAt(line, start + 14);
  const second = twoDigitsAt(line, start + 17);
  if (
    (century | yearInCentury | month | day | hour | minute | second) < 0 || line.charCodeAt(start + 4) !== 45 /* - */ ||
    line.charCodeAt(start + 7) !== 45 || line.charCodeAt(start + 10) !== 84 /* T */ || line.charCodeAt(start + 13) !== 58 /* : */ ||
    line.charCodeAt(start + 16) !== 58
  ) {
    return UNSURE;
  }
  let at = start + 19;
  let millis = 0;
  if (line.charCodeAt(at) === 46 /* . */) {
    const fractionStart = ++at;
    while (at < end && isDigit(line.charCodeAt(at))) {
      // Milliseconds are the first three digits, truncated ('5' is 500 ms).
      if (at - fractionStart < 3) millis += (line.charCodeAt(at) - 48) * (at === fractionStart ? 100 : at === fractionStart + 1 ? 10 : 1);
      at++;
    }
    if (at === fractionStart || at - fractionStart > 6) return UNSURE;
  }
  let offset: number | null;
  if (line.charCodeAt(at) === 90 /* Z */ && at + 1 === end) {
    offset = 0;
  } else {
    const sign = line.charCodeAt(at);
    if ((sign !== 43 && sign !== 45) || at + 6 !== end || line.charCodeAt(at + 3) !== 58) return UNSURE;
    const hours = twoDigitsAt(line, at + 1);
    const minutes = twoDigitsAt(line, at + 4);
    if ((hours | minutes) < 0) return UNSURE;
    offset = hours > 18 || minutes > 59 ? null : (sign === 45 ? -1 : 1) * (hours * 60 + minutes);
  }
  if (offset === null) return null;
  return isoFromFields(century * 100 + yearInCentury, month, day, hour, minute, second, millis, offset);
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
