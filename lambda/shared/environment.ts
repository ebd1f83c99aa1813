/**
 * Reading a function's environment once at cold start, the same way in every handler: each variable
 * checked, every problem collected, one ConfigurationError naming them all.
 */

/** Thrown at cold start when the function's environment is incomplete or malformed. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export class EnvironmentReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** A variable that must be set to something other than blanks; returned trimmed. */
  required(name: string): string {
    const value = this.env[name];
    if (value === undefined || value.trim() === '') {
      this.problems.push(`${name} must be set`);
      return '';
    }
    return value.trim();
  }

  /** An optional integer in [min, max], `fallback` when unset or empty. */
  optionalInteger(name: string, min: number, max: number, fallback: number): number {
    const text = this.env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got '${text}')`);
    }
    return value;
  }

  /** Records a problem found by the caller's own check. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one ConfigurationError listing every problem, if there was any. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigurationError(`Invalid environment: ${this.problems.join('; ')}`);
  }
}
