/**
 * A kernel's probe answers held against the feature history: a feature found on a kernel older
 * than its upstream release (a backport), or missing from one that should have it (a filter, a
 * read-only filesystem, a kernel configured without it). Each mismatch carries what the run said
 * about it, so it is explained, never tuned away.
 */
import { FEATURE_HISTORY, type FeatureRelease } from '../results/feature-history.js';
import type { Run } from '../results/schema.js';
import { parseKernelRelease } from './kernel-version.js';

export type FeatureVerdict =
  /** as the history says */
  | 'expected'
  /** found on a kernel older than the release that brought it upstream */
  | 'earlier'
  /** not found on a kernel at or after that release */
  | 'missing'
  /** the history's release is unchecked, or the run did not probe the feature */
  | 'unchecked';

export interface FeatureAnswer {
  feature: FeatureRelease;
  /** the probe's answer; null when the run predates the feature's probe */
  found: boolean | null;
  verdict: FeatureVerdict;
  /** the probe's reason when the feature was not found */
  reason?: string;
}

/** Whether `release` is at or after `since` (major.minor). */
export function releaseHas(release: string, since: string): boolean | null {
  const v = parseKernelRelease(release);
  const s = parseKernelRelease(since);
  if (!v || !s) return null;
  return v.major !== s.major ? v.major > s.major : v.minor >= s.minor;
}

function verdictOf(found: boolean | null, expected: boolean | null, checked: boolean): FeatureVerdict {
  if (found === null || expected === null || !checked) return 'unchecked';
  if (found === expected) return 'expected';
  return found ? 'earlier' : 'missing';
}

/** Every feature of the history on the kernel a run was made on. */
export function checkFeatures(run: Run): FeatureAnswer[] {
  const features = run.env.features as Record<string, unknown>;
  return FEATURE_HISTORY.map((feature) => {
    const value = features[feature.feature];
    const found = typeof value === 'boolean' ? value : null;
    const reason = run.env.featureReasons?.[feature.feature];
    const answer: FeatureAnswer = { feature, found, verdict: verdictOf(found, releaseHas(run.env.kernel.release, feature.since), feature.checked) };
    return found === false && reason ? { ...answer, reason } : answer;
  });
}

/** A mismatch in words: what was seen, what the history says, and the run's own reason. */
export function describeMismatch(release: string, a: FeatureAnswer): string {
  const f = a.feature;
  if (a.verdict === 'earlier') {
    return `${f.feature} found on ${release}, older than ${f.since} where it reached upstream: a backport or a vendor patch in this build`;
  }
  return `${f.feature} not found on ${release}, which is ${f.since} or later${a.reason ? `: ${a.reason}` : ''}`;
}
