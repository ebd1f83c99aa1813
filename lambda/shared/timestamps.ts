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
 * for anything else.
 */
export function monthNumber(abbreviation: string): number | undefined {
  return abbreviation.length === 3 ? monthAt(abbreviation, 0) : undefined;
}

/**
 * monthNumber of the three characters of `text` at `at`, read from their char codes: no substring on the
 * hot path. A switch over the packed codes: a lookup in a prototype-less object map costs a dictionary
 * probe per line.
 */
function monthAt(text: string, at: number): number | undefined {
  switch ((text.charCodeAt(at) << 16) | (text.charCodeAt(at + 1) << 8) | text.charCodeAt(at + 2)) {
    case 0x4a616e /* Jan */:
      return 1;
    case 0x466562 /* Feb */:
      return 2;
    case 0x4d6172 /* Mar */:
      return 3;
    case 0x417072 /* Apr */:
      return 4;
    case 0x4d6179 /* May */:
      return 5;
    case 0x4a756e /* Jun */:
      return 6;
    case 0x4a756c /* Jul */:
      return 7;
    case 0x417567 /* Aug */:
      return 8;
    case 0x536570 /* Sep */:
      return 9;
    case 0x4f6374 /* Oct */:
      return 10;
    case 0x4e6f76 /* Nov */:
      return 11;
    case 0x446563 /* Dec */:
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

const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
/** Milliseconds and the zone letter, '000Z'..'999Z': the end of every schema timestamp in one piece. */
const MILLIS_Z = THREE_DIGITS.map((digits) => `${digits}Z`);
const DAY_MS = 86_400_000;
/** The last day formatted ('YYYY-MM-DDT'): records in a batch arrive within seconds, so Date is rare. */
let cachedDayStart = NaN;
let cachedDayPrefix = '';
/**
 * The last second formatted, up to its '.': most calls then cost one concatenation (and one string for
 * the collector) instead of eight pieces.
 */
let cachedSecondStart = NaN;
let cachedSecondPrefix = '';

/** Whether isoFromEpochMs gives a timestamp for `epochMs` (years 1000..9999), without building it. */
export function isSchemaEpochMs(epochMs: number): boolean {
  return epochMs >= MIN_EPOCH_MS && epochMs <= MAX_EPOCH_MS;
}

/** Epoch milliseconds → schema timestamp, or null outside years 1000..9999 or for non-finite input. */
export function isoFromEpochMs(epochMs: number): string | null {
  if (!(epochMs >= MIN_EPOCH_MS && epochMs <= MAX_EPOCH_MS)) return null;
  const ms = Math.floor(epochMs);
  const inSecond = ms - cachedSecondStart;
  if (inSecond >= 0 && inSecond < 1000) return cachedSecondPrefix + MILLIS_Z[inSecond];
  let inDay = ms - cachedDayStart;
  if (!(inDay >= 0 && inDay < DAY_MS)) {
    cachedDayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
    cachedDayPrefix = new Date(cachedDayStart).toISOString().slice(0, 11);
    inDay = ms - cachedDayStart;
  }
  const seconds = Math.floor(inDay / 1000);
  cachedSecondStart = cachedDayStart + seconds * 1000;
  cachedSecondPrefix = `${cachedDayPrefix}${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}.`;
  return cachedSecondPrefix + MILLIS_Z[inDay % 1000];
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
  if (!isDateTime(y, month, d, h, mi, s)) return null;
  if (offsetMinutes === 0) {
    return `${year}-${TWO_DIGITS[month]}-${day}T${hour}:${minute}:${second}.${millis}Z`;
  }
  return isoFromEpochMs(Date.UTC(y, month - 1, d, h, mi, s, +millis) - offsetMinutes * 60_000);
}

/**
 * isoFromParts of a UTC time given as numbers, each part written with its digits as isoFromParts takes
 * them (day, hour, minute, second two; millis three): the same text, from preformatted pieces.
 */
export function isoFromUtcFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
): string | null {
  return isoFromParts(
    String(year),
    month,
    TWO_DIGITS[day],
    TWO_DIGITS[hour],
    TWO_DIGITS[minute],
    TWO_DIGITS[second],
    THREE_DIGITS[millis],
    0,
  );
}

/** A date and time that exist, in years the schema's four digits can write (1000 and later). */
function isDateTime(y: number, month: number, d: number, h: number, mi: number, s: number): boolean {
  return !(!(month >= 1 && month <= 12) || y < 1000 || d < 1 || d > daysInMonth(y, month) || h > 23 || mi > 59 || s > 59);
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
  return offsetMinutesAt(zone, 0);
}

/** offsetMinutesOfSignedHhmm of the five characters of `text` at `at` (known to be [+-]HHMM). */
function offsetMinutesAt(text: string, at: number): number | null {
  const hours = (text.charCodeAt(at + 1) - 48) * 10 + text.charCodeAt(at + 2) - 48;
  const minutes = (text.charCodeAt(at + 3) - 48) * 10 + text.charCodeAt(at + 4) - 48;
  if (hours > 18 || minutes > 59) return null;
  const offset = hours * 60 + minutes;
  return text.charCodeAt(at) === 45 /* - */ ? -offset : offset;
}

const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)? ?(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * An ISO 8601 / RFC 3339 date-time string as JSON loggers write it → schema timestamp. A time without a
 * zone is taken as UTC (documented in parsers/json-line.ts). Null when the string is not such a date-time.
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
