/**
 * Ordering kernel releases the way kernels are released: numerically per component (6.9 < 6.13),
 * release candidates before their release (6.18-rc3 < 6.18), stable updates after (6.18 < 6.18.1).
 * A plain string sort gets the first and last of these wrong, so history and baseline selection
 * go through this one comparator.
 */
import type { Run } from '../results/schema.js';

export interface KernelVersion {
  major: number;
  minor: number;
  patch: number;
  /** the -rcN number, or null for a release */
  rc: number | null;
  /** whatever follows the version (distro build, "+"), minus the rc tag: a last tie-breaker */
  local: string;
  /** the release string as given */
  text: string;
}

const VERSION = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/;
const RC = /(?:^|[-._~])rc(\d+)/i;

/** Parse `uname -r` style text; null when it does not start with a version number. */
export function parseKernelRelease(text: string): KernelVersion | null {
  const m = VERSION.exec(text.trim());
  if (!m) return null;
  const rest = m[4] ?? '';
  const rc = RC.exec(rest);
  return {
    major: Number(m[1]),
    minor: Number(m[2] ?? 0),
    patch: Number(m[3] ?? 0),
    rc: rc ? Number(rc[1]) : null,
    local: rc ? rest.replace(rc[0], '') : rest,
    text,
  };
}

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Sort comparator for kernel release strings; unparseable ones sort after every version. */
export function compareKernelReleases(a: string, b: string): number {
  const va = parseKernelRelease(a);
  const vb = parseKernelRelease(b);
  if (!va || !vb) {
    if (va) return -1;
    if (vb) return 1;
    return natural.compare(a, b);
  }
  return va.major - vb.major
    || va.minor - vb.minor
    || va.patch - vb.patch
    || compareRc(va.rc, vb.rc)
    || natural.compare(va.local, vb.local);
}

/** A release candidate comes before its release; candidates among themselves by number. */
function compareRc(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/** Runs in kernel release order (6.9 < 6.13 < 6.18-rc3 < 6.18 < 6.18.1), then by start time. */
export function orderRuns<T extends { run: Run }>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => compareKernelReleases(a.run.env.kernel.release, b.run.env.kernel.release)
    || a.run.startedAt.localeCompare(b.run.startedAt));
}
