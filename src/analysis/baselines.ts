/**
 * Which committed baseline a new run should be compared with: one of its own testbed (a baseline
 * is a property of a machine and a kernel together, so another machine's is never picked), then a
 * kernel-version question, through the same ordering as history.
 */
import { compareKernelReleases, parseKernelRelease } from './kernel-version.js';
import type { Run } from '../results/schema.js';

export interface BaselineEntry {
  path: string;
  run: Run;
}

/**
 * The baseline for a run on `kernel` on `testbed`: among that testbed's baselines, the same release
 * if there is one, otherwise the newest release older than it (the upgrade being checked),
 * otherwise the oldest newer one. Among runs of one release the one of the same profile wins, then
 * the most recent.
 */
export function chooseBaseline(all: readonly BaselineEntry[], kernel: string, testbed: string, profile?: string): BaselineEntry | null {
  const entries = all.filter((e) => e.run.env.testbed?.name === testbed);
  if (entries.length === 0) return null;
  const rank = (e: BaselineEntry) => [
    compareKernelReleases(e.run.env.kernel.release, kernel) === 0 ? 0 : 1,
    profile && e.run.profile === profile ? 0 : 1,
  ];
  const sorted = [...entries].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0]! - rb[0]! || ra[1]! - rb[1]! || distance(a, kernel) - distance(b, kernel) || b.run.startedAt.localeCompare(a.run.startedAt);
  });
  return sorted[0]!;
}

/** Older releases first (nearest older best), then newer ones (nearest newer best). */
function distance(e: BaselineEntry, kernel: string): number {
  const older = compareKernelReleases(e.run.env.kernel.release, kernel) <= 0;
  const v = parseKernelRelease(e.run.env.kernel.release);
  const k = parseKernelRelease(kernel);
  if (!v || !k) return 1e9;
  const gap = Math.abs((v.major - k.major) * 1e6 + (v.minor - k.minor) * 1e3 + (v.patch - k.patch));
  return older ? gap : 1e8 + gap;
}
