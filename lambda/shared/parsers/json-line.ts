/**
 * JSON lines (a journal entry shipped by the agent's systemd input is one).
 *
 * The time comes from the first usable of time, timestamp, @timestamp, ts, instant, timeMillis (ISO 8601 /
 * RFC 3339 string, a zone-less one read as UTC; epoch seconds, ms, µs or ns by magnitude; log4j2's
 * {epochSecond, nanoOfSecond}); severity from level/severity/lvl/log.level/PRIORITY (lower-cased;
 * bunyan/pino numbers 10-60 as trace/debug/info/warn/error/fatal, journal PRIORITY 0-7 as the syslog names);
 * message from message/msg/event/MESSAGE; host from host/hostname/_HOSTNAME; app from
 * app/service/logger/loggerName/logger_name/log.logger/SYSLOG_IDENTIFIER/_SYSTEMD_UNIT/name; proc_id from
 * pid/_PID; facility from the journal's SYSLOG_FACILITY (0-23 by name). Every other key, and any of those
 * keys not used (or whose time was unusable), goes into `attributes` as a string (nested values
 * JSON-serialized, null as 'null'): a journal entry keeps _SYSTEMD_UNIT there when SYSLOG_IDENTIFIER names
 * the app.
 */
import { isoFromEpochMs, isoFromEpochNumber, isoFromIsoLike } from '../timestamps';
import { emptyParsed, FACILITY_NAMES, newAttributes, SEVERITY_NAMES, type ParsedLine } from './parsed-line';

/** JSON string literals without a backslash hold no '"', '\\' or controls; surrogates are checked apart. */
const BACKSLASH_OR_SURROGATE = /[\\\ud800-\udfff]/;

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

export function parseJsonLine(line: string): ParsedLine | null {
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
