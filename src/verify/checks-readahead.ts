/**
 * Faults that map more than the page they were taken on, in the page cache of a file or a memfd:
 * fault-around maps the cached neighbours of a faulting page in one go, and MADV_SEQUENTIAL reads
 * ahead. Neither may fill a guard's page-table entry: pagemap must still show the guard, and a
 * touch of it must still trap. (guard-semantics.md items 19, 22)
 */
import { writeSync } from 'node:fs';
import { MADV_PAGEOUT, MADV_SEQUENTIAL } from '../sys/constants.js';
import { readTrimmed } from '../probe/sysfs.js';
import { madvise } from '../sys/libc.js';
import { PAGE, describePages, pagemapGuardBits, pagemapPresentBits, readHere, testString, type Scratch } from './scratch.js';
import { CheckSkipped, GUARD_STRATEGIES, SHARED_KINDS, expect, type Check } from './types.js';

const PAGES = 16;
const ODD = Array.from({ length: PAGES / 2 }, (_, i) => 2 * i + 1);
const EVEN = ODD.map((i) => i - 1);

/** Map `PAGES` pages whose file pages hold test strings, written through the descriptor (cached, not mapped). */
function cachedPages(s: Scratch): number {
  const a = s.map(PAGES);
  for (let i = 0; i < PAGES; i++) {
    const data = testString(180 + i);
    writeSync(s.fd, data, 0, data.length, s.offsetOf(a + i * PAGE));
  }
  return a;
}

/** Guard bits on exactly the odd pages, and a touch of each traps. */
function oddGuardsHold(s: Scratch, a: number, when: string): void {
  const bits = pagemapGuardBits('self', a, PAGES);
  expect(bits.every((b, i) => b === (i % 2 === 1)), `${when}: pagemap shows guards on ${describePages(bits)}, expected the ${ODD.length} odd pages`);
  for (const i of ODD) s.faults(a + i * PAGE, `guard page ${i} ${when}`);
}

export const faultAroundSkipsGuards: Check = {
  name: 'fault-around-skips-guards',
  items: [22],
  strategies: GUARD_STRATEGIES,
  kinds: SHARED_KINDS,
  needs: ['pagemapGuardBit'],
  run({ scratch: s }) {
    // Control: a read of page 0 of an unguarded mapping maps cached neighbours too.
    const bare = cachedPages(s);
    readHere(bare);
    const around = pagemapPresentBits(bare, PAGES);
    const neighbours = around.slice(1).filter(Boolean).length;
    if (neighbours === 0) {
      const bytes = readTrimmed('/sys/kernel/debug/fault_around_bytes');
      throw new CheckSkipped(`a read of page 0 of ${PAGES} cached ${s.kind} pages mapped no neighbour without a guard: fault-around is not in effect here`
        + (bytes === null ? ' (debugfs fault_around_bytes not readable)' : ` (debugfs fault_around_bytes is ${bytes})`));
    }
    const a = cachedPages(s);
    for (const i of ODD) s.guard(a + i * PAGE);
    readHere(a);
    const mapped = pagemapPresentBits(a, PAGES);
    oddGuardsHold(s, a, 'after a read of page 0');
    for (const i of EVEN) s.reads(a + i * PAGE, 180 + i, `cached page ${i} between guards`);
    return `a read of page 0 maps ${neighbours} of ${PAGES - 1} cached neighbours without guards (the control); with every odd page guarded it maps ${describePages(mapped)} and every guard still traps`;
  },
};

export const sequentialKeepsGuards: Check = {
  name: 'sequential-readahead-keeps',
  items: [19],
  strategies: GUARD_STRATEGIES,
  kinds: SHARED_KINDS,
  needs: ['pagemapGuardBit'],
  run({ scratch: s }) {
    const a = cachedPages(s);
    // Control: the advice is taken for this kind of mapping.
    madvise(a, PAGES * PAGE, MADV_SEQUENTIAL);
    for (const i of ODD) s.guard(a + i * PAGE);
    for (const i of EVEN) readHere(a + i * PAGE);
    oddGuardsHold(s, a, 'after sequential reads');
    madvise(a, PAGES * PAGE, MADV_PAGEOUT);
    for (const i of EVEN) readHere(a + i * PAGE);
    oddGuardsHold(s, a, 'after MADV_PAGEOUT and sequential reads again');
    for (const i of ODD) s.unguard(a + i * PAGE);
    for (let i = 0; i < PAGES; i++) s.reads(a + i * PAGE, 180 + i, `page ${i} after the guards' remove`);
    return `under MADV_SEQUENTIAL, reads of the ${EVEN.length} even pages, before and after MADV_PAGEOUT, leave every odd page guarded (pagemap and a touch); after remove all ${PAGES} pages read the ${s.kind}'s data`;
  },
};
