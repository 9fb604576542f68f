/**
 * Guards under other madvise advice and mlock: MADV_DONTNEED and MADV_FREE zap pages but keep
 * markers, reclaim (MADV_COLD, MADV_PAGEOUT) keeps them, a collapse into a huge page either keeps
 * them or is refused, and an mlock'd range refuses install with EINVAL and allows remove.
 * (guard-semantics.md items 9, 15, 17, 29, 10)
 */
import { readFileSync } from 'node:fs';
import { MADV_COLD, MADV_COLLAPSE, MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT } from '../sys/constants.js';
import { SysError, errnoName, fill, lastErrno, madvise, raw } from '../sys/libc.js';
import type { MemoryKind } from '../sys/memory.js';
import { selectedChoice } from '../probe/sysfs.js';
import { oneLine } from '../errors.js';
import { PAGE, type Scratch } from './scratch.js';
import { ALL_GUARDING, CheckSkipped, GUARD_STRATEGIES, fail, type Check } from './types.js';

interface Advice {
  advice: number;
  name: string;
  /**
   * What a populated neighbour reads afterwards: its data, zeroes (DONTNEED drops anonymous pages;
   * a shared page stays in its memfd or file), or null when either may be right (MADV_FREE keeps
   * the data until memory is short).
   */
  neighbour(kind: MemoryKind): 'data' | 'zero' | null;
}

const DONTNEED: Advice = { advice: MADV_DONTNEED, name: 'MADV_DONTNEED', neighbour: (k) => (k === 'anon' ? 'zero' : 'data') };
const FREE: Advice = { advice: MADV_FREE, name: 'MADV_FREE', neighbour: () => null };
const COLD: Advice = { advice: MADV_COLD, name: 'MADV_COLD', neighbour: () => 'data' };
const PAGEOUT: Advice = { advice: MADV_PAGEOUT, name: 'MADV_PAGEOUT', neighbour: () => 'data' };

/** | data | guard | data |, each advice over all three pages; the guard must trap after each. */
function adviceKeeps(s: Scratch, advices: readonly Advice[]): string {
  const a = s.map(3);
  for (const i of [0, 2]) s.put(a + i * PAGE, 70 + i);
  s.guard(a + PAGE);
  for (const adv of advices) {
    madvise(a, 3 * PAGE, adv.advice);
    s.faults(a + PAGE, `the guard after ${adv.name}`, true);
    const expect = adv.neighbour(s.kind);
    if (expect) s.reads(a + 2 * PAGE, expect === 'data' ? 72 : 0, `a neighbour after ${adv.name}`);
  }
  s.writes(a, 'a neighbour afterwards');
  return `${advices.map((x) => x.name).join(' then ')} over the guard and its neighbours: the guard still traps, the neighbours stay usable`;
}

export const dontneedKeeps: Check = {
  name: 'dontneed-keeps',
  items: [9],
  strategies: ALL_GUARDING,
  run: ({ scratch }) => adviceKeeps(scratch, [DONTNEED]),
};

/** MADV_FREE is for private anonymous memory only (EINVAL on shared mappings). */
export const freeKeeps: Check = {
  name: 'free-keeps',
  items: [15],
  strategies: ALL_GUARDING,
  kinds: ['anon'],
  run: ({ scratch }) => adviceKeeps(scratch, [FREE]),
};

/** Reclaim: a guard that paged out with its neighbours would leave them unguarded when they come back. */
export const coldPageoutKeeps: Check = {
  name: 'cold-pageout-keeps',
  items: [17],
  strategies: GUARD_STRATEGIES,
  run: ({ scratch }) => adviceKeeps(scratch, [COLD, PAGEOUT]),
};

function readSys(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The PMD huge page size (2 MiB on x86-64 with 4 KiB pages). */
function hugePageBytes(): number {
  return Number(readSys('/sys/kernel/mm/transparent_hugepage/hpage_pmd_size') ?? 2 * 1024 * 1024);
}

/** What decides whether memory of `kind` can be collapsed here, for skip reasons. */
function thpSetting(kind: MemoryKind): string {
  if (kind === 'file') return 'huge pages of a writable file mapping are not collapsed on most filesystems';
  const file = kind === 'anon' ? 'enabled' : 'shmem_enabled';
  return `transparent_hugepage/${file} is ${selectedChoice(readSys(`/sys/kernel/mm/transparent_hugepage/${file}`))}`;
}

/**
 * khugepaged's work, done at once with MADV_COLLAPSE: a huge page swallowing a guard would leave
 * the memory unguarded (on THP=always hosts, under every figure measured there). The kernel must
 * refuse the collapse, or keep the guard. When it refuses, the same range without the guard tells
 * a refusal for the guard from a range that cannot be collapsed here at all (a skip).
 */
export const collapseKeepsOrRefuses: Check = {
  name: 'collapse-keeps-or-refuses',
  items: [29],
  strategies: GUARD_STRATEGIES,
  run({ scratch: s }) {
    const bytes = hugePageBytes();
    const a = s.map(bytes / PAGE, bytes / PAGE);
    // Populated, with zeroes: a read that finds no guard must stop at a NUL, not run off the range.
    fill(a, 0, bytes);
    s.guard(a + PAGE);
    const guarded = raw.madvise(a, bytes, MADV_COLLAPSE) === 0 ? null : errnoName(lastErrno());
    s.faults(a + PAGE, guarded ? `the guard after MADV_COLLAPSE was refused (${guarded})` : 'the guard after MADV_COLLAPSE succeeded');
    if (!guarded) return 'MADV_COLLAPSE over the guarded range succeeded and the guard still traps';
    s.unguard(a + PAGE);
    const bare = raw.madvise(a, bytes, MADV_COLLAPSE) === 0 ? null : errnoName(lastErrno());
    if (bare) throw new CheckSkipped(`MADV_COLLAPSE refuses this ${s.kind} range even without a guard (${bare}; ${thpSetting(s.kind)})`);
    return `MADV_COLLAPSE over the guarded range is refused (${guarded}) and the guard stays; the same range collapses once the guard is removed`;
  },
};

export const mlockRefuses: Check = {
  name: 'mlock-refuses-install',
  items: [10],
  strategies: GUARD_STRATEGIES,
  run({ scratch: s }) {
    const a = s.map(3);
    if (raw.mlock(a, 3 * PAGE) !== 0) {
      const why = errnoName(lastErrno());
      throw new CheckSkipped(`mlock refused (${why}${why === 'EPERM' || why === 'ENOMEM' ? ': RLIMIT_MEMLOCK or no CAP_IPC_LOCK' : ''})`);
    }
    try {
      let refusal = '';
      try {
        s.guard(a + PAGE);
      } catch (e) {
        refusal = e instanceof SysError ? e.code : oneLine(e);
      }
      if (refusal !== 'EINVAL') fail(`install on an mlock'd page should fail with EINVAL, ${refusal ? `got ${refusal}` : 'it succeeded'}`);
      s.unguard(a + PAGE);
      s.writes(a + PAGE, 'the mlock\'d page the install refused');
    } finally {
      raw.munlock(a, 3 * PAGE);
    }
    return 'install on an mlock\'d range fails with EINVAL and leaves no guard; remove is allowed';
  },
};
