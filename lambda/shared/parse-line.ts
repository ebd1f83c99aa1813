/**
 * Log line parsers: detect the format of one line and pull out the record schema's fields.
 *
 * Detection is by first character, so each line runs at most two precompiled regexes:
 *   '{'            JSON line (a journal entry shipped by the agent's systemd input is one)
 *   '<'            syslog with PRI: '<PRI>1 ' is RFC 5424, '<PRI>' + a year is the RFC 3339 variant of
 *                  RFC 3164, any other '<PRI>' is RFC 3164
 *   'A'..'Z'       RFC 3164 without PRI, as rsyslog writes /var/log/syslog (then access log, for hostnames)
 *   'YYYY-MM-DDT'  RFC 3164 layout with an RFC 3339 timestamp, as rsyslog's RSYSLOG_FileFormat writes it
 *                  (then access log)
 *   anything else  Apache common / combined (nginx's default 'combined' is the same layout)
 * A line that matches no format, or whose date cannot exist, is 'unparsed' with the whole line in `raw`:
 * nothing is lost.
 *
 * Conventions:
 *   - Timestamps are normalized to UTC, ISO 8601 with milliseconds (fractions truncated to ms).
 *   - Both syslog timestamps of the RFC 3164 layout give format 'syslog_rfc3164' (one layout, HOSTNAME
 *     TAG[PID]: MSG, whichever clock wrote it). 'Mmm d hh:mm:ss[.frac]' carries no year and no zone: it is
 *     read as UTC, in the most recent year that puts it no later than a day after the arrival time (a log
 *     line is not from the future; the day covers local times east of UTC, up to UTC+14, and clock skew),
 *     so 'Dec 10' arriving on June 15 is last December and 'Jan  1 00:00:01' arriving on Dec 31 (sender
 *     ahead) is the next year's. An RFC 3339 timestamp keeps its offset (none: UTC).
 *   - JSON lines: the time comes from the first usable of time, timestamp, @timestamp, ts, instant,
 *     timeMillis (ISO 8601 / RFC 3339 string, a zone-less one read as UTC; epoch seconds, ms, µs or ns by
 *     magnitude; log4j2's {epochSecond, nanoOfSecond}); severity from level/severity/lvl/log.level/PRIORITY
 *     (lower-cased; bunyan/pino numbers 10-60 as trace/debug/info/warn/error/fatal, journal PRIORITY 0-7 as
 *     the syslog names); message from message/msg/event/MESSAGE; host from host/hostname/_HOSTNAME; app
 *     from app/service/logger/loggerName/logger_name/log.logger/SYSLOG_IDENTIFIER/_SYSTEMD_UNIT/name;
 *     proc_id from pid/_PID; facility from the journal's SYSLOG_FACILITY (0-23 by name). Every other key,
 *     and any of those keys not used (or whose time was unusable), goes into `attributes` as a string
 *     (nested values JSON-serialized, null as 'null'): a journal entry keeps _SYSTEMD_UNIT there when
 *     SYSLOG_IDENTIFIER names the app.
 *   - Access logs: '-' user/referrer/user agent → null, '-' bytes → 0; a non-'-' identd field goes to
 *     attributes.ident, a request line that is not 'METHOD TARGET [PROTOCOL]' to attributes.request, and
 *     anything logged after the combined fields (custom nginx/Apache formats) to attributes.extra.
 *   - RFC 5424: NILVALUE '-' → null; MSGID → attributes.msgid; SD-PARAMs → attributes['sd.<id>.<name>']
 *     (a repeated name → JSON array string; an element without params → 'sd.<id>': ''); a leading BOM
 *     of MSG is dropped.
 */
import type { RecordFormat } from './record';
import {
  daysInMonth,
  isoFromEpochMs,
  isoFromEpochNumber,
  isoFromFields,
  isoFromIsoLike,
  isoFromParts,
  isoFromUtcFields,
  millisFromFraction,
  monthAt,
  monthNumber,
  offsetMinutesAt,
  offsetMinutesOf,
  offsetMinutesOfSignedHhmm,
} from './timestamps';

/** The fields a line yields; the caller adds event_id, source and ingested_at (see serialize.ts). */
export interface ParsedLine {
  format: RecordFormat;
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

export const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** RFC 5424 facility codes 0-23 by the names rsyslog uses. */
export const FACILITY_NAMES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

/** One shape for every result keeps property access monomorphic on the hot path. */
function emptyParsed(format: RecordFormat): ParsedLine {
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

function newAttributes(): Record<string, string> {
  return new AttributeMap();
}

/**
 * Parses one line (no line terminators). `arrivalMs` (epoch ms) places RFC 3164 lines, which carry no
 * year, in the right year. Never throws.
 */
export function parseLine(line: string, arrivalMs: number): ParsedLine {
  const first = line.charCodeAt(0);
  let parsed: ParsedLine | null;
  if (first === 123 /* { */) {
    parsed = parseJsonLine(line);
  } else if (first === 60 /* < */) {
    const afterPri = line.indexOf('>') + 1;
    const next = line.charCodeAt(afterPri);
    if (next === 49 /* 1 */ && line.charCodeAt(afterPri + 1) === 32) parsed = parseRfc5424(line);
    else if (next >= 48 && next <= 57 /* 0-9: a year */) parsed = parseSyslogRfc3339(line);
    else parsed = parseRfc3164(line, arrivalMs);
  } else if (first >= 65 && first <= 90 /* A-Z */) {
    parsed = parseRfc3164(line, arrivalMs) ?? parseAccessLog(line);
  } else if (line.charCodeAt(4) === 45 /* - */ && line.charCodeAt(10) === 84 /* T */) {
    // 'YYYY-MM-DDT': no client address or vhost of an access log looks like that.
    parsed = parseSyslogRfc3339(line) ?? parseAccessLog(line);
  } else {
    parsed = parseAccessLog(line);
  }
  parsed ??= unparsedLine(line);
  // Every text field is a slice of the line (or, for JSON, a string literal of a line without escapes),
  // so a line without characters JSON must escape yields fields without them.
  // Access logs set their own hint: their quoted fields exclude the quotes.
  if (parsed.format === 'unparsed' || parsed.format === 'syslog_rfc3164' || parsed.format === 'syslog_rfc5424') {
    parsed.plainText = !NEEDS_JSON_ESCAPE.test(line);
  }
  return parsed;
}

/**
 * Characters JSON.stringify escapes: '"', '\\', controls, and lone surrogates (any surrogate is flagged,
 * so a line with an emoji simply takes the escaping path).
 */
// eslint-disable-next-line no-control-regex -- the control characters are exactly what JSON escapes
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex -- as above, minus '"' (access-log fields exclude their quotes)
const BACKSLASH_CONTROL_OR_SURROGATE = /[\\\u0000-\u001f\ud800-\udfff]/;
/** JSON string literals without a backslash hold no '"', '\\' or controls; surrogates are checked apart. */
const BACKSLASH_OR_SURROGATE = /[\\\ud800-\udfff]/;

// ---------------------------------------------------------------------------------------------------------
// Apache common / combined (and nginx combined).

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

function dashToNull(value: string): string | null {
  return value === '-' ? null : value;
}

function parseAccessLog(line: string): ParsedLine | null {
  const fast = parseAccessLogByPositions(line);
  return fast !== undefined ? fast : parseAccessLogByRegex(line);
}

function parseAccessLogByRegex(line: string): ParsedLine | null {
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
function parseAccessLogByPositions(line: string): ParsedLine | null | undefined {
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

/** End of the token at `start`: the index of the first character that is not printable ASCII (a space ends it). */
function tokenEnd(line: string, start: number): number {
  let at = start;
  for (let c = line.charCodeAt(at); c > 32 && c < 127; c = line.charCodeAt(++at));
  return at;
}

/** The two decimal digits at `at` as a number, or -1. */
function twoDigitsAt(line: string, at: number): number {
  const tens = line.charCodeAt(at) - 48;
  const ones = line.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** Whether line[start..end) is '-', the access log's "no value". */
function isDashAt(line: string, start: number, end: number): boolean {
  return end === start + 1 && line.charCodeAt(start) === 45;
}

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

// ---------------------------------------------------------------------------------------------------------
// Syslog RFC 3164 (BSD syslog) and its RFC 3339 variant.

/** RFC 3164's 'Mmm dd hh:mm:ss', the day space-padded, zero-padded or not padded, with optional fractional seconds. */
const RFC3164 = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (.*)$/s;
/**
 * The same layout with an RFC 3339 timestamp, as rsyslog's high-precision file format (RSYSLOG_FileFormat)
 * and forwarders sending '<PRI>' + RFC 3339 write it. Offsets with or without the colon; none is read as UTC.
 */
const SYSLOG_RFC3339 =
  /^(?:<(\d{1,3})>)?(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})? (.*)$/s;
/** TAG[PID]: as real daemons write it: any run of non-space, non-'[' non-':' chars (postfix/smtp, CRON). */
const TAG = /^([^\s[:]{1,64})(?:\[([^\]\s]{0,64})\])?:(?: |$)/;

/** Sets facility and severity from a PRI value's digits; false when it is out of range (0..191). */
function applyPri(parsed: ParsedLine, priText: string): boolean {
  return setPri(parsed, priAt(priText, 0, priText.length));
}

/** The PRI value of the digits text[start..end), or -1 when it is above 191 or has a leading zero. */
function priAt(text: string, start: number, end: number): number {
  if (end - start > 1 && text.charCodeAt(start) === 48) return -1;
  let pri = 0;
  for (let at = start; at < end; at++) pri = pri * 10 + text.charCodeAt(at) - 48;
  return pri > 191 ? -1 : pri;
}

/** Sets facility and severity from a PRI value; false for -1 (priAt's out of range). */
function setPri(parsed: ParsedLine, pri: number): boolean {
  if (pri < 0) return false;
  parsed.facility = FACILITY_NAMES[pri >> 3];
  parsed.severity = SEVERITY_NAMES[pri & 7];
  return true;
}

function parseRfc3164(line: string, arrivalMs: number): ParsedLine | null {
  const fast = parseRfc3164ByPositions(line, arrivalMs);
  return fast !== undefined ? fast : parseRfc3164ByRegex(line, arrivalMs);
}

function parseRfc3164ByRegex(line: string, arrivalMs: number): ParsedLine | null {
  const m = RFC3164.exec(line);
  if (m === null) return null;
  const month = monthNumber(m[2]);
  if (month === undefined) return null;
  const parsed = emptyParsed('syslog_rfc3164');
  if (m[1] !== undefined && !applyPri(parsed, m[1])) return null;
  const timestamp = rfc3164Timestamp(month, +m[3], +m[4], +m[5], +m[6], +millisFromFraction(m[7]), arrivalMs);
  if (timestamp === null) return null;
  parsed.timestamp = timestamp;
  setSyslogBody(parsed, m[8]);
  return parsed;
}

/**
 * RFC3164's result by positions, without its 8-group match: undefined for a line of another shape, which
 * the regex then reads (a test holds the two to each other).
 */
function parseRfc3164ByPositions(line: string, arrivalMs: number): ParsedLine | null | undefined {
  let at = 0;
  let pri = -2; // none
  if (line.charCodeAt(0) === 60 /* < */) {
    while (at < 3 && isDigit(line.charCodeAt(at + 1))) at++;
    if (at === 0 || line.charCodeAt(at + 1) !== 62 /* > */) return undefined;
    pri = priAt(line, 1, at + 1);
    at += 2;
  }
  // Mmm, one or two spaces, d or dd, ' hh:mm:ss', optional '.' and 1-9 digits, ' '.
  if (!isUpper(line.charCodeAt(at)) || !isLower(line.charCodeAt(at + 1)) || !isLower(line.charCodeAt(at + 2))) return undefined;
  const monthStart = at;
  at += 3;
  if (line.charCodeAt(at) !== 32) return undefined;
  if (line.charCodeAt(++at) === 32) at++;
  if (!isDigit(line.charCodeAt(at))) return undefined;
  let day = line.charCodeAt(at++) - 48;
  if (isDigit(line.charCodeAt(at))) day = day * 10 + line.charCodeAt(at++) - 48;
  const hour = twoDigitsAt(line, at + 1);
  const minute = twoDigitsAt(line, at + 4);
  const second = twoDigitsAt(line, at + 7);
  if (line.charCodeAt(at) !== 32 || line.charCodeAt(at + 3) !== 58 || line.charCodeAt(at + 6) !== 58 || (hour | minute | second) < 0) return undefined;
  at += 9;
  let millis = 0;
  if (line.charCodeAt(at) === 46 /* . */) {
    const fractionStart = ++at;
    while (isDigit(line.charCodeAt(at))) {
      if (at - fractionStart < 3) millis += (line.charCodeAt(at) - 48) * (at === fractionStart ? 100 : at === fractionStart + 1 ? 10 : 1);
      at++;
    }
    if (at === fractionStart || at - fractionStart > 9) return undefined;
  }
  if (line.charCodeAt(at) !== 32) return undefined;

  const month = monthAt(line, monthStart);
  if (month === undefined) return null;
  const parsed = emptyParsed('syslog_rfc3164');
  if (pri !== -2 && !setPri(parsed, pri)) return null;
  const timestamp = rfc3164Timestamp(month, day, hour, minute, second, millis, arrivalMs);
  if (timestamp === null) return null;
  parsed.timestamp = timestamp;
  setSyslogBody(parsed, line.slice(at + 1));
  return parsed;
}

/** '[<PRI>]YYYY-MM-DDThh:mm:ss[.frac][zone] HOSTNAME TAG[PID]: MSG' (format 'syslog_rfc3164', see the schema). */
function parseSyslogRfc3339(line: string): ParsedLine | null {
  const m = SYSLOG_RFC3339.exec(line);
  if (m === null) return null;
  const parsed = emptyParsed('syslog_rfc3164');
  if (m[1] !== undefined && !applyPri(parsed, m[1])) return null;
  const offset = m[9] === undefined ? 0 : offsetMinutesOf(m[9]);
  if (offset === null) return null;
  const timestamp = isoFromParts(m[2], +m[3], m[4], m[5], m[6], m[7], millisFromFraction(m[8]), offset);
  if (timestamp === null) return null;
  parsed.timestamp = timestamp;
  setSyslogBody(parsed, m[10]);
  return parsed;
}

/** HOSTNAME TAG[PID]: MSG after the timestamp, into host, app, proc_id and message. */
function setSyslogBody(parsed: ParsedLine, body: string): void {
  // HOSTNAME is optional in practice: a first token that already looks like 'tag:' or 'tag[pid]:' is the tag.
  let rest = body;
  const space = rest.indexOf(' ');
  const firstToken = space === -1 ? rest : rest.slice(0, space);
  if (firstToken.length > 0 && !firstToken.endsWith(':') && !firstToken.endsWith(']:')) {
    parsed.host = firstToken;
    rest = space === -1 ? '' : rest.slice(space + 1);
  }
  const tag = TAG.exec(rest);
  if (tag !== null) {
    parsed.app = tag[1];
    parsed.proc_id = tag[2] === undefined || tag[2] === '' ? null : tag[2];
    rest = rest.slice(tag[0].length);
  }
  parsed.message = rest;
}

/** The UTC year of the last time seen, with its bounds: a batch's arrivals share a year. */
let cachedYear = NaN;
let cachedYearStartMs = NaN;
let cachedYearEndMs = NaN;

function utcYearOf(epochMs: number): number {
  if (!(epochMs >= cachedYearStartMs && epochMs < cachedYearEndMs)) {
    cachedYear = new Date(epochMs).getUTCFullYear();
    cachedYearStartMs = Date.UTC(cachedYear, 0, 1);
    cachedYearEndMs = Date.UTC(cachedYear + 1, 0, 1);
  }
  return cachedYear;
}

/**
 * How far after its arrival an RFC 3164 time may be and still count as the arrival's year. The time is the
 * sender's local time read as UTC, so a fresh line from a host east of UTC looks up to 14 hours ahead
 * (UTC+14 is the largest offset); the rest of the day covers clock skew. Anything later is last year's.
 */
export const RFC3164_FUTURE_ALLOWANCE_MS = 24 * 3600 * 1000;

/**
 * The most recent year that puts the date no later than the arrival plus RFC3164_FUTURE_ALLOWANCE_MS (a log
 * line is not from the future); null for a date no year makes valid. Feb 29 goes back to the last leap year.
 */
function rfc3164Timestamp(month: number, d: number, h: number, mi: number, s: number, millis: number, arrivalMs: number): string | null {
  // Feb 29 exists in a leap year such as 2000; Feb 30, Apr 31, 25:00 and :60 exist in none.
  if (d < 1 || d > daysInMonth(2000, month) || h > 23 || mi > 59 || s > 59) return null;
  const latest = (Number.isFinite(arrivalMs) ? arrivalMs : Date.now()) + RFC3164_FUTURE_ALLOWANCE_MS;
  const latestYear = utcYearOf(latest);
  // Leap years are at most 8 apart (2096 → 2104), so Feb 29 finds one within 8 years back.
  for (let year = latestYear; year >= latestYear - 8; year--) {
    if (d > daysInMonth(year, month)) continue;
    if (Date.UTC(year, month - 1, d, h, mi, s, millis) <= latest) return isoFromUtcFields(year, month, d, h, mi, s, millis);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Syslog RFC 5424.

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

function parseRfc5424(line: string): ParsedLine | null {
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
const UNSURE = -2;

/**
 * RFC5424_HEADER and the RFC3339 timestamp read by positions, for headers of printable ASCII tokens:
 * sets PRI, timestamp, HOSTNAME, APP-NAME, PROCID and MSGID into `parsed` and returns the index after the
 * header (-1: not a valid header, as the regex path would say), or UNSURE for anything else (non-ASCII
 * tokens, a timestamp in another shape), which the regex path then reads.
 */
function rfc5424HeaderByPositions(line: string, parsed: ParsedLine): number {
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
function rfc5424HeaderByRegex(line: string, parsed: ParsedLine): number {
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

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
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

// ---------------------------------------------------------------------------------------------------------
// JSON lines.

/**
 * Keys with a role, in priority order per role; the first usable one fills the field. They are the default
 * keys of the widespread JSON loggers: pino and bunyan (time, level as a number, msg, hostname, pid, name),
 * zap (ts in epoch seconds, level, msg), logrus and Go's slog (time, level, msg), log4j2's JsonLayout and
 * JsonTemplateLayout (instant {epochSecond, nanoOfSecond} or timeMillis, level, loggerName, message), ECS
 * layouts (@timestamp, log.level, log.logger, message), logstash-logback (@timestamp, level, logger_name),
 * structlog (timestamp, level, event), Powertools and winston (timestamp, level, message, service), and a
 * journal entry as Fluent Bit's systemd input emits it (MESSAGE, PRIORITY, SYSLOG_FACILITY,
 * SYSLOG_IDENTIFIER, _SYSTEMD_UNIT, _HOSTNAME, _PID; the agent adds `time`).
 * At most 31 keys in all: roleKeysPresent is a 32-bit mask.
 */
const ROLE_TIME = 0;
const ROLE_SEVERITY = 1;
const ROLE_MESSAGE = 2;
const ROLE_HOST = 3;
const ROLE_APP = 4;
const ROLE_PROC_ID = 5;
const ROLE_FACILITY = 6;
const ROLE_KEYS: readonly (readonly string[])[] = [
  ['time', 'timestamp', '@timestamp', 'ts', 'instant', 'timeMillis'],
  ['level', 'severity', 'lvl', 'log.level', 'PRIORITY'],
  ['message', 'msg', 'event', 'MESSAGE'],
  ['host', 'hostname', '_HOSTNAME'],
  ['app', 'service', 'logger', 'loggerName', 'logger_name', 'log.logger', 'SYSLOG_IDENTIFIER', '_SYSTEMD_UNIT', 'name'],
  ['pid', '_PID'],
  ['SYSLOG_FACILITY'],
];

/**
 * The flat position of a role key in ROLE_KEYS (time keys 0-5, level 6, ...), or -1 (a test checks it
 * against ROLE_KEYS). A switch: JSON.parse's keys are internalized strings, and it measured quicker than a
 * Map lookup per key.
 */
export function roleKeyIndex(key: string): number {
  switch (key) {
    case 'time':
      return 0;
    case 'timestamp':
      return 1;
    case '@timestamp':
      return 2;
    case 'ts':
      return 3;
    case 'instant':
      return 4;
    case 'timeMillis':
      return 5;
    case 'level':
      return 6;
    case 'severity':
      return 7;
    case 'lvl':
      return 8;
    case 'log.level':
      return 9;
    case 'PRIORITY':
      return 10;
    case 'message':
      return 11;
    case 'msg':
      return 12;
    case 'event':
      return 13;
    case 'MESSAGE':
      return 14;
    case 'host':
      return 15;
    case 'hostname':
      return 16;
    case '_HOSTNAME':
      return 17;
    case 'app':
      return 18;
    case 'service':
      return 19;
    case 'logger':
      return 20;
    case 'loggerName':
      return 21;
    case 'logger_name':
      return 22;
    case 'log.logger':
      return 23;
    case 'SYSLOG_IDENTIFIER':
      return 24;
    case '_SYSTEMD_UNIT':
      return 25;
    case 'name':
      return 26;
    case 'pid':
      return 27;
    case '_PID':
      return 28;
    case 'SYSLOG_FACILITY':
      return 29;
    default:
      return -1;
  }
}

/** The role keys in priority order per role (time, severity, message, host, app, proc_id, facility). */
export const JSON_ROLE_KEYS: readonly (readonly string[])[] = ROLE_KEYS;

/** A JSON value as the schema's string attributes and text fields hold it. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const DIGITS_ONLY = /^\d{1,20}(?:\.\d+)?$/;

function jsonTimestamp(value: unknown): string | null {
  if (typeof value === 'number') return isoFromEpochNumber(value);
  if (typeof value === 'string') return DIGITS_ONLY.test(value) ? isoFromEpochNumber(+value) : isoFromIsoLike(value);
  // log4j2's instant: {"epochSecond": 1764071559, "nanoOfSecond": 142999000}.
  if (value !== null && typeof value === 'object') {
    const { epochSecond, nanoOfSecond } = value as { epochSecond?: unknown; nanoOfSecond?: unknown };
    if (typeof epochSecond === 'number' && Number.isInteger(epochSecond) && epochSecond >= 0) {
      const nanos = nanoOfSecond === undefined ? 0 : nanoOfSecond;
      if (typeof nanos === 'number' && Number.isInteger(nanos) && nanos >= 0 && nanos < 1e9) {
        return isoFromEpochMs(epochSecond * 1000 + Math.floor(nanos / 1e6));
      }
    }
  }
  return null;
}

/** bunyan's and pino's numeric levels by name; other numbers are kept as written. */
function numericLevelName(level: number): string | null {
  switch (level) {
    case 10:
      return 'trace';
    case 20:
      return 'debug';
    case 30:
      return 'info';
    case 40:
      return 'warn';
    case 50:
      return 'error';
    case 60:
      return 'fatal';
    default:
      return null;
  }
}

/** The name at a syslog code written as a number or a digit string (journal PRIORITY "6" → 'info'), or null. */
function codeName(value: unknown, names: readonly string[]): string | null {
  const code = typeof value === 'string' && value.length <= 2 && value.length > 0 ? +value : value;
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code < names.length ? names[code] : null;
}

/** A level as the schema's severity holds it: lower-cased, numeric levels by name. */
function severityOf(key: string, value: unknown): string | null {
  if (value === null) return null;
  if (key === 'PRIORITY') return codeName(value, SEVERITY_NAMES) ?? asText(value).toLowerCase();
  if (typeof value === 'number') return numericLevelName(value) ?? String(value);
  return asText(value).toLowerCase();
}

function parseJsonLine(line: string): ParsedLine | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const object = value as Record<string, unknown>;
  const parsed = emptyParsed('json');
  const attributes = newAttributes();
  let attributeCount = 0;
  let nonPlainRole = false;
  // Bit i set: the line has the role key at flat position i (roleKeyIndex); one pass finds them all.
  let roleKeysPresent = 0;
  for (const key in object) {
    const index = roleKeyIndex(key);
    if (index !== -1) {
      roleKeysPresent |= 1 << index;
      continue;
    }
    attributes[key] = asText(object[key]);
    attributeCount++;
  }
  let index = 0;
  for (let role = 0; role < ROLE_KEYS.length && roleKeysPresent !== 0; role++) {
    let chosen = false;
    for (const key of ROLE_KEYS[role]) {
      if ((roleKeysPresent & (1 << index++)) === 0) continue;
      const field = object[key];
      if (!chosen) {
        if (role === ROLE_TIME) {
          const timestamp = jsonTimestamp(field);
          if (timestamp !== null) {
            parsed.timestamp = timestamp;
            chosen = true;
            continue;
          }
        } else {
          chosen = true;
          // Serialized objects and arrays hold quotes; numbers, booleans and the names used here do not.
          if (field !== null && typeof field === 'object') nonPlainRole = true;
          if (role === ROLE_SEVERITY) parsed.severity = severityOf(key, field);
          else if (role === ROLE_FACILITY) parsed.facility = field === null ? null : (codeName(field, FACILITY_NAMES) ?? asText(field));
          else {
            const text = field === null ? null : asText(field);
            if (role === ROLE_MESSAGE) parsed.message = text;
            else if (role === ROLE_HOST) parsed.host = text;
            else if (role === ROLE_APP) parsed.app = text;
            else if (role === ROLE_PROC_ID) parsed.proc_id = text;
          }
          continue;
        }
      }
      // Not the field's source: keep it, so nothing is lost.
      attributes[key] = asText(field);
      attributeCount++;
    }
  }
  parsed.attributes = attributeCount === 0 ? null : attributes;
  // Serialized nested values (an object message, level...) hold quotes: those take the escaping path.
  parsed.plainText = nonPlainRole === false && !BACKSLASH_OR_SURROGATE.test(line);
  return parsed;
}

/**
 * The readers that have a fast path by positions and the regex path it must agree with, for the test that
 * holds each pair to the same result (test/lambda/parse-paths.property.test.ts). Not for other use.
 */
export const PARSE_PATHS = {
  accessLog: { byPositions: parseAccessLogByPositions, byRegex: parseAccessLogByRegex },
  rfc3164: { byPositions: parseRfc3164ByPositions, byRegex: parseRfc3164ByRegex },
  rfc5424Header: {
    byPositions: (line: string): { end: number; parsed: ParsedLine } | undefined => {
      const parsed = emptyParsed('syslog_rfc5424');
      const end = rfc5424HeaderByPositions(line, parsed);
      return end === UNSURE ? undefined : { end, parsed };
    },
    byRegex: (line: string): { end: number; parsed: ParsedLine } => {
      const parsed = emptyParsed('syslog_rfc5424');
      return { end: rfc5424HeaderByRegex(line, parsed), parsed };
    },
  },
};
