/** The strategy registry: one entry per name of the run contract. */
import type { StrategyName } from '../results/schema.js';
import type { FeatureProbe } from '../probe/features.js';
import { FEATURE_SINCE, KIND_FEATURE } from '../probe/features.js';
import type { MemoryKind } from '../sys/memory.js';
import { noGuard } from './no-guard.js';
import { protNone } from './prot-none.js';
import { guardMadvise } from './guard-madvise.js';
import { makeGuardProcessMadvise } from './guard-process-madvise.js';
import type { Strategy } from './types.js';

export type { Strategy, GuardRanges, PreparedGuards } from './types.js';
export { guardRanges } from './types.js';

export function makeStrategies(probe: FeatureProbe): Record<StrategyName, Strategy> {
  return {
    'no-guard': noGuard,
    'prot-none': protNone,
    'guard-madvise': guardMadvise,
    'guard-process-madvise': makeGuardProcessMadvise(probe.pidfdSelfValue),
  };
}

/** Why a strategy cannot run on this kernel, or null when it can. */
export function unavailableReason(strategy: Strategy, probe: FeatureProbe): string | null {
  const lacking = strategy.requires.filter((f) => !probe.features[f]);
  if (lacking.length === 0) return null;
  const first = lacking[0]!;
  const why = probe.reasons[first as keyof typeof probe.reasons];
  return `${strategy.name} needs ${lacking.join(', ')}${why ? `: ${why}` : ` (Linux ${FEATURE_SINCE[first as keyof typeof FEATURE_SINCE]}+)`}`;
}

/**
 * Why a strategy cannot run on memory of `kind` here, or null: the kind cannot be mapped at all
 * (no strategy runs), or the kernel refused markers on it (PROT_NONE and no-guard still run).
 */
export function memoryUnavailableReason(strategy: Strategy, kind: MemoryKind, probe: FeatureProbe): string | null {
  if (kind === 'anon') return null;
  const unmappable = probe.unmappable[kind];
  if (unmappable) return `${kind} memory cannot be mapped here: ${unmappable}`;
  const feature = KIND_FEATURE[kind];
  if (!strategy.requires.includes('guardInstall') || probe.features[feature]) return null;
  return `${strategy.name} on ${kind}: ${probe.reasons[feature] ?? `markers refused (Linux ${FEATURE_SINCE[feature]}+)`}`;
}
