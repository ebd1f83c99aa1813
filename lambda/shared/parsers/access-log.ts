/**
 * Apache common / combined (nginx's default 'combined' is the same layout).
 *
 * '-' user/referrer/user agent → null, '-' bytes → 0; a non-'-' identd field goes to attributes.ident, a
 * request line that is not 'METHOD TARGET [PROTOCOL]' to attributes.request, and anything logged after the
 * combined fields (custom nginx/Apache formats) to attributes.extra.
 */
import { isoFromParts, monthNumber, offsetMinutesOfSignedHhmm } from '../timestamps';
import { dashToNull, emptyParsed, newAttributes, type ParsedLine } from './parsed-line';

// eslint-disable-next-line no-control-regex -- what JSON escapes, minus '"' (access-log fields exclude their quotes)
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
