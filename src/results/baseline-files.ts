/**
 * The committed baselines under results/baselines/: runs kept as references, one file each, named
 * after their kernel release (or a name given).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

export const DEFAULT_BASELINE_DIR = join('results', 'baselines');

/** A file name from a kernel release or --name: letters, digits and . _ + - only. */
export function baselineFileName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name) || name.length > 100) {
    throw new UsageError(`--name: '${name}' is not a usable baseline name (letters, digits, . _ + - only)`);
  }
  return `${name}.json`;
}

/** Baseline JSON files in `dir`, by name; an absent directory has none. */
export function baselineFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => join(dir, f));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
