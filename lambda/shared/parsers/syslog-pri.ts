/** Syslog's PRI value (facility * 8 + severity), shared by RFC 3164 and RFC 5424. */
import { FACILITY_NAMES, SEVERITY_NAMES, type ParsedLine } from './parsed-line';

/** Sets facility and severity from a PRI value's digits; false when it is out of range (0..191). */
export function applyPri(parsed: ParsedLine, priText: string): boolean {
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
