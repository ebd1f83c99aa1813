/**
 * Apache common / combined (nginx's default 'combined' is the same layout).
 *
 * '-' user/referrer/user agent → null, '-' bytes → 0; a non-'-' identd field goes to attributes.ident, a
 * request line that is not 'METHOD TARGET [PROTOCOL]' to attributes.request, and anything logged after the
 * combined fields (custom nginx/Apache formats) to attributes.extra.
 */
import { isoFromFields, isoFromParts, monthAt, monthNumber, offsetMinutesAt, offsetMinutesOfSignedHhmm } from '../timestamps';
import { dashToNull, emptyParsed, newAttributes, type ParsedLine } from './parsed-line';
import { isDashAt, isLower, isUpper, tokenEnd, twoDigitsAt } from './positions';

// eslint-disable-next-line no-control-regex -- as above, minus '"' (access-log fields exclude their quotes)
const BACKSLASH_CONTROL_OR_SURROGATE = /[\\\u0000-\u001f\ud800-\udfff]/;

/** "…" with backslash escapes, unrolled ([^"\\]*(\\.[^"\\]*)*) so V8 does not backtrack per character. */
const QUOTED = '"([^"\\\\]*(?:\\\\.[^"\\\\]*)*)"';
const ACCESS_LOG = new RegExp(
  '^(\\S+) (\\S+) (\\S+) \\[(\\d{2})/([A-Z][a-z]{2})/(\\d{4}):(\\d{2}):(\\d{2}):(\\d{2}) ([+-]\\d{4})\\] ' +
    `${QUOTED} ([1-9]\\d{2}) (\\d{1,15}|-)(?: ${QUOTED} ${QUOTED}(?: (.*))?)?$`,
);
const REQUEST_LINE = /^([A-Za-z_-]+) (\S+)(?: (\S+))?$/;
const ESCAPED = /\\(["\\])/g;

/** Apache writes " and \ inside quoted fields as \" and \\; other escapes (\xhh) stay as logged. */
function unescapeQuoted(text: string): string {
  return text.indexOf('\\') === -1 ? text : text.replace(ESCAPED, '$1');
}

export function parseAccessLog(line: string): ParsedLine | null {
  const fast = parseAccessLogByPositions(line);
  return fast !== undefined ? fast : parseAccessLogByRegex(line);
}

export function parseAccessLogByRegex(line: string): ParsedLine | null {
  const m = ACCESS_LOG.exec(line);
  if (m === null) return null;
  const month = monthNumber(m[5]);
  const zone = m[10];
  // The regex vouched for [+-]\d{4}.
  const offset = offsetMinutesOfSignedHhmm(zone);
  if (month === undefined || offset === null) return null;
  const timestamp = isoFromParts(m[6], month, m[4], m[7], m[8], m[9], '000', offset);
  if (timestamp === null) return null;

  const combined = m[14] !== undefined;
  const parsed = emptyParsed(combined ? 'combined' : 'common');
  parsed.timestamp = timestamp;
  parsed.client_ip = m[1];
  parsed.user = dashToNull(m[3]);
  parsed.status = +m[12];
  parsed.bytes = m[13] === '-' ? 0 : +m[13];
  let attributes: Record<string, string> | null = null;
  if (m[2] !== '-') {
    attributes = newAttributes();
    attributes.ident = m[2];
  }
  const request = unescapeQuoted(m[11]);
  const r = REQUEST_LINE.exec(request);
  if (r !== null) {
    parsed.method = r[1];
    parsed.path = r[2];
    parsed.protocol = r[3] ?? null;
  } else if (request !== '-' && request !== '') {
    attributes ??= newAttributes();
    attributes.request = request;
  }
  if (combined) {
    parsed.referrer = dashToNull(unescapeQuoted(m[14]));
    parsed.user_agent = dashToNull(unescapeQuoted(m[15]));
    if (m[16] !== undefined) {
      attributes ??= newAttributes();
      attributes.extra = m[16];
    }
  }
  parsed.attributes = attributes;
  // Quoted fields cannot hold a bare '"'; the unquoted ones could (attributes are escaped apart).
  parsed.plainText = !BACKSLASH_CONTROL_OR_SURROGATE.test(line) && m[1].indexOf('"') === -1 && m[3].indexOf('"') === -1;
  return parsed;
}

/**
 * ACCESS_LOG's result for the lines most logs are made of, found with indexOf and char codes instead of a
 * 16-group match: no match array, no substrings for the date's parts. It takes only lines whose tokens
 * are printable ASCII and that hold no backslash (so every quoted field ends at the next '"', as the
 * regex reads it), and returns undefined for anything else, which then goes to the regex: for the lines
 * it takes, its result is the regex path's (a test holds the two to each other on generated lines).
 */
export function parseAccessLogByPositions(line: string): ParsedLine | null | undefined {
  if (line.indexOf('\\') !== -1) return undefined;
  // (\S+) (\S+) (\S+) \[: three space-separated tokens.
  const ipEnd = tokenEnd(line, 0);
  if (ipEnd <= 0 || line.charCodeAt(ipEnd) !== 32) return undefined;
  const identEnd = tokenEnd(line, ipEnd + 1);
  if (identEnd <= ipEnd + 1 || line.charCodeAt(identEnd) !== 32) return undefined;
  const userEnd = tokenEnd(line, identEnd + 1);
  if (userEnd <= identEnd + 1 || line.charCodeAt(userEnd) !== 32) return undefined;
  // [dd/Mmm/yyyy:hh:mm:ss +zzzz] "
  const b = userEnd + 1;
  if (
    line.charCodeAt(b) !== 91 /* [ */ || line.charCodeAt(b + 3) !== 47 /* / */ || line.charCodeAt(b + 7) !== 47 ||
    line.charCodeAt(b + 12) !== 58 /* : */ || line.charCodeAt(b + 15) !== 58 || line.charCodeAt(b + 18) !== 58 ||
    line.charCodeAt(b + 21) !== 32 || line.charCodeAt(b + 27) !== 93 /* ] */ || line.charCodeAt(b + 28) !== 32 ||
    line.charCodeAt(b + 29) !== 34 /* " */
  ) {
    return undefined;
  }
  const day = twoDigitsAt(line, b + 1);
  const century = twoDigitsAt(line, b + 8);
  const yearInCentury = twoDigitsAt(line, b + 10);
  const hour = twoDigitsAt(line, b + 13);
  const minute = twoDigitsAt(line, b + 16);
  const second = twoDigitsAt(line, b + 19);
  const sign = line.charCodeAt(b + 22);
  const zoneHours = twoDigitsAt(line, b + 23);
  const zoneMinutes = twoDigitsAt(line, b + 25);
  if (
    (day | century | yearInCentury | hour | minute | second | zoneHours | zoneMinutes) < 0 || (sign !== 43 /* + */ && sign !== 45 /* - */) ||
    !isUpper(line.charCodeAt(b + 4)) || !isLower(line.charCodeAt(b + 5)) || !isLower(line.charCodeAt(b + 6))
  ) {
    return undefined;
  }
  // "request" ([1-9]\d{2}) (\d{1,15}|-)
  const requestStart = b + 30;
  const requestEnd = line.indexOf('"', requestStart);
  if (requestEnd === -1 || line.charCodeAt(requestEnd + 1) !== 32) return undefined;
  const s0 = line.charCodeAt(requestEnd + 2) - 48;
  const s1 = line.charCodeAt(requestEnd + 3) - 48;
  const s2 = line.charCodeAt(requestEnd + 4) - 48;
  if (!(s0 >= 1 && s0 <= 9 && s1 >= 0 && s1 <= 9 && s2 >= 0 && s2 <= 9) || line.charCodeAt(requestEnd + 5) !== 32) return undefined;
  const bytesStart = requestEnd + 6;
  let bytesEnd = bytesStart;
  let bytes = 0;
  if (line.charCodeAt(bytesStart) === 45 /* - */) {
    bytesEnd++;
  } else {
    for (let c = line.charCodeAt(bytesEnd) - 48; c >= 0 && c <= 9; c = line.charCodeAt(++bytesEnd) - 48) bytes = bytes * 10 + c;
    if (bytesEnd === bytesStart || bytesEnd - bytesStart > 15) return undefined;
  }
  // Then the end, or (?: "referrer" "user agent"(?: (.*))?)$.
  let referrerEnd = -1;
  let agentEnd = -1;
  if (bytesEnd !== line.length) {
    if (line.charCodeAt(bytesEnd) !== 32 || line.charCodeAt(bytesEnd + 1) !== 34) return undefined;
    referrerEnd = line.indexOf('"', bytesEnd + 2);
    if (referrerEnd === -1 || line.charCodeAt(referrerEnd + 1) !== 32 || line.charCodeAt(referrerEnd + 2) !== 34) return undefined;
    agentEnd = line.indexOf('"', referrerEnd + 3);
    if (agentEnd === -1) return undefined;
    if (agentEnd + 1 !== line.length && (line.charCodeAt(agentEnd + 1) !== 32 || LINE_TERMINATOR.test(line))) return undefined;
  }

  const month = monthAt(line, b + 4);
  const offset = offsetMinutesAt(line, b + 22);
  if (month === undefined || offset === null) return null;
  const timestamp = isoFromFields(century * 100 + yearInCentury, month, day, hour, minute, second, 0, offset);
  if (timestamp === null) return null;

  const combined = referrerEnd !== -1;
  const parsed = emptyParsed(combined ? 'combined' : 'common');
  parsed.timestamp = timestamp;
  parsed.client_ip = line.slice(0, ipEnd);
  if (!isDashAt(line, identEnd + 1, userEnd)) parsed.user = line.slice(identEnd + 1, userEnd);
  parsed.status = s0 * 100 + s1 * 10 + s2;
  parsed.bytes = bytes;
  let attributes: Record<string, string> | null = null;
  if (!isDashAt(line, ipEnd + 1, identEnd)) {
    attributes = newAttributes();
    attributes.ident = line.slice(ipEnd + 1, identEnd);
  }
  if (!setRequestLine(parsed, line, requestStart, requestEnd) && requestEnd > requestStart && !isDashAt(line, requestStart, requestEnd)) {
    attributes ??= newAttributes();
    attributes.request = line.slice(requestStart, requestEnd);
  }
  if (combined) {
    if (!isDashAt(line, bytesEnd + 2, referrerEnd)) parsed.referrer = line.slice(bytesEnd + 2, referrerEnd);
    if (!isDashAt(line, referrerEnd + 3, agentEnd)) parsed.user_agent = line.slice(referrerEnd + 3, agentEnd);
    if (agentEnd + 1 !== line.length) {
      attributes ??= newAttributes();
      attributes.extra = line.slice(agentEnd + 2);
    }
  }
  parsed.attributes = attributes;
  // No backslash in the line; the first and third tokens could still hold a '"'.
  parsed.plainText = !BACKSLASH_CONTROL_OR_SURROGATE.test(line) && !hasQuote(line, 0, ipEnd) && !hasQuote(line, identEnd + 1, userEnd);
  return parsed;
}

/** What `.` cannot match: the regex's (.*) fails on a line holding one. */
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

function hasQuote(line: string, start: number, end: number): boolean {
  const quote = line.indexOf('"', start);
  return quote !== -1 && quote < end;
}

/**
 * REQUEST_LINE on line[start..end) (no backslash in it): method, path and protocol when it is
 * 'METHOD TARGET [PROTOCOL]' with printable ASCII targets; false otherwise (the caller keeps the request
 * whole, or asks the regex when it holds characters this does not judge).
 */
function setRequestLine(parsed: ParsedLine, line: string, start: number, end: number): boolean {
  let at = start;
  for (let c = line.charCodeAt(at); (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45; c = line.charCodeAt(++at));
  if (at === start || at >= end || line.charCodeAt(at) !== 32) return requestLineByRegex(parsed, line, start, end);
  const methodEnd = at;
  const pathEnd = Math.min(tokenEnd(line, methodEnd + 1), end);
  if (pathEnd === methodEnd + 1) return requestLineByRegex(parsed, line, start, end);
  let protocolEnd = pathEnd;
  if (pathEnd !== end) {
    if (line.charCodeAt(pathEnd) !== 32) return requestLineByRegex(parsed, line, start, end);
    protocolEnd = Math.min(tokenEnd(line, pathEnd + 1), end);
    if (protocolEnd !== end || protocolEnd === pathEnd + 1) return requestLineByRegex(parsed, line, start, end);
  }
  parsed.method = line.slice(start, methodEnd);
  parsed.path = line.slice(methodEnd + 1, pathEnd);
  parsed.protocol = protocolEnd === pathEnd ? null : line.slice(pathEnd + 1, protocolEnd);
  return true;
}

function requestLineByRegex(parsed: ParsedLine, line: string, start: number, end: number): boolean {
  const r = REQUEST_LINE.exec(line.slice(start, end));
  if (r === null) return false;
  parsed.method = r[1];
  parsed.path = r[2];
  parsed.protocol = r[3] ?? null;
  return true;
}
