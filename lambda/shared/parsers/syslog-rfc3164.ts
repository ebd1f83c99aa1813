/**
 * Syslog RFC 3164 (BSD syslog) and its RFC 3339 variant: one layout, HOSTNAME TAG[PID]: MSG, whichever clock
 * wrote it, so both give format 'syslog_rfc3164'.
 *
 * 'Mmm d hh:mm:ss[.frac]' carries no year and no zone: it is read as UTC, in the most recent year that puts
 * it no later than a day after the arrival time (a log line is not from the future; the day covers local
 * times east of UTC, up to UTC+14, and clock skew), so 'Dec 10' arriving on June 15 is last December and
 * 'Jan  1 00:00:01' arriving on Dec 31 (sender ahead) is the next year's. An RFC 3339 timestamp keeps its
 * offset (none: UTC).
 */
import { daysInMonth, isoFromParts, isoFromUtcFields, millisFromFraction, monthNumber, offsetMinutesOf } from '../timestamps';
import { emptyParsed, type ParsedLine } from './parsed-line';
import { applyPri } from './syslog-pri';

/** RFC 3164's 'Mmm dd hh:mm:ss', the day space-padded, zero-padded or not padded, with optional fractional seconds. */
const RFC3164 = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (.*)$/s;
/**
 * The same layout with an RFC 3339 timestamp, as rsyslog's high-precision file format (RSYSLOG_FileFormat)
 * and forwarders sending '<PRI>' + RFC 3339 write it. Offsets with or without the colon; none is read as UTC.
 */
const SYSLOG_RFC3339 = /^(?:<(\d{1,3})>)?(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})? (.*)$/s;
/** TAG[PID]: as real daemons write it: any run of non-space, non-'[' non-':' chars (postfix/smtp, CRON). */
const TAG = /^([^\s[:]{1,64})(?:\[([^\]\s]{0,64})\])?:(?: |$)/;

export function parseRfc3164(line: string, arrivalMs: number): ParsedLine | null {
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

/** '[<PRI>]YYYY-MM-DDThh:mm:ss[.frac][zone] HOSTNAME TAG[PID]: MSG' (format 'syslog_rfc3164', see the schema). */
export function parseSyslogRfc3339(line: string): ParsedLine | null {
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
