/**
 * Custom formats: line formats defined in configuration (a stage's `formats`, or `npm run local -- --formats
 * FILE`), not in code. Each is a regular expression whose named groups become record fields.
 *
 * Conventions:
 *   - A group named like a schema field fills that field (host, client_ip, user, method, path, protocol,
 *     status, bytes, referrer, user_agent, severity, facility, app, proc_id, message); any other group goes
 *     into `attributes` under its name. Groups that did not take part in the match are left out.
 *   - The time group (`time.group`, default 'timestamp') is read with `time.layout` in `time.zone` (see
 *     TIME_LAYOUTS); a line whose time cannot be read, or whose status/bytes is not a number the schema
 *     allows, does not match the format (it goes on to the next custom format, else 'unparsed').
 *   - severity is lower-cased, as JSON lines' levels are.
 *   - The record's `format` is the format's name.
 * Custom formats are tried only after every built-in parser failed: the built-ins win where they match.
 *
 * Deployed functions load the stage's formats from CUSTOM_FORMATS_FILE next to their index.js, which
 * bundling writes at synth (lib/lambda-bundling.ts); nothing is fetched at run time. Validation (examples,
 * backtracking trial, names) is lib/constructs/custom-formats/custom-formats-config.ts, at synth.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOG_RECORD_FIELDS } from '../../../contracts/record';
import { daysInMonth, isoFromEpochMs, isoFromIsoLike, millisFromFraction, offsetMinutesOf } from '../timestamps';
import { emptyParsed, newAttributes, type ParsedLine } from './parsed-line';

/** One custom format as configured (the stage config's `formats` entries and the --formats JSON file). */
export interface CustomFormatDefinition {
  /** The record's `format` value: lower case letters, digits and '_', starting with a letter, at most 40. */
  readonly name: string;
  /** A JavaScript regular expression, starting with '^', with named groups `(?<field>...)`. */
  readonly pattern: string;
  /** @default no time: the record's timestamp is its ingestion time */
  readonly time?: CustomFormatTime;
  /** Lines of the format and the fields each must give: checked at synth. At least one. */
  readonly examples: readonly CustomFormatExample[];
}

export interface CustomFormatTime {
  /** The named group that holds the time; the record's `timestamp` is read from it. @default 'timestamp' */
  readonly group?: string;
  /** 'iso8601', 'epoch_s', 'epoch_ms', or a strftime-like pattern (TIME_LAYOUTS). */
  readonly layout: string;
  /**
   * Zone of times without an offset of their own: 'UTC', a fixed offset like '+05:30', or an IANA name like
   * 'Europe/Berlin' (its daylight saving time applied).
   * @default 'UTC'
   */
  readonly zone?: string;
}

export interface CustomFormatExample {
  /** A line of the format as the log writes it; checked at synth to give `fields` through this format. */
  readonly line: string;
  /** Record fields the line must give (timestamp as the schema writes it, attributes by name). */
  readonly fields: Readonly<Record<string, string | number | null | Readonly<Record<string, string>>>>;
}

/** The file bundling writes next to a function's index.js: the stage's custom formats, as JSON. */
export const CUSTOM_FORMATS_FILE = 'custom-formats.json';

/**
 * strftime-like directives a layout may use; everything else is literal. %y: 69-99 is 19xx, 00-68 20xx
 * (POSIX). %f: 1-9 digits of a fraction, truncated to milliseconds. %z: Z, +HH, +HHMM or +HH:MM (then
 * `zone` is not used). %a only has to be a weekday name.
 */
export const TIME_LAYOUTS = {
  iso8601: 'ISO 8601 / RFC 3339 date-time, e.g. 2026-12-06T03:12:30.123+01:00 (no offset: the zone applies)',
  epoch_s: 'seconds since 1970, fractions allowed, e.g. 1733456789.123',
  epoch_ms: 'milliseconds since 1970, e.g. 1733456789123',
  directives: {
    '%Y': 'year, 4 digits',
    '%y': 'year, 2 digits',
    '%m': 'month, 2 digits',
    '%d': 'day of month, 2 digits',
    '%e': 'day of month, 1-2 digits, space-padded or not',
    '%H': 'hour 00-23',
    '%M': 'minute',
    '%S': 'second',
    '%f': 'fraction of a second, 1-9 digits',
    '%b': 'month abbreviation, English (Jan)',
    '%B': 'month name, English (January)',
    '%a': 'weekday abbreviation, English (Mon)',
    '%A': 'weekday name, English (Monday)',
    '%z': 'UTC offset: Z, +HH, +HHMM or +HH:MM',
    '%%': 'a literal %',
  },
} as const;

/** Schema fields a group may fill (the record's own fields are the pipeline's, `timestamp` is the time group's). */
export const GROUP_FIELDS = LOG_RECORD_FIELDS.filter(
  (f) => !['event_id', 'source', 'format', 'timestamp', 'ingested_at', 'attributes', 'raw'].includes(f),
) as readonly GroupField[];
type GroupField = Exclude<
  (typeof LOG_RECORD_FIELDS)[number],
  'event_id' | 'source' | 'format' | 'timestamp' | 'ingested_at' | 'attributes' | 'raw'
>;

export const CUSTOM_FORMAT_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** A definition that cannot be compiled; the message names what to change. */
export class CustomFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomFormatError';
  }
}

/** A format ready for the hot path. */
export interface CompiledFormat {
  readonly name: string;
  readonly regex: RegExp;
  /** [group, field] pairs for schema fields, then attribute groups. */
  readonly fieldGroups: readonly (readonly [string, GroupField])[];
  readonly attributeGroups: readonly string[];
  readonly timeGroup: string | null;
  /** The time group's text → schema timestamp, or null when it cannot be read. */
  readonly readTime: ((text: string) => string | null) | null;
}

/** Compiles one definition; throws CustomFormatError naming the problem (the config check reports it per format). */
export function compileCustomFormat(definition: CustomFormatDefinition): CompiledFormat {
  let regex: RegExp;
  try {
    regex = new RegExp(definition.pattern);
  } catch (error) {
    throw new CustomFormatError(`pattern does not compile: ${(error as Error).message}`);
  }
  const groups = namedGroups(definition.pattern);
  const timeGroup = definition.time === undefined ? null : (definition.time.group ?? 'timestamp');
  if (timeGroup !== null && !groups.includes(timeGroup)) {
    throw new CustomFormatError(
      `time.group '${timeGroup}' is not a named group of the pattern (its groups: ${groups.join(', ') || 'none'})`,
    );
  }
  if (timeGroup !== 'timestamp' && groups.includes('timestamp')) {
    throw new CustomFormatError("a group named 'timestamp' must be the time group (set time: { group: 'timestamp', layout: ... })");
  }
  const fieldGroups: (readonly [string, GroupField])[] = [];
  const attributeGroups: string[] = [];
  for (const group of groups) {
    if (group === timeGroup) continue;
    if ((GROUP_FIELDS as readonly string[]).includes(group)) fieldGroups.push([group, group as GroupField]);
    else if ((LOG_RECORD_FIELDS as readonly string[]).includes(group)) {
      throw new CustomFormatError(
        `group '${group}' names a field the pipeline writes itself; groups may fill ${GROUP_FIELDS.join(', ')} (other names go to attributes)`,
      );
    } else attributeGroups.push(group);
  }
  const readTime = definition.time === undefined ? null : timeReader(definition.time.layout, definition.time.zone ?? 'UTC');
  return { name: definition.name, regex, fieldGroups, attributeGroups, timeGroup, readTime };
}

/** The named groups of a pattern, in order (from the compiled expression, so escapes and classes are no concern). */
function namedGroups(pattern: string): string[] {
  // An optional empty alternative makes every group exist in the result, each undefined.
  const probe = new RegExp(`${pattern}|`).exec('');
  return Object.keys(probe?.groups ?? {});
}

/** The line as this format reads it, or null when the format does not match. */
export function parseCustomFormat(line: string, format: CompiledFormat): ParsedLine | null {
  const match = format.regex.exec(line);
  if (match === null) return null;
  const groups = match.groups ?? {};
  const parsed = emptyParsed(format.name);
  if (format.timeGroup !== null && format.readTime !== null) {
    const text = groups[format.timeGroup];
    if (text !== undefined) {
      const timestamp = format.readTime(text);
      if (timestamp === null) return null;
      parsed.timestamp = timestamp;
    }
  }
  for (const [group, field] of format.fieldGroups) {
    const value = groups[group];
    if (value === undefined) continue;
    if (field === 'status' || field === 'bytes') {
      if (!/^\d{1,15}$/.test(value)) return null;
      const number = +value;
      if (field === 'status' && (number < 100 || number > 999)) return null;
      parsed[field] = number;
    } else {
      parsed[field] = field === 'severity' ? value.toLowerCase() : value;
    }
  }
  for (const group of format.attributeGroups) {
    const value = groups[group];
    if (value === undefined) continue;
    parsed.attributes ??= newAttributes();
    parsed.attributes[group] = value;
  }
  return parsed;
}

/** The first of `formats` that reads the line, or null. */
export function parseCustomFormats(line: string, formats: readonly CompiledFormat[]): ParsedLine | null {
  for (const format of formats) {
    const parsed = parseCustomFormat(line, format);
    if (parsed !== null) return parsed;
  }
  return null;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** A reader for one layout and zone; throws CustomFormatError for an unknown layout, directive or zone. */
export function timeReader(layout: string, zone: string): (text: string) => string | null {
  const offsetAt = zoneOffset(zone);
  if (layout === 'epoch_s' || layout === 'epoch_ms') {
    const scale = layout === 'epoch_s' ? 1000 : 1;
    return (text) => (/^\d{1,16}(\.\d{1,9})?$/.test(text) ? isoFromEpochMs(Math.floor(+text * scale)) : null);
  }
  if (layout === 'iso8601') {
    const zoneless = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?$/;
    return (text) => {
      const utc = isoFromIsoLike(text);
      if (utc === null || !zoneless.test(text)) return utc;
      return shiftLocal(Date.parse(utc), offsetAt);
    };
  }
  const parts: string[] = [];
  const readers: ((value: string, fields: TimeFields) => boolean)[] = [];
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    if (c !== '%') {
      parts.push(c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      continue;
    }
    const directive = layout.slice(i, i + 2);
    i++;
    const numeric = (digits: string, set: (n: number, f: TimeFields) => boolean) => {
      parts.push(`(${digits})`);
      readers.push((v, f) => set(+v.trim(), f));
    };
    switch (directive) {
      case '%Y':
        numeric('\\d{4}', (n, f) => ((f.year = n), true));
        break;
      case '%y':
        numeric('\\d{2}', (n, f) => ((f.year = n < 69 ? 2000 + n : 1900 + n), true));
        break;
      case '%m':
        numeric('\\d{2}', (n, f) => ((f.month = n), true));
        break;
      case '%d':
        numeric('\\d{2}', (n, f) => ((f.day = n), true));
        break;
      case '%e':
        numeric(' ?\\d{1,2}', (n, f) => ((f.day = n), true));
        break;
      case '%H':
        numeric('\\d{2}', (n, f) => ((f.hour = n), true));
        break;
      case '%M':
        numeric('\\d{2}', (n, f) => ((f.minute = n), true));
        break;
      case '%S':
        numeric('\\d{2}', (n, f) => ((f.second = n), true));
        break;
      case '%f':
        parts.push('(\\d{1,9})');
        readers.push((v, f) => ((f.millis = +millisFromFraction(v)), true));
        break;
      case '%b':
      case '%B':
        parts.push(directive === '%b' ? '([A-Za-z]{3})' : '([A-Za-z]{3,9})');
        readers.push((v, f) => {
          const month = MONTHS.findIndex((m) => (directive === '%b' ? m.slice(0, 3) : m) === v.toLowerCase());
          f.month = month + 1;
          return month >= 0;
        });
        break;
      case '%a':
      case '%A':
        parts.push(directive === '%a' ? '([A-Za-z]{3})' : '([A-Za-z]{6,9})');
        readers.push((v) => WEEKDAYS.some((d) => (directive === '%a' ? d.slice(0, 3) : d) === v.toLowerCase()));
        break;
      case '%z':
        parts.push('(Z|[+-]\\d{2}(?::?\\d{2})?)');
        readers.push((v, f) => (f.offset = offsetMinutesOf(v)) !== null);
        break;
      case '%%':
        parts.push('%');
        break;
      default:
        throw new CustomFormatError(
          `time.layout '${layout}': unknown directive '${directive}' (known: ${Object.keys(TIME_LAYOUTS.directives).join(' ')}, or iso8601, epoch_s, epoch_ms)`,
        );
    }
  }
  if (!layout.includes('%'))
    throw new CustomFormatError(`time.layout '${layout}' is none of iso8601, epoch_s, epoch_ms and has no % directive`);
  for (const needed of ['%Y|%y', '%m|%b|%B', '%d|%e', '%H']) {
    if (!needed.split('|').some((d) => layout.includes(d)))
      throw new CustomFormatError(`time.layout '${layout}' needs one of ${needed.replace(/\|/g, ', ')}`);
  }
  const matcher = new RegExp(`^${parts.join('')}$`);
  return (text) => {
    const m = matcher.exec(text);
    if (m === null) return null;
    const f: TimeFields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millis: 0, offset: null };
    for (let g = 0; g < readers.length; g++) if (!readers[g](m[g + 1], f)) return null;
    if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month) || f.hour > 23 || f.minute > 59 || f.second > 59)
      return null;
    const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.millis);
    // Date.UTC reads years 0-99 as 19xx; the schema needs 1000 and later anyway.
    if (f.year < 1000) return null;
    return f.offset !== null ? isoFromEpochMs(wall - f.offset * 60_000) : shiftLocal(wall, offsetAt);
  };
}

interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  offset: number | null;
}

/** A wall-clock time read as UTC (epoch ms) in a zone → schema timestamp. */
function shiftLocal(wallMs: number, offsetAt: (utcMs: number) => number): string | null {
  // The offset at the wall time, then again at the instant found: right on both sides of a DST change.
  let utc = wallMs - offsetAt(wallMs) * 60_000;
  utc = wallMs - offsetAt(utc) * 60_000;
  return isoFromEpochMs(utc);
}

/** Minutes east of UTC at an instant, for a zone; throws CustomFormatError for an unknown zone. */
function zoneOffset(zone: string): (utcMs: number) => number {
  if (zone === 'UTC' || zone === 'Z') return () => 0;
  if (/^[+-]/.test(zone)) {
    const fixed = offsetMinutesOf(zone);
    if (fixed === null) throw new CustomFormatError(`time.zone '${zone}' is not an offset like +05:30 or -0800`);
    return () => fixed;
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new CustomFormatError(`time.zone '${zone}' is not 'UTC', an offset like +05:30, or an IANA zone name like Europe/Berlin`);
  }
  return (utcMs) => {
    const p = Object.fromEntries(format.formatToParts(utcMs).map((part) => [part.type, part.value]));
    const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
    return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
  };
}

/**
 * The formats bundled next to the running code (CUSTOM_FORMATS_FILE in `dir`), compiled; none when the file
 * is not there. A file that does not compile throws at load, naming the format: validation at synth makes
 * that a bundling bug, not a data problem.
 */
export function loadBundledFormats(dir: string): CompiledFormat[] {
  const file = path.join(dir, CUSTOM_FORMATS_FILE);
  if (!fs.existsSync(file)) return [];
  const definitions = JSON.parse(fs.readFileSync(file, 'utf8')) as CustomFormatDefinition[];
  return definitions.map((definition) => {
    try {
      return compileCustomFormat(definition);
    } catch (error) {
      throw new CustomFormatError(`${file}: format '${definition.name}': ${(error as Error).message}`);
    }
  });
}
