/**
 * What a guard does to the accesses around it: it traps, installing it discards what was there,
 * removing it gives the page back, and doing either twice changes nothing.
 * (guard-semantics.md items 1, 2, 3, 5 and 7's "installing again is harmless")
 */
import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE } from '../sys/constants.js';
import { close, errnoName, lastErrno, mmap, munmap, pidfdOpen, processMadviseNr, raw, writeMemory } from '../sys/libc.js';
import { PAGE, pagemapGuardBits, describePages } from './scratch.js';
import { ALL_GUARDING, GUARD_STRATEGIES, expect, type Check } from './types.js';

export const traps: Check = {
  name: 'traps-sigsegv',
  items: [1],
  strategies: ALL_GUARDING,
  processMadviseOnEveryKind: true,
  run({ scratch: s }) {
    // | 0 data | 1 data | 2 guard | 3 data | 4 data |
    const a = s.map(5);
    for (const i of [0, 1, 3, 4]) s.put(a + i * PAGE, 10 + i);
    s.guard(a + 2 * PAGE);
    s.faults(a + 2 * PAGE, 'the guard page', true);
    s.faults(a + 3 * PAGE - 1, 'the guard page\'s last byte');
    for (const i of [1, 3]) {
      s.reads(a + i * PAGE, 10 + i, `neighbour page ${i}`);
      s.writes(a + i * PAGE, `neighbour page ${i}`);
    }
    return 'reads and writes of the guard page die with SIGSEGV; both neighbours keep their data and take writes';
  },
};

export const installZapsData: Check = {
  name: 'install-over-data',
  items: [2],
  strategies: GUARD_STRATEGIES,
  run({ scratch: s }) {
    const a = s.map(3);
    for (const i of [0, 1, 2]) s.put(a + i * PAGE, 20 + i);
    s.guard(a + PAGE);
    s.faults(a + PAGE, 'a guard installed over a populated page');
    s.unguard(a + PAGE);
    // Install zaps the page-table entries: anonymous data goes with them, a shared page stays in
    // its memfd or file and comes back on the next fault.
    if (s.kind === 'anon') s.reads(a + PAGE, 0, 'the page after remove (install drops its data)');
    else s.reads(a + PAGE, 21, `the page after remove (its data stays in the ${s.kind})`);
    s.reads(a, 20, 'the page before');
    s.reads(a + 2 * PAGE, 22, 'the page after');
    const after = s.kind === 'anon' ? 'reads zeroes' : `reads its data again from the ${s.kind}`;
    return `install over a populated page traps; after remove the page ${after}, its neighbours keep their data`;
  },
};

export const removeRestores: Check = {
  name: 'remove-restores',
  items: [3],
  strategies: ALL_GUARDING,
  run({ scratch: s }) {
    const a = s.map(5);
    for (const i of [0, 1, 3, 4]) s.put(a + i * PAGE, 30 + i);
    s.guard(a + 2 * PAGE);
    s.faults(a + 2 * PAGE, 'the guard before remove');
    // Remove over the whole range, guarded and unguarded pages alike.
    s.unguard(a, 5);
    s.reads(a + 2 * PAGE, 0, 'the former guard page');
    s.writes(a + 2 * PAGE, 'the former guard page');
    for (const i of [0, 1, 3, 4]) s.reads(a + i * PAGE, 30 + i, `populated page ${i} under the remove`);
    return 'remove over 5 pages makes the guard page usable again and keeps the data of the 4 populated pages';
  },
};

export const installTwice: Check = {
  name: 'install-twice-one-guard',
  items: [7],
  strategies: GUARD_STRATEGIES,
  run({ scratch: s, probe }) {
    const a = s.map(3);
    s.guard(a + PAGE);
    s.guard(a + PAGE);
    let count = 'pagemap not checked (no bit 58 before Linux 6.15)';
    if (probe.features.pagemapGuardBit) {
      const bits = pagemapGuardBits('self', a, 3);
      expect(bits.filter(Boolean).length === 1 && bits[1] === true, `pagemap after two installs shows guards on ${describePages(bits)}, expected page 1`);
      count = 'pagemap shows one guard page';
    }
    s.faults(a + PAGE, 'the twice-installed guard');
    s.unguard(a + PAGE);
    s.reads(a + PAGE, 0, 'the page after one remove');
    return `the second install succeeds; ${count}; one remove clears it (markers do not nest)`;
  },
};

/** process_madvise over six iovecs of mixed sizes, as the kernel selftest does. */
export const processMadviseBytes: Check = {
  name: 'process-madvise-bytes',
  items: [5],
  strategies: ['guard-process-madvise'],
  processMadviseOnEveryKind: true,
  run({ scratch: s, probe }) {
    const a = s.map(16);
    const ranges = [[0, 1], [2, 2], [5, 1], [7, 3], [11, 1], [13, 2]] as const;
    const total = ranges.reduce((n, [, len]) => n + len * PAGE, 0);
    const iov = mmap(PAGE);
    const pidfd = probe.pidfdSelfValue ?? pidfdOpen(process.pid);
    try {
      const buf = Buffer.alloc(ranges.length * 16);
      ranges.forEach(([page, len], i) => {
        buf.writeBigUInt64LE(BigInt(a + page * PAGE), i * 16);
        buf.writeBigUInt64LE(BigInt(len * PAGE), i * 16 + 8);
      });
      writeMemory(iov, buf);
      const call = (advice: number) => {
        const rc = raw.syscall(processMadviseNr(), pidfd, iov, ranges.length, advice, 0, 0);
        return rc < 0 ? errnoName(lastErrno()) : rc;
      };
      const installed = call(MADV_GUARD_INSTALL);
      expect(installed === total, `install over 6 iovecs returned ${installed}, expected ${total} bytes`);
      s.faults(a + 7 * PAGE + PAGE, 'the middle page of the 3-page iovec');
      s.reads(a + 4 * PAGE, 0, 'an unguarded page between iovecs');
      const removed = call(MADV_GUARD_REMOVE);
      expect(removed === total, `remove over 6 iovecs returned ${removed}, expected ${total} bytes`);
      s.reads(a + 8 * PAGE, 0, 'a page after remove');
    } finally {
      if (probe.pidfdSelfValue === null) close(pidfd);
      munmap(iov, PAGE);
    }
    return `install and remove over 6 iovecs each return ${total} (the bytes advised)`;
  },
};
