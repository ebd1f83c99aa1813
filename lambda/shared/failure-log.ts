/** Largest number of individual failures a handler logs per invocation; the counts cover the rest. */
export const MAX_LOGGED_FAILURES = 20;

/** The first MAX_LOGGED_FAILURES of `failures` and how many more there were, as a handler logs them. */
export function failureSample<T>(failures: readonly T[]): { failures: T[]; notLogged: number } {
  return { failures: failures.slice(0, MAX_LOGGED_FAILURES), notLogged: Math.max(0, failures.length - MAX_LOGGED_FAILURES) };
}
