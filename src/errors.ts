/** Errors the CLI turns into one clear line and exit code 2 (bad input), never a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Turn anything thrown into an Error, for recording as a failed result. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** One line describing an error: its message without a stack. */
export function oneLine(value: unknown): string {
  return toError(value).message.split('\n')[0] ?? 'unknown error';
}
