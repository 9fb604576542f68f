/**
 * A verify check: one behaviour of guard markers (numbered as in guard-semantics.md), run once per
 * strategy and memory kind it applies to, with that strategy installing the guards on scratch
 * memory of that kind (the kernel selftest's anon, shmem and file variants). A check returns what it saw
 * when the kernel behaved; it throws CheckFailed when the kernel did not, and CheckSkipped when
 * this machine cannot run it (a missing feature, a refused mlock).
 */
import type { StrategyName } from '../results/schema.js';
import type { FeatureName, FeatureProbe } from '../probe/features.js';
import type { Strategy } from '../strategies/index.js';
import type { Children } from '../sys/children.js';
import type { Scratch } from './scratch.js';
import type { MemoryKind } from '../sys/memory.js';

export interface CheckEnv {
  strategy: Strategy;
  probe: FeatureProbe;
  children: Children;
  scratch: Scratch;
}

export interface Check {
  /** lower-case words joined by dashes: what the check asserts */
  name: string;
  /** the items of guard-semantics.md it covers */
  items: readonly number[];
  strategies: readonly StrategyName[];
  /** the memory kinds it runs on (default: all three) */
  kinds?: readonly MemoryKind[];
  /**
   * On shmem and file, checks run under guard-madvise and prot-none only, as the selftest's
   * variants do: process_madvise installs the same marker, only the call differs. Checks of the
   * call itself (this flag) run under it on every kind.
   */
  processMadviseOnEveryKind?: boolean;
  /** features beyond the strategy's own that the check needs */
  needs?: readonly FeatureName[];
  /** returns a one-line account of what was seen */
  run(env: CheckEnv): string;
}

export { CheckFailed, CheckSkipped, expect, fail } from './outcome.js';

export const GUARD_STRATEGIES: readonly StrategyName[] = ['guard-madvise', 'guard-process-madvise'];
/** The kinds backed by a file descriptor: a memfd (shmem) and a file. */
export const SHARED_KINDS: readonly MemoryKind[] = ['shmem', 'file'];

/** Checks whose behaviour a PROT_NONE guard shares with markers run under prot-none too. */
export const ALL_GUARDING: readonly StrategyName[] = ['prot-none', ...GUARD_STRATEGIES];
