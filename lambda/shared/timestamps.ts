/**
 * Timestamp normalization to the schema's form, UTC ISO 8601 with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ).
 *
 * Hot path: a time already in UTC is rewritten as a string, without a Date; only a non-zero offset or
 * an epoch number goes through Date arithmetic. Years outside 1000..9999 are rejected because the
 * schema's pattern has exactly four year digits.
 */

const MIN_EPOCH_MS = Date.UTC(1000, 0, 1);
const MAX_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Month number (1-12) of the English three-letter abbreviations used by Apache and RFC 3164, undefined
 * for anything else. A switch: a lookup in a prototype-less object map costs a dictionary probe per line.
 */
export function monthNumber(abbreviation: string): number | undefined {
  switch (abbreviation) {
    case 'Jan':
      return 1;
    case 'Feb':
      return 2;
    case 'Mar':
      return 3;
    case 'Apr':
      return 4;
    case 'May':
      return 5;
    case 'Jun':
      return 6;
    case 'Jul':
      return 7;
    case 'Aug':
      return 8;
    case 'Sep':
      return 9;
    case 'Oct':
      return 10;
    case 'Nov':
      return 11;
    case 'Dec':
      return 12;
    default:
      return undefined;
  }
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : String(n)));
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month];
}

const DAY_MS = 86_400_000;
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
/** The last day formatted: records in a batch arrive within seconds, so most calls skip Date entirely. */
let cachedDayStart = NaN;
let cachedDayPrefix = '';

/** Epoch milliseconds → schema timestamp, or null outside years 1000..9999 or for non-finite input. */
export function isoFromEpochMs(epochMs: number): string | null {
  if (!(epochMs >= MIN_EPOCH_MS && epochMs <= MAX_EPOCH_MS)) return null;
  const ms = Math.floor(epochMs);
  let inDay = ms - cachedDayStart;
  if (!(inDay >= 0 && inDay < DAY_MS)) {
    cachedDayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
    cachedDayPrefix = new Date(cachedDayStart).toISOString().slice(0, 11);
    inDay = ms - cachedDayStart;
  }
  const seconds = Math.floor(inDay / 1000);
  return (
    `${cachedDayPrefix}${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:` +
    `${TWO_DIGITS[seconds % 60]}.${THREE_DIGITS[inDay % 1000]}Z`
  );
}

/** The first three digits of a fraction of a second ('5' → '500', '123456' → '123'); truncates, never rounds. */
export function millisFromFraction(fraction: string | undefined): string {
  if (fraction === undefined || fraction.length === 0) return '000';
  if (fraction.length >= 3) return fraction.length === 3 ? fraction : fraction.slice(0, 3);
  return fraction.length === 1 ? `${fraction}00` : `${fraction}0`;
}

/**
 * Calendar parts as written in the line (year 4 digits; day, hour, minute, second 2 digits; millis 3
 * digits) at a UTC offset → schema timestamp; null for an impossible date or time (Feb 30, 25:00, :60).
 */
export function isoFromParts(
  year: string,
  month: number,
  day: string,
  hour: string,
  minute: string,
  second: string,
  millis: string,
  offsetMinutes: number,
): string | null {
  const y = +year;
  const d = +day;
  const h = +hour;
  const mi = +minute;
  const s = +second;
  if (!(month >= 1 && month <= 12) || y < 1000 || d < 1 || d > daysInMonth(y, month) || h > 23 || mi > 59 || s > 59) {
    return null;
  }
  if (offsetMinutes === 0) {
    return `${year}-${TWO_DIGITS[month]}-${day}T${hour}:${minute}:${second}.${millis}Z`;
  }
  return isoFromEpochMs(Date.UTC(y, month - 1, d, h, mi, s, +millis) - offsetMinutes * 60_000);
}

/** '+HH:MM', '+HHMM', '+HH', 'Z' → minutes east of UTC; null when malformed or beyond ±18:00. */
export function offsetMinutesOf(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.charCodeAt(0) === 45 /* - */ ? -1 : zone.charCodeAt(0) === 43 /* + */ ? 1 : 0;
  if (sign === 0) return null;
  const digits = zone.length === 6 && zone[3] === ':' ? zone.slice(1, 3) + zone.slice(4) : zone.slice(1);
  if (!/^\d{2}(\d{2})?$/.test(digits)) return null;
  const hours = +digits.slice(0, 2);
  const minutes = digits.length === 4 ? +digits.slice(2) : 0;
  if (hours > 18 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

/**
 * offsetMinutesOf for a zone already known to be [+-]HHMM (Apache's %z): the same result, read from the
 * char codes without slicing or a regex.
 */
export function offsetMinutesOfSignedHhmm(zone: string): number | null {
  const hours = (zone.charCodeAt(1) - 48) * 10 + zone.charCodeAt(2) - 48;
  const minutes = (zone.charCodeAt(3) - 48) * 10 + zone.charCodeAt(4) - 48;
  if (hours > 18 || minutes > 59) return null;
  const offset = hours * 60 + minutes;
  return zone.charCodeAt(0) === 45 /* - */ ? -offset : offset;
}

const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)? ?(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * An ISO 8601 / RFC 3339 date-time string as JSON loggers write it → schema timestamp. A time without a
 * zone is taken as UTC (documented in parse-line.ts). Null when the string is not such a date-time.
 */
export function isoFromIsoLike(text: string): string | null {
  const m = ISO_LIKE.exec(text);
  if (m === null) return null;
  const zone = m[8];
  let offset = 0;
  if (zone !== undefined && zone !== 'UTC' && zone !== 'GMT') {
    const parsed = offsetMinutesOf(zone);
    if (parsed === null) return null;
    offset = parsed;
  }
  return isoFromParts(m[1], +m[2], m[3], m[4], m[5], m[6] ?? '00', millisFromFraction(m[7]), offset);
}

/**
 * Epoch number → schema timestamp, guessing the unit from the magnitude as log libraries use it:
 * < 1e11 seconds (until year 5138), < 1e14 milliseconds, < 1e17 microseconds, else nanoseconds.
 */
export function isoFromEpochNumber(value: number): string | null {
  if (!Number.isFinite(value) || value < 0) return null;
  let ms: number;
  if (value < 1e11) ms = Math.round(value * 1000);
  else if (value < 1e14) ms = value;
  else if (value < 1e17) ms = value / 1000;
  else ms = value / 1e6;
  return isoFromEpochMs(ms);
}
