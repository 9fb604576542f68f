/**
 * Guards under other madvise advice and mlock: MADV_DONTNEED and MADV_FREE zap pages but keep
 * markers, reclaim (MADV_COLD, MADV_PAGEOUT) keeps them, a collapse into a huge page either keeps
 * them or is refused, populating over a guard fails with EFAULT, and an mlock'd range refuses install
 * with EINVAL and allows remove. (guard-semantics.md items 9, 15, 17, 29, 16, 10)
 */
import { openSync, readFileSync } from 'node:fs';
import { MADV_COLD, MADV_COLLAPSE, MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE, MAP_PRIVATE, PROT_READ } from '../sys/constants.js';
import { errnoName, fill, lastErrno, madvise, mmap, raw } from '../sys/libc.js';
import type { MemoryKind } from '../sys/memory.js';
import { selectedChoice } from '../probe/sysfs.js';
import { oneLine } from '../errors.js';
import { describeOption } from './kconfig.js';
import { GuardCallRefused } from './outcome.js';
import { PAGE, describePages, pagemapGuardBits, type Scratch } from './scratch.js';
import { ALL_GUARDING, CheckSkipped, GUARD_STRATEGIES, expect, fail, type Check } from './types.js';

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

/**
 * What decides whether memory of `kind` can be collapsed here, measured for skip reasons: the
 * sysfs THP setting for anon and shmem; for a file, the kernel option that lets a page-cache range
 * become a huge page at all, and what a read-only mapping of a file opened O_RDONLY answered.
 */
function collapseCause(s: Scratch, bytes: number): string {
  if (s.kind !== 'file') {
    const file = s.kind === 'anon' ? 'enabled' : 'shmem_enabled';
    return `transparent_hugepage/${file} is ${selectedChoice(readSys(`/sys/kernel/mm/transparent_hugepage/${file}`))}`;
  }
  const ro = s.keep(openSync(`/proc/self/fd/${s.fd}`, 'r'));
  const addr = mmap(bytes, PROT_READ, MAP_PRIVATE, 0, ro, 0);
  s.adopt(addr, bytes / PAGE);
  const readOnly = raw.madvise(addr, bytes, MADV_COLLAPSE) === 0 ? 'collapses' : `is refused too (${errnoName(lastErrno())})`;
  return `${describeOption('CONFIG_READ_ONLY_THP_FOR_FS')}; a read-only mapping of the file opened O_RDONLY ${readOnly}`;
}

/**
 * khugepaged's work, done at once with MADV_COLLAPSE: a huge page swallowing a guard would leave
 * the memory unguarded (on THP=always hosts, under every figure measured there). The kernel must
 * refuse the collapse, or keep the guard. When it refuses, the same range once the guard is
 * removed (and seen to be gone) tells a refusal for the guard from a range that cannot be
 * collapsed here at all: a skip that names the measured cause and keeps what was seen.
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
    // The remove must have worked before anything else is blamed for a refusal.
    s.writes(a + PAGE, 'the former guard page after remove, before MADV_COLLAPSE is tried without it');
    const bare = raw.madvise(a, bytes, MADV_COLLAPSE) === 0 ? null : errnoName(lastErrno());
    if (bare) {
      throw new CheckSkipped(`MADV_COLLAPSE refuses this ${s.kind} range without a guard too (${bare}; ${collapseCause(s, bytes)}); `
        + `with the guard it was refused (${guarded}) and the guard still trapped`);
    }
    return `MADV_COLLAPSE over the guarded range is refused (${guarded}) and the guard stays; the same range collapses once the guard is removed`;
  },
};

/**
 * MADV_POPULATE_READ/WRITE fault a range in as a touch would: over a guard they must fail with
 * EFAULT (the guard's fault) and leave it in place, never populate it.
 */
export const populateFaults: Check = {
  name: 'populate-efault-keeps',
  items: [16],
  strategies: GUARD_STRATEGIES,
  run({ scratch: s, probe }) {
    const populate = (addr: number, advice: number): string => (raw.madvise(addr, 3 * PAGE, advice) === 0 ? 'ok' : errnoName(lastErrno()));
    // Control: both populate the same kind of range when no guard is there.
    const bare = s.map(3);
    for (const [advice, name] of POPULATE) {
      const got = populate(bare, advice);
      if (got === 'EINVAL') throw new CheckSkipped(`${name} is refused without a guard (EINVAL: the advice came in Linux 5.14)`);
      expect(got === 'ok', `${name} over 3 unguarded pages answered ${got}, expected success (the control)`);
    }
    const a = s.map(3);
    s.put(a + 2 * PAGE, 170);
    s.guard(a + PAGE);
    for (const [advice, name] of POPULATE) {
      const got = populate(a, advice);
      expect(got === 'EFAULT', `${name} over a guard answered ${got === 'ok' ? 'success' : got}, expected EFAULT`);
      s.faults(a + PAGE, `the guard after ${name}`);
      if (probe.features.pagemapGuardBit) {
        const bits = pagemapGuardBits('self', a, 3);
        expect(bits[1] === true, `after ${name} pagemap shows guards on ${describePages(bits)}, expected page 1`);
      }
    }
    s.reads(a + 2 * PAGE, 170, 'a populated neighbour');
    s.unguard(a + PAGE);
    for (const [advice, name] of POPULATE) {
      const got = populate(a, advice);
      expect(got === 'ok', `${name} after the guard's remove answered ${got}, expected success`);
    }
    return 'MADV_POPULATE_READ and _WRITE populate 3 unguarded pages; over a guard both answer EFAULT and the guard still traps; after remove both succeed';
  },
};

const POPULATE = [[MADV_POPULATE_READ, 'MADV_POPULATE_READ'], [MADV_POPULATE_WRITE, 'MADV_POPULATE_WRITE']] as const;

/**
 * As the selftest's mlock test: install on an mlock'd range fails with EINVAL; a guard put in
 * before, beside an mlock'd part, is removed by one remove over both (remove is not destructive).
 */
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
        refusal = e instanceof GuardCallRefused ? e.code ?? e.message : oneLine(e);
      }
      if (refusal !== 'EINVAL') fail(`install on an mlock'd page should fail with EINVAL, ${refusal ? `got ${refusal}` : 'it succeeded'}`);
      s.writes(a + PAGE, 'the mlock\'d page the install refused');
      raw.munlock(a, 3 * PAGE);
      // | G0 | locked | locked |: remove over the guard and the mlock'd pages
      s.guard(a);
      s.faults(a, 'a guard put in before the mlock');
      if (raw.mlock(a + PAGE, 2 * PAGE) !== 0) fail(`mlock of the 2 pages beside the guard failed (${errnoName(lastErrno())}) after the whole range locked before`);
      s.unguard(a, 3);
      s.writes(a, 'the guard page after one remove over it and the mlock\'d pages');
    } finally {
      raw.munlock(a, 3 * PAGE);
    }
    return 'install on an mlock\'d range fails with EINVAL and leaves no guard; a remove over a guard and mlock\'d pages is allowed and clears the guard';
  },
};
