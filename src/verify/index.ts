/**
 * `verify`: guard semantics on the running kernel, checked per strategy and memory kind before
 * anything is measured. A strategy whose guards do not behave as guards on a kind gets `failed`
 * rows instead of numbers at that kind's points (the runner's `failedVerification`); a check this
 * kernel cannot run is reported as skipped, with the reason, and fails nothing.
 *
 * A check is skipped for a missing feature only when the feature's absence was seen: when an
 * install returned success but left no guard (the probe's `guardNoEffect`), the checks that look
 * for a guard run, and fail, as the kernel selftest's would.
 */
import type { StrategyName, VerifyResult } from '../results/schema.js';
import { FEATURE_SINCE, type FeatureProbe } from '../probe/features.js';
import { makeStrategies, memoryUnavailableReason, unavailableReason, type Strategy } from '../strategies/index.js';
import { MEMORY_KINDS, type MemoryKind } from '../sys/memory.js';
import { oneLine } from '../errors.js';
import { Children, withoutCoreDumps } from '../sys/children.js';
import { Scratch } from './scratch.js';
import { CheckFailed, CheckSkipped, type Check } from './types.js';
import { installTwice, installZapsData, removeRestores, traps, zeroPageNeighbours } from './checks-access.js';
import { adjacentVmasOneCall, gapsInstallEnomem, processMadviseBytes } from './checks-ranges.js';
import { mprotectKeeps, mremapKeeps, munmapClears, splitMergeKeeps } from './checks-lifecycle.js';
import { coldPageoutKeeps, collapseKeepsOrRefuses, dontneedKeeps, freeKeeps, mlockRefuses, populateFaults } from './checks-advice.js';
import { forkCowPrivate, forkInherits, wipeOnForkDrops } from './checks-fork.js';
import { uffdGuardTraps } from './checks-uffd.js';
import { faultAroundSkipsGuards, sequentialKeepsGuards } from './checks-readahead.js';
import { pagemapBitExact, pagemapScanExact } from './checks-pagemap.js';
import { guFlagSplitMerge } from './checks-gu.js';
import { holePunchKeeps, mapPrivateCow, readOnlyFile, sealedMemfd, truncateKeeps } from './checks-shared.js';

export const CHECKS: readonly Check[] = [
  traps, installZapsData, removeRestores, installTwice, zeroPageNeighbours,
  gapsInstallEnomem, adjacentVmasOneCall, processMadviseBytes,
  munmapClears, mprotectKeeps, splitMergeKeeps, mremapKeeps,
  dontneedKeeps, freeKeeps, coldPageoutKeeps, populateFaults, collapseKeepsOrRefuses, mlockRefuses,
  forkInherits, forkCowPrivate, wipeOnForkDrops, uffdGuardTraps,
  faultAroundSkipsGuards, sequentialKeepsGuards,
  pagemapBitExact, pagemapScanExact, guFlagSplitMerge,
  truncateKeeps, holePunchKeeps, readOnlyFile, sealedMemfd, mapPrivateCow,
];

/** A verify entry of the run contract, with what the table and reporters need besides. */
export interface CheckResult extends VerifyResult {
  strategy: StrategyName;
  memory: MemoryKind;
  /** items of guard-semantics.md */
  items: number[];
  /** true when the check could not run here; `ok` is then true and `detail` says why */
  skipped: boolean;
}

export interface Verification {
  results: CheckResult[];
  /** per memory kind, strategies with a failed check, and the first failure */
  failed: Partial<Record<MemoryKind, Partial<Record<StrategyName, string>>>>;
  /** the memory kinds checked */
  kinds: MemoryKind[];
}

/** Features whose absence a guard that never appeared says nothing about. */
const SEEN_ON_A_GUARD = new Set(['pagemapGuardBit', 'pagemapScanGuard', 'smapsGuardFlag']);

function skipReason(check: Check, strategy: Strategy, kind: MemoryKind, probe: FeatureProbe): string | null {
  const missing = unavailableReason(strategy, probe) ?? memoryUnavailableReason(strategy, kind, probe);
  if (missing) return missing;
  for (const f of check.needs ?? []) {
    if (probe.features[f] || (probe.guardNoEffect && SEEN_ON_A_GUARD.has(f))) continue;
    return `needs ${f}${probe.reasons[f] ? `: ${probe.reasons[f]}` : ` (Linux ${FEATURE_SINCE[f]}+)`}`;
  }
  return null;
}

function runOne(check: Check, strategy: Strategy, kind: MemoryKind, probe: FeatureProbe, children: Children): CheckResult {
  const base = { check: `${strategy.name}/${kind}: ${check.name}`, strategy: strategy.name, memory: kind, items: [...check.items] };
  const skip = skipReason(check, strategy, kind, probe);
  if (skip) return { ...base, ok: true, skipped: true, detail: `skipped: ${skip}` };
  const scratch = new Scratch(children, strategy, kind);
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

export interface VerifyOptions {
  checks?: readonly Check[];
  /** memory kinds to check (default: all three); a run checks the kinds its points use */
  kinds?: readonly MemoryKind[];
  /** strategies to check (default: every one a check names) */
  strategies?: readonly StrategyName[];
}

/** Run every check under every strategy and memory kind it applies to. Never throws for a check's failure. */
export function runVerification(probe: FeatureProbe, o: VerifyOptions = {}): Verification {
  const kinds = MEMORY_KINDS.filter((k) => (o.kinds ?? MEMORY_KINDS).includes(k));
  return withoutCoreDumps(() => {
    const strategies = makeStrategies(probe);
    const children = new Children();
    try {
      const results: CheckResult[] = [];
      const failed: Verification['failed'] = {};
      for (const check of o.checks ?? CHECKS) {
        for (const kind of kinds.filter((k) => (check.kinds ?? MEMORY_KINDS).includes(k))) {
          const under = kind === 'anon' || check.processMadviseOnEveryKind ? check.strategies
            : check.strategies.filter((s) => s !== 'guard-process-madvise');
          for (const strategy of under.filter((x) => o.strategies?.includes(x) ?? true)) {
            const r = runOne(check, strategies[strategy], kind, probe, children);
            results.push(r);
            if (!r.ok) (failed[kind] ??= {})[strategy] ??= `${check.name}: ${r.detail}`;
          }
        }
      }
      return { results, failed, kinds };
    } finally {
      children.release();
    }
  });
}
