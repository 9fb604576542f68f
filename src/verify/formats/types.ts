/**
 * What every verify output format reads: the results, what was selected and why, and where the
 * shared kinds live. A format is one file with one `render`; `formats/index.ts` lists them by name.
 */
import type { StrategyName } from '../../results/schema.js';
import type { MemoryKind } from '../../sys/memory.js';
import type { CheckResult, Verification } from '../index.js';

export interface VerifySelection {
  kinds: readonly MemoryKind[];
  /** why these kinds: asked for, or every kind */
  kindsWhy: string;
  /** kinds that were asked for but cannot be mapped here, with the cause */
  kindNotes: readonly string[];
  strategies: readonly StrategyName[];
  strategiesWhy: string;
  /** how each kind is backed here (the file kind's filesystem and directory) */
  backing: Record<MemoryKind, string>;
}

export interface VerifyReport {
  verification: Verification;
  selection: VerifySelection;
}

export interface VerifyFormat {
  readonly name: string;
  render(report: VerifyReport): string;
}

export type Outcome = 'pass' | 'fail' | 'skip';

export function outcomeOf(r: CheckResult): Outcome {
  return r.skipped ? 'skip' : r.ok ? 'pass' : 'fail';
}

/** Passed, failed and skipped counts of some results. */
export function tally(results: readonly CheckResult[]): Record<Outcome, number> {
  const t = { pass: 0, fail: 0, skip: 0 };
  for (const r of results) t[outcomeOf(r)]++;
  return t;
}

/** The two lines every human-readable format starts with: what was checked, and why. */
export function selectionLines(s: VerifySelection): string[] {
  return [
    `memory kinds checked: ${s.kinds.map((k) => `${k} (${s.backing[k]})`).join(', ')}, ${s.kindsWhy}${s.kindNotes.length ? `; ${s.kindNotes.join('; ')}` : ''}`,
    `strategies checked: ${s.strategies.join(', ')}, ${s.strategiesWhy}`,
  ];
}
