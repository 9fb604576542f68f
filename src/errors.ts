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

/**
 * Text from a file or from /proc made safe for one terminal line: control characters, DEL and
 * undecodable bytes shown as escapes (V8's JSON errors quote their input, escape sequences
 * included), cut at `max` characters.
 */
export function printable(text: string, max = Infinity): string {
  const safe = text.replace(/[\x00-\x1f\x7f\ufffd]/g, (ch) => (ch === '\ufffd' ? '\\uFFFD' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return safe.length > max ? `${safe.slice(0, max)}...` : safe;
}
