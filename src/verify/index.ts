/**
 * `verify`: guard semantics on the running kernel, checked per strategy before anything is
 * measured. A strategy whose guards do not behave as guards gets `failed` rows instead of numbers
 * (the runner's `failedVerification`); a check this kernel cannot run is reported as skipped, with
 * the reason, and fails nothing.
 */
import type { StrategyName, VerifyResult } from '../results/schema.js';
import { FEATURE_SINCE, type FeatureProbe } from '../probe/features.js';
import { makeStrategies, unavailableReason, type Strategy } from '../strategies/index.js';
import { oneLine } from '../errors.js';
import { Children, withoutCoreDumps } from '../sys/children.js';
import { Scratch } from './scratch.js';
import { CheckFailed, CheckSkipped, type Check } from './types.js';
import { installTwice, installZapsData, processMadviseBytes, removeRestores, traps } from './checks-access.js';
import { mprotectKeeps, mremapKeeps, munmapClears, splitMergeKeeps } from './checks-lifecycle.js';
import { dontneedKeeps, freeKeeps, mlockRefuses } from './checks-advice.js';
import { forkInherits } from './checks-fork.js';
import { pagemapBitExact, pagemapScanExact } from './checks-pagemap.js';

export const CHECKS: readonly Check[] = [
  traps, installZapsData, removeRestores, processMadviseBytes, installTwice,
  munmapClears, mprotectKeeps, splitMergeKeeps, mremapKeeps,
  dontneedKeeps, freeKeeps, mlockRefuses, forkInherits,
  pagemapBitExact, pagemapScanExact,
];

/** A verify entry of the run contract, with what the table and reporters need besides. */
export interface CheckResult extends VerifyResult {
  strategy: StrategyName;
  /** items of guard-semantics.md */
  items: number[];
  /** true when the check could not run here; `ok` is then true and `detail` says why */
  skipped: boolean;
}

export interface Verification {
  results: CheckResult[];
  /** strategies with a failed check, and the first failure */
  failed: Partial<Record<StrategyName, string>>;
}

function skipReason(check: Check, strategy: Strategy, probe: FeatureProbe): string | null {
  const missing = unavailableReason(strategy, probe);
  if (missing) return missing;
  for (const f of check.needs ?? []) {
    if (!probe.features[f]) return `needs ${f} (Linux ${FEATURE_SINCE[f]}+)${probe.reasons[f] ? `: ${probe.reasons[f]}` : ''}`;
  }
  return null;
}

function runOne(check: Check, strategy: Strategy, probe: FeatureProbe, children: Children): CheckResult {
  const base = { check: `${strategy.name}: ${check.name}`, strategy: strategy.name, items: [...check.items] };
  const skip = skipReason(check, strategy, probe);
  if (skip) return { ...base, ok: true, skipped: true, detail: `skipped: ${skip}` };
  const scratch = new Scratch(children, strategy);
  try {
    return { ...base, ok: true, skipped: false, detail: check.run({ strategy, probe, children, scratch }) };
  } catch (e) {
    if (e instanceof CheckSkipped) return { ...base, ok: true, skipped: true, detail: `skipped: ${e.message}` };
    const detail = e instanceof CheckFailed ? e.message : `error: ${oneLine(e)}`;
    return { ...base, ok: false, skipped: false, detail };
  } finally {
    scratch.release();
  }
}

/** Run every check under every strategy it applies to. Never throws for a check's failure. */
export function runVerification(probe: FeatureProbe, checks: readonly Check[] = CHECKS): Verification {
  return withoutCoreDumps(() => {
    const strategies = makeStrategies(probe);
    const children = new Children();
    try {
      const results: CheckResult[] = [];
      const failed: Verification['failed'] = {};
      for (const check of checks) {
        for (const strategy of check.strategies) {
          const r = runOne(check, strategies[strategy], probe, children);
          results.push(r);
          if (!r.ok) failed[strategy] ??= `${check.name}: ${r.detail}`;
        }
      }
      return { results, failed };
    } finally {
      children.release();
    }
  });
}
