/**
 * The committed baselines under results/baselines/<testbed>/: runs kept as references, one file
 * each per testbed, named after their kernel release (or a name given).
 */
import { readdirSync, statSync } from 'node:fs';
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

function jsonFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort().map((f) => join(dir, f));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Baseline JSON files under `dir`, testbed by testbed (and any kept directly in `dir`); an absent directory has none. */
export function baselineFiles(dir: string): string[] {
  let testbeds: string[] = [];
  try {
    testbeds = readdirSync(dir).filter((d) => !d.startsWith('.') && statSync(join(dir, d)).isDirectory()).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return [...jsonFiles(dir), ...testbeds.flatMap((t) => jsonFiles(join(dir, t)))];
}

/** Where a baseline of `testbed` named `name` lives. */
export function baselinePath(dir: string, testbed: string, name: string): string {
  return join(dir, testbed, baselineFileName(name));
}
