/**
 * A burst of 5xx access-log lines for the local run's Kafka corpus, so the stream analytics (analytics/flink)
 * has an error burst to find in a known window: BURST_LINES lines of `503` on BURST_PATH, stamped over the first
 * ten seconds of the corpus's third minute and placed where that minute begins in the corpus.
 */
import { DEFAULT_LINES_PER_SECOND, DEFAULT_START } from '../../generator/log-lines';
import type { Corpus } from '../corpus';

export const BURST_LINES = 80;
export const BURST_PATH = '/api/checkout';
export const BURST_STATUS = 503;
/** The minute the burst is in: the corpus's third (2026-01-01T00:02). */
export const BURST_MINUTE = new Date(DEFAULT_START.getTime() + 2 * 60_000);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Common Log Format time, e.g. 01/Jan/2026:00:02:05 +0000. */
function clfTime(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;
}

/**
 * The corpus's lines with the burst inserted before its first generated line of BURST_MINUTE (generated lines are
 * DEFAULT_LINES_PER_SECOND apart from DEFAULT_START). The burst's lines are up to ten seconds ahead of the
 * lines after them, within the job's default out-of-orderness bound. A corpus too short to reach the minute
 * gets the burst at its end.
 */
export function withErrorBurst(corpus: Pick<Corpus, 'lines' | 'expected'>): Buffer[] {
  const burst = Array.from({ length: BURST_LINES }, (_, i) =>
    Buffer.from(
      `10.0.2.${(i % 250) + 1} - - [${clfTime(new Date(BURST_MINUTE.getTime() + Math.floor((i * 10_000) / BURST_LINES)))}] "GET ${BURST_PATH} HTTP/1.1" ${BURST_STATUS} 512`,
    ),
  );
  const generatedBefore = ((BURST_MINUTE.getTime() - DEFAULT_START.getTime()) / 1000) * DEFAULT_LINES_PER_SECOND;
  let at = corpus.lines.length;
  let generated = 0;
  for (let i = 0; i < corpus.expected.length; i++) {
    if (corpus.expected[i] === 'malformed') continue;
    if (generated === generatedBefore) {
      at = i;
      break;
    }
    generated++;
  }
  const lines = [...corpus.lines];
  lines.splice(at, 0, ...burst);
  return lines;
}
