/**
 * Which PROT_NONE VMAs are guards a marker could replace, and how many VMAs replacing them saves.
 *
 * A guard is small and sits right next to the private writable anonymous mapping it protects. A
 * thread stack grows down, so its guard lies just below it: we look at the mapping just above the
 * guard first ("above") and accept the one just below ("below", an overflow guard after a slot).
 *
 * A loader gap is a PROT_NONE VMA of a file between two pieces of the same file: what a dynamic
 * loader leaves between the segments of a library aligned beyond the page size (it maps the
 * library's whole span from the file and makes the space between segments PROT_NONE). Since Linux
 * 6.15 a loader could map each segment with the gap after it and put a marker over the gap: the gap
 * then joins the segment before it (the loader-gap workload measures exactly this).
 *
 * Every other PROT_NONE VMA is a reservation: address space kept free by allocators, JITs and
 * runtimes, which a marker cannot stand in for.
 */
import type { Vma } from '../metrics/maps.js';
import { hasGuardFlag, isAnonymous, isPrivateWritable, isProtNone, vmaBytes } from './maps.js';

export const DEFAULT_MAX_GUARD_BYTES = 64 * 1024;

/** Which side of the guard the mapping it protects lies on. */
export type GuardSide = 'above' | 'below';

export interface GuardVma {
  start: number;
  end: number;
  side: GuardSide;
  /** the mapping it protects */
  guarded: { start: number; end: number };
  /** the neighbour on the guard's other side could merge with the guarded mapping once the guard is gone */
  otherSideMerges: boolean;
}

/** A loader gap: a PROT_NONE VMA of a file with pieces of the same file right below and above it. */
export interface LoaderGapVma {
  start: number;
  end: number;
}

/** Why a PROT_NONE VMA is not counted as a guard. */
export type ReservationKind = 'fileBacked' | 'shared' | 'tooLarge' | 'noWritableNeighbour';

export interface ReservationVma {
  start: number;
  end: number;
  kind: ReservationKind;
}

export interface Classification {
  vmas: number;
  protNone: number;
  guards: GuardVma[];
  loaderGaps: LoaderGapVma[];
  reservations: ReservationVma[];
  /** VMAs whose smaps VmFlags carry `gu`: guard markers were installed in them at some time */
  markerVmas: Vma[];
  /** whether VmFlags were known (smaps read) */
  flagsKnown: boolean;
  savings: { lower: number; upper: number };
}

/** The rules behind each bound, stated once for the console, the Markdown and the JSON. */
export const SAVINGS_RULES = {
  lower: 'each guard VMA is absorbed by the mapping it guards, and each loader gap by the segment before it: '
    + '1 fewer VMA per guard and per loader gap',
  upper: 'the lower bound plus one more per guard whose other-side neighbour could then merge with the guarded '
    + 'mapping (both anonymous, private, same permissions, name and VmFlags; adjacent glibc <= 2.41 thread stacks)',
} as const;

/** The rule that makes a PROT_NONE VMA a loader gap, stated once for the console, the Markdown and the JSON. */
export const LOADER_GAP_RULE = 'PROT_NONE, file-backed, with VMAs of the same file (device and inode) right below and right above it';

export function guardRule(maxGuardBytes: number): string {
  return `PROT_NONE, private, anonymous, at most ${maxGuardBytes} bytes, and adjacent to a private writable `
    + 'anonymous mapping (the one above it first, as for a thread stack, else the one below); every other PROT_NONE VMA is a reservation';
}

/** A mapping a guard can protect, and that can absorb it. */
function canBeGuarded(v: Vma | undefined): v is Vma {
  return v !== undefined && isPrivateWritable(v) && isAnonymous(v);
}

/** VmFlags that do not stop two VMAs merging: VM_SOFTDIRTY and the sticky VM_MAYBE_GUARD. */
const MERGE_IGNORED_FLAGS = new Set(['sd', 'gu']);

function flagKey(flags: string[]): string {
  return flags.filter((f) => !MERGE_IGNORED_FLAGS.has(f)).sort().join(' ');
}

/**
 * Could `a` and `b` become one VMA once they touch? Only what /proc shows is compared; the kernel
 * also wants compatible anon_vmas, which it does not show, so a true here is a possible merge.
 */
export function couldMerge(a: Vma, b: Vma): boolean {
  if (!isAnonymous(a) || !isAnonymous(b)) return false;
  if (a.perms !== b.perms || a.path !== b.path) return false;
  if (a.flags !== null && b.flags !== null) return flagKey(a.flags) === flagKey(b.flags);
  return true;
}

function reservationKind(v: Vma, prev: Vma | undefined, next: Vma | undefined,
  maxGuardBytes: number): ReservationKind | null {
  if (!isAnonymous(v)) return 'fileBacked';
  if (v.perms[3] !== 'p') return 'shared';
  if (vmaBytes(v) > maxGuardBytes) return 'tooLarge';
  const above = next && next.start === v.end ? next : undefined;
  const below = prev && prev.end === v.start ? prev : undefined;
  if (!canBeGuarded(above) && !canBeGuarded(below)) return 'noWritableNeighbour';
  return null;
}

function guardOf(v: Vma, prev: Vma | undefined, next: Vma | undefined): GuardVma {
  const above = next && next.start === v.end ? next : undefined;
  const below = prev && prev.end === v.start ? prev : undefined;
  const side: GuardSide = canBeGuarded(above) ? 'above' : 'below';
  const guarded = (side === 'above' ? above : below)!;
  const other = side === 'above' ? below : above;
  return {
    start: v.start, end: v.end, side,
    guarded: { start: guarded.start, end: guarded.end },
    otherSideMerges: other !== undefined && !isProtNone(other) && couldMerge(guarded, other),
  };
}

/** Two VMAs mapping the same file (pieces of one library). */
function sameFile(a: Vma, b: Vma): boolean {
  return a.inode === b.inode && a.dev === b.dev;
}

/** See LOADER_GAP_RULE. */
export function isLoaderGap(v: Vma, prev: Vma | undefined, next: Vma | undefined): boolean {
  if (isAnonymous(v) || v.inode === 0) return false;
  return prev !== undefined && next !== undefined && prev.end === v.start && next.start === v.end
    && sameFile(prev, v) && sameFile(next, v);
}

/** Classify one process's VMAs (in address order, as /proc prints them). */
export function classifyVmas(vmas: readonly Vma[], maxGuardBytes: number = DEFAULT_MAX_GUARD_BYTES): Classification {
  const guards: GuardVma[] = [];
  const loaderGaps: LoaderGapVma[] = [];
  const reservations: ReservationVma[] = [];
  let protNone = 0;
  for (let i = 0; i < vmas.length; i++) {
    const v = vmas[i]!;
    if (!isProtNone(v)) continue;
    protNone++;
    const prev = vmas[i - 1];
    const next = vmas[i + 1];
    if (isLoaderGap(v, prev, next)) {
      loaderGaps.push({ start: v.start, end: v.end });
      continue;
    }
    const kind = reservationKind(v, prev, next, maxGuardBytes);
    if (kind) reservations.push({ start: v.start, end: v.end, kind });
    else guards.push(guardOf(v, prev, next));
  }
  const lower = guards.length + loaderGaps.length;
  const upper = lower + guards.filter((g) => g.otherSideMerges).length;
  return {
    vmas: vmas.length,
    protNone,
    guards,
    loaderGaps,
    reservations,
    markerVmas: vmas.filter(hasGuardFlag),
    flagsKnown: vmas.length === 0 || vmas.every((v) => v.flags !== null),
    savings: { lower, upper },
  };
}
