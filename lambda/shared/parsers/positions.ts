/** Character-code readers the positional fast paths share (see access-log.ts, syslog-rfc3164.ts, syslog-rfc5424.ts). */

/** End of the token at `start`: the index of the first character that is not printable ASCII (a space ends it). */
export function tokenEnd(line: string, start: number): number {
  let at = start;
  for (let c = line.charCodeAt(at); c > 32 && c < 127; c = line.charCodeAt(++at));
  return at;
}

/** The two decimal digits at `at` as a number, or -1. */
export function twoDigitsAt(line: string, at: number): number {
  const tens = line.charCodeAt(at) - 48;
  const ones = line.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

export function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

export function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** Whether line[start..end) is '-', the access log's "no value". */
export function isDashAt(line: string, start: number, end: number): boolean {
  return end === start + 1 && line.charCodeAt(start) === 45;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
