/**
 * Log line parsers: detect the format of one line and pull out the record schema's fields (one file per format).
 *
 * Detection is by first character, so each line runs at most two precompiled regexes:
 *   '{'            JSON line (a journal entry shipped by the agent's systemd input is one)
 *   '<'            syslog with PRI: '<PRI>1 ' is RFC 5424, '<PRI>' + a year is the RFC 3339 variant of
 *                  RFC 3164, any other '<PRI>' is RFC 3164
 *   'A'..'Z'       RFC 3164 without PRI, as rsyslog writes /var/log/syslog (then access log, for hostnames)
 *   'YYYY-MM-DDT'  RFC 3164 layout with an RFC 3339 timestamp, as rsyslog's RSYSLOG_FileFormat writes it
 *                  (then access log)
 *   anything else  Apache common / combined (nginx's default 'combined' is the same layout)
 * A line no built-in reads is tried against the custom formats (custom-format.ts: a stage's `formats`,
 * bundled next to the function), in their configured order: the built-ins win where they match.
 * A line that matches no format, or whose date cannot exist, is 'unparsed' with the whole line in `raw`:
 * nothing is lost.
 *
 * Conventions:
 *   - Timestamps are normalized to UTC, ISO 8601 with milliseconds (fractions truncated to ms).
 *   - Each format's own conventions head its file: access-log.ts, syslog-rfc3164.ts, syslog-rfc5424.ts,
 *     json-line.ts.
 */
import { parseAccessLog } from './access-log';
import { loadBundledFormats, parseCustomFormats, type CompiledFormat } from './custom-format';
import { parseJsonLine } from './json-line';
import { unparsedLine, type ParsedLine } from './parsed-line';
import { parseRfc3164, parseSyslogRfc3339 } from './syslog-rfc3164';
import { parseRfc5424 } from './syslog-rfc5424';

export { JSON_ROLE_KEYS, roleKeyIndex } from './json-line';
export { FACILITY_NAMES, SEVERITY_NAMES, unparsedLine, type ParsedLine } from './parsed-line';
export { RFC3164_FUTURE_ALLOWANCE_MS } from './syslog-rfc3164';
export {
  compileCustomFormat,
  CustomFormatError,
  parseCustomFormats,
  type CompiledFormat,
  type CustomFormatDefinition,
} from './custom-format';

/**
 * The custom formats bundled next to the running function's index.js (none in the TypeScript sources,
 * where __dirname is this folder and holds no such file).
 */
export const BUNDLED_FORMATS: readonly CompiledFormat[] = loadBundledFormats(__dirname);

/**
 * Parses one line (no line terminators). `arrivalMs` (epoch ms) places RFC 3164 lines, which carry no
 * year, in the right year. `customFormats` are tried after the built-ins. Never throws.
 */
export function parseLine(line: string, arrivalMs: number, customFormats: readonly CompiledFormat[] = BUNDLED_FORMATS): ParsedLine {
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
  let custom = false;
  if (parsed === null && customFormats.length > 0) {
    parsed = parseCustomFormats(line, customFormats);
    custom = parsed !== null;
  }
  parsed ??= unparsedLine(line);
  // Every text field is a slice of the line (or, for JSON, a string literal of a line without escapes),
  // so a line without characters JSON must escape yields fields without them.
  // Access logs set their own hint: their quoted fields exclude the quotes.
  // Custom formats' fields are regex groups of the line too.
  if (custom || parsed.format === 'unparsed' || parsed.format === 'syslog_rfc3164' || parsed.format === 'syslog_rfc5424') {
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
