/** Reading the small text files of /proc and /sys that describe the machine. */
import { readFileSync } from 'node:fs';

/** A file's text without surrounding white space, or null when it cannot be read. */
export function readTrimmed(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The selected value of a sysfs choice file such as "always [madvise] never". */
export function selectedChoice(text: string | null): string {
  if (text === null) return 'unknown';
  return /\[([^\]]+)\]/.exec(text)?.[1] ?? text;
}
