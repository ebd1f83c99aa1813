/**
 * Line splitting shared by every path (Firehose transform, Kafka consumer): a line ends at \n, \r\n or
 * \r; empty lines are skipped and do not count toward the line index (which feeds the event id).
 */

const LINE_BREAK = /\r\n|\r|\n/g;

/** Calls `onLine(line, index)` for each non-empty line of `text`, index counting from 0; returns the count. */
export function forEachLine(text: string, onLine: (line: string, index: number) => void): number {
  let index = 0;
  let start = 0;
  if (text.indexOf('\r') === -1) {
    // The common case: \n only, found by indexOf without a regex.
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (end > start) onLine(text.slice(start, end), index++);
      start = end + 1;
    }
    return index;
  }
  LINE_BREAK.lastIndex = 0;
  for (;;) {
    const match = LINE_BREAK.exec(text);
    const end = match === null ? text.length : match.index;
    if (end > start) onLine(text.slice(start, end), index++);
    if (match === null) return index;
    start = LINE_BREAK.lastIndex;
  }
}

/** The non-empty lines of `text`. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  forEachLine(text, (line) => lines.push(line));
  return lines;
}
