/**
 * Guards across what happens to the VMAs around them: munmap, mprotect, splits and merges, mremap.
 * (guard-semantics.md items 6, 7, 8, 11)
 */
import { PROT_READ, PROT_RW } from '../sys/constants.js';
import { errnoName, lastErrno, mprotect, raw } from '../sys/libc.js';
import { countVmasIn } from '../metrics/vmas.js';
import { PAGE, describePages, pagemapGuardBits, type Scratch } from './scratch.js';
import { CheckSkipped, GUARD_STRATEGIES, expect, fail, type Check } from './types.js';

const MREMAP_MAYMOVE = 1;
const MREMAP_FIXED = 2;

export const munmapClears: Check = {
  name: 'munmap-clears',
  items: [6],
  strategies: ['prot-none', ...GUARD_STRATEGIES],
  run({ scratch: s, probe }) {
    const a = s.map(5);
    s.guard(a + 2 * PAGE);
    // First the guard must be there: a check that only looks for its absence passes without one.
    s.faults(a + 2 * PAGE, 'the guard before munmap');
    s.unmap(a + PAGE, 3);
    if (s.mapAt(a + PAGE, 3) === null) throw new CheckSkipped('another thread mapped the address between munmap and the new mmap');
    s.writes(a + 2 * PAGE, 'the new mapping where the guard was');
    s.reads(a + 2 * PAGE + 64, 0, 'the new mapping where the guard was');
    if (probe.features.pagemapGuardBit) {
      const bits = pagemapGuardBits('self', a, 5);
      expect(!bits.includes(true), `pagemap still shows guards on ${describePages(bits)} after munmap and a new mmap`);
    }
    const where = s.kind === 'anon' ? 'a new mapping at the same address' : `the same ${s.kind} pages mapped again at the same address`;
    return `the guard traps; after munmap, ${where} has none (markers live in page tables, not in the memory)`;
  },
};

export const mprotectKeeps: Check = {
  name: 'mprotect-keeps',
  items: [7],
  strategies: GUARD_STRATEGIES,
  run({ scratch: s }) {
    const a = s.map(3);
    s.put(a, 40);
    s.guard(a + PAGE);
    mprotect(a, 3 * PAGE, PROT_READ);
    s.faults(a + PAGE, 'the guard under PROT_READ');
    s.reads(a, 40, 'the read-only neighbour');
    mprotect(a, 3 * PAGE, PROT_RW);
    s.faults(a + PAGE, 'the guard after mprotect back to read-write', true);
    return 'the guard traps under PROT_READ and again after mprotect back to PROT_READ|PROT_WRITE';
  },
};

export const splitMergeKeeps: Check = {
  name: 'split-merge-keeps',
  items: [8],
  strategies: GUARD_STRATEGIES,
  run({ scratch: s }) {
    // | d0 | . | G2 | d3 | . | hole5 | d6 | G7 | d8 | . |
    const a = s.map(10);
    for (const i of [0, 3, 6, 8]) s.put(a + i * PAGE, 50 + i);
    s.guard(a + 2 * PAGE);
    s.guard(a + 7 * PAGE);
    const guardsHold = (when: string) => {
      s.faults(a + 2 * PAGE, `guard 2 ${when}`);
      s.faults(a + 7 * PAGE, `guard 7 ${when}`);
    };
    s.unmap(a + 5 * PAGE, 1);
    guardsHold('after munmap splits the VMA');
    if (s.mapAt(a + 5 * PAGE, 1) === null) throw new CheckSkipped('another thread mapped the hole before it could be refilled');
    guardsHold('after a new page fills the hole');
    mprotect(a, 5 * PAGE, PROT_READ);
    guardsHold('after mprotect splits the VMA');
    mprotect(a, 5 * PAGE, PROT_RW);
    guardsHold('after mprotect lets it merge again');
    for (const i of [0, 3, 6, 8]) s.reads(a + i * PAGE, 50 + i, `data page ${i}`);
    return `both guards trap through munmap and mprotect splits and the merges after; ${countVmasIn(a, a + 10 * PAGE)} VMA(s) at the end`;
  },
};

/** mremap that returns the new address or fails with errno's name. */
function remap(old: number, oldPages: number, newPages: number, flags: number, to = 0): number | string {
  const got = raw.mremap(old, oldPages * PAGE, newPages * PAGE, flags, to);
  return typeof got === 'bigint' ? errnoName(lastErrno()) : got;
}

function moveKeeps(s: Scratch): void {
  // | d0 | G1 | d2 | G3 | d4 | moved onto a reserved range elsewhere
  const a = s.map(5);
  for (const i of [0, 2, 4]) s.put(a + i * PAGE, 60 + i);
  s.guard(a + PAGE);
  s.guard(a + 3 * PAGE);
  const dst = s.map(5);
  const got = remap(a, 5, 5, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
  if (got !== dst) fail(`mremap move failed: ${got}`);
  s.forget(a, 5);
  s.faults(dst + PAGE, 'guard 1 after the move');
  s.faults(dst + 3 * PAGE, 'guard 3 after the move');
  for (const i of [0, 2, 4]) s.reads(dst + i * PAGE, 60 + i, `moved data page ${i}`);
}

/** Expand in place keeps guards at their offsets; shrink drops those cut off. */
function expandShrink(s: Scratch): string {
  const b = s.map(10);
  s.unmap(b + 5 * PAGE, 5);
  s.guard(b + PAGE);
  s.guard(b + 3 * PAGE);
  if (remap(b, 5, 10, 0) !== b) return 'expand and shrink not checked (the room after the mapping was taken)';
  s.adopt(b + 5 * PAGE, 5);
  s.faults(b + PAGE, 'guard 1 after expand');
  s.faults(b + 3 * PAGE, 'guard 3 after expand');
  s.reads(b + 7 * PAGE, 0, 'a page the expand added');
  if (remap(b, 10, 2, 0) !== b) fail('mremap shrink failed');
  s.forget(b + 2 * PAGE, 8);
  if (remap(b, 2, 5, 0) !== b) return 'expand keeps guards; shrink not checked (the room was taken)';
  s.adopt(b + 2 * PAGE, 3);
  s.faults(b + PAGE, 'guard 1 after shrink and regrow');
  s.reads(b + 3 * PAGE, 0, 'the page whose guard the shrink cut off');
  return 'expand keeps them at their offsets, shrink drops the one cut off';
}

export const mremapKeeps: Check = {
  name: 'mremap-keeps',
  items: [11],
  strategies: GUARD_STRATEGIES,
  run({ scratch: s }) {
    moveKeeps(s);
    return `a move keeps both guards and the data between them; ${expandShrink(s)}`;
  },
};
