/**
 * Guard calls over ranges that are not one VMA: a range with unmapped gaps (madvise answers
 * ENOMEM yet guards every mapped part), adjacent VMAs of different flags (one call guards both),
 * and process_madvise over iovecs in three populated VMAs with gaps between them (it returns the
 * bytes advised, and stops at the first iovec that fails). (guard-semantics.md items 4, 5)
 */
import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE, MAP_POPULATE, PROT_READ } from '../sys/constants.js';
import { close, errnoName, lastErrno, mmap, munmap, pidfdOpen, processMadviseNr, raw, writeMemory } from '../sys/libc.js';
import { countVmasIn } from '../metrics/vmas.js';
import type { FeatureProbe } from '../probe/features.js';
import { PAGE, describePages, pagemapGuardBits, pagemapPresentBits } from './scratch.js';
import { GUARD_STRATEGIES, expect, type Check } from './types.js';

/** madvise's answer: 0, or errno's name. */
function advise(addr: number, pages: number, advice: number): number | string {
  return raw.madvise(addr, pages * PAGE, advice) === 0 ? 0 : errnoName(lastErrno());
}

export const gapsInstallEnomem: Check = {
  name: 'gaps-enomem-still-guards',
  items: [4],
  strategies: ['guard-madvise'],
  run({ scratch: s }) {
    // | d0 | d1 | gap | gap | d4 |: one install over all five pages
    const a = s.map(5);
    for (const i of [0, 1, 4]) s.put(a + i * PAGE, 150 + i);
    s.unmap(a + 2 * PAGE, 2);
    // Control: the mapped pages are readable before any guard.
    for (const i of [0, 1, 4]) s.reads(a + i * PAGE, 150 + i, `mapped page ${i} before the install`);
    const installed = advise(a, 5, MADV_GUARD_INSTALL);
    expect(installed === 'ENOMEM', `MADV_GUARD_INSTALL over a range with a 2-page gap returned ${installed}, expected ENOMEM`);
    for (const i of [0, 1, 4]) s.faults(a + i * PAGE, `mapped page ${i} after the install that answered ENOMEM`);
    const removed = advise(a, 5, MADV_GUARD_REMOVE);
    expect(removed === 'ENOMEM', `MADV_GUARD_REMOVE over the same range returned ${removed}, expected ENOMEM`);
    const after = s.kind === 'anon' ? 0 : null;
    for (const i of [0, 1, 4]) s.reads(a + i * PAGE, after ?? 150 + i, `mapped page ${i} after the remove that answered ENOMEM`);
    return 'install and remove over a range with an unmapped gap both answer ENOMEM and still act on all 3 mapped pages';
  },
};

export const adjacentVmasOneCall: Check = {
  name: 'adjacent-vmas-one-call',
  items: [4],
  strategies: GUARD_STRATEGIES,
  run({ scratch: s }) {
    // | rw | rw | ro | ro |: two VMAs that cannot merge, one install over both
    const a = s.map(4);
    raw.mprotect(a + 2 * PAGE, 2 * PAGE, PROT_READ);
    const vmas = countVmasIn(a, a + 4 * PAGE);
    expect(vmas === 2, `mprotect of the upper half left ${vmas} VMAs, expected 2 (the control for one call over two VMAs)`);
    s.guard(a, 4);
    for (let i = 0; i < 4; i++) s.faults(a + i * PAGE, `page ${i} of ${i < 2 ? 'the read-write' : 'the read-only'} VMA`);
    s.unguard(a, 4);
    for (let i = 0; i < 4; i++) s.reads(a + i * PAGE, 0, `page ${i} after one remove over both VMAs`);
    return 'one install over a read-write and a read-only VMA side by side succeeds and guards all 4 pages; one remove clears them';
  },
};

interface Iov {
  /** first page, from the start of the layout */
  page: number;
  pages: number;
}

/** process_madvise(self, iovecs, advice): the bytes it returns, or errno's name. */
function processMadvise(probe: FeatureProbe, base: number, iovs: readonly Iov[], advice: number): number | string {
  const iov = mmap(PAGE);
  const pidfd = probe.pidfdSelfValue ?? pidfdOpen(process.pid);
  try {
    const buf = Buffer.alloc(iovs.length * 16);
    iovs.forEach(({ page, pages }, i) => {
      buf.writeBigUInt64LE(BigInt(base + page * PAGE), i * 16);
      buf.writeBigUInt64LE(BigInt(pages * PAGE), i * 16 + 8);
    });
    writeMemory(iov, buf);
    const rc = raw.syscall(processMadviseNr(), pidfd, iov, iovs.length, advice, 0, 0);
    return rc < 0 ? errnoName(lastErrno()) : rc;
  } finally {
    if (probe.pidfdSelfValue === null) close(pidfd);
    munmap(iov, PAGE);
  }
}

const bytesOf = (iovs: readonly Iov[]): number => iovs.reduce((n, v) => n + v.pages * PAGE, 0);

/**
 * Three VMAs mapped with MAP_POPULATE, a one-page gap between each:
 *   | 0 1 2 3 | gap | 5 6 7 8 | gap | 10 11 12 13 |
 * Six iovecs of mixed sizes inside the VMAs, then three where the second spans a gap.
 */
export const processMadviseBytes: Check = {
  name: 'process-madvise-bytes',
  items: [4, 5],
  strategies: ['guard-process-madvise'],
  processMadviseOnEveryKind: true,
  run({ scratch: s, probe }) {
    const a = s.map(14, 1, MAP_POPULATE);
    s.unmap(a + 4 * PAGE, 1);
    s.unmap(a + 9 * PAGE, 1);
    for (const i of [3, 8, 13]) s.put(a + i * PAGE, 160 + i);
    // Control: MAP_POPULATE mapped every page before any guard.
    const present = pagemapPresentBits(a, 4);
    expect(present.every(Boolean), `MAP_POPULATE left ${describePages(present.map((p) => !p))} of the first VMA unmapped`);
    const inside: Iov[] = [{ page: 0, pages: 1 }, { page: 2, pages: 1 }, { page: 5, pages: 2 }, { page: 7, pages: 1 }, { page: 10, pages: 2 }, { page: 12, pages: 1 }];
    const total = bytesOf(inside);
    const installed = processMadvise(probe, a, inside, MADV_GUARD_INSTALL);
    expect(installed === total, `install over 6 iovecs in 3 populated VMAs returned ${installed}, expected ${total} bytes`);
    for (const { page } of inside) s.faults(a + page * PAGE, `guarded page ${page}`);
    for (const i of [3, 8, 13]) s.reads(a + i * PAGE, 160 + i, `populated page ${i} beside the guards`);
    const removed = processMadvise(probe, a, inside, MADV_GUARD_REMOVE);
    expect(removed === total, `remove over the same 6 iovecs returned ${removed}, expected ${total} bytes`);
    for (const { page } of inside) s.writes(a + page * PAGE, `page ${page} after remove`);

    // An iovec across a gap fails (ENOMEM, still applied to its mapped pages); the call returns the
    // bytes of the iovecs before it and leaves the ones after it alone.
    const acrossGap: Iov[] = [{ page: 0, pages: 1 }, { page: 3, pages: 3 }, { page: 13, pages: 1 }];
    const partial = processMadvise(probe, a, acrossGap, MADV_GUARD_INSTALL);
    expect(partial === PAGE, `install over [page 0], [pages 3-5 across a gap], [page 13] returned ${partial}, expected ${PAGE} (the first iovec's bytes)`);
    for (const page of [0, 3, 5]) s.faults(a + page * PAGE, `page ${page} of an iovec the call reached`);
    s.reads(a + 13 * PAGE, 173, 'page 13, in the iovec after the one that failed');
    const seen = probe.features.pagemapGuardBit ? describePages(pagemapGuardBits('self', a, 14)) : null;
    return `6 iovecs in 3 MAP_POPULATE VMAs with gaps: install and remove each return ${total} bytes and the populated neighbours keep their data; `
      + `an iovec across a gap makes the call return the ${PAGE} bytes before it, guarding that iovec's mapped pages and not the next iovec's${seen ? ` (pagemap shows guards on ${seen})` : ''}`;
  },
};
