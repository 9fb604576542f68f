/**
 * What a guard does to the accesses around it: it traps, installing it discards what was there,
 * removing it gives the page back, and doing either twice changes nothing.
 * A guard among the zero pages of a never-written range does the same.
 * (guard-semantics.md items 1, 2, 3, 7's "installing again is harmless" and 26)
 */
import { PROT_READ } from '../sys/constants.js';
import { mprotect } from '../sys/libc.js';
import { PAGE, describePages, pagemapGuardBits, pagemapPresentBits, readHere } from './scratch.js';
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

/**
 * The zero page: a never-written anonymous range reads zeroes from one shared page the kernel
 * maps read-only. A guard put among such pages (here in a PROT_READ mapping, as the selftest's
 * anon_zeropage) must trap while its neighbours keep reading zeroes.
 */
export const zeroPageNeighbours: Check = {
  name: 'zero-page-neighbours',
  items: [26],
  strategies: GUARD_STRATEGIES,
  kinds: ['anon'],
  run({ scratch: s, probe }) {
    const a = s.map(3);
    mprotect(a, 3 * PAGE, PROT_READ);
    for (let i = 0; i < 3; i++) readHere(a + i * PAGE);
    // Control: our reads mapped the zero page, and a child reads zeroes where the guard will go.
    const mapped = pagemapPresentBits(a, 3);
    expect(mapped.every(Boolean), `reading a never-written range mapped ${describePages(mapped)} of 3, expected all (the zero page)`);
    s.reads(a + PAGE, 0, 'the middle page before the guard');
    s.guard(a + PAGE);
    s.faults(a + PAGE, 'a guard among zero pages');
    for (const i of [0, 2]) s.reads(a + i * PAGE, 0, `zero page ${i} beside the guard`);
    let bits = '';
    if (probe.features.pagemapGuardBit) {
      const guarded = pagemapGuardBits('self', a, 3);
      expect(guarded.filter(Boolean).length === 1 && guarded[1] === true, `pagemap shows guards on ${describePages(guarded)}, expected page 1`);
      bits = '; pagemap shows the guard on page 1 only';
    }
    s.unguard(a + PAGE);
    s.reads(a + PAGE, 0, 'the page after remove');
    return `a guard among zero pages of a read-only, never-written range traps while both neighbours read zeroes${bits}; after remove it reads zeroes`;
  },
};
