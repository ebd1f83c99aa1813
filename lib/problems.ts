/**
 * One way to report invalid settings: every owner of a setting adds its problems to one collector, and the
 * stage config throws one ConfigError listing them all, so a user sees every problem at once, each naming
 * the setting, the allowed range and the value it got.
 */

/** Thrown when settings are invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid stage config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Collects problems in the one message style: `<setting> must be ... (got <value>)`. */
export class Problems {
  readonly list: string[] = [];

  add(problem: string): void {
    this.list.push(problem);
  }

  addAll(problems: readonly string[]): void {
    this.list.push(...problems);
  }

  /** An integer in [min, max]; `why` is appended after a colon. */
  integer(setting: string, value: number, min: number, max: number, why?: string): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      this.add(`${setting} must be an integer between ${min} and ${max} (got ${value})${why ? `: ${why}` : ''}`);
    }
  }

  /** One of a fixed set of values. */
  oneOf(setting: string, value: unknown, allowed: readonly (string | number)[]): void {
    if (!allowed.includes(value as string | number)) {
      const shown = typeof value === 'string' ? `'${value}'` : String(value);
      this.add(`${setting} must be one of ${allowed.join(', ')} (got ${shown})`);
    }
  }

  boolean(setting: string, value: unknown): void {
    if (typeof value !== 'boolean') this.add(`${setting} must be true or false (got ${String(value)})`);
  }

  /** Whether a setting already has a problem (so a check that depends on it can stay quiet). */
  has(setting: string): boolean {
    return this.list.some((p) => p.startsWith(`${setting} `));
  }

  /** Throws a ConfigError when anything was collected. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new ConfigError(this.list);
  }
}
