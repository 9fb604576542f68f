/**
 * The smaps VmFlags `gu` (VM_MAYBE_GUARD) that the census and detect rely on: they read pagemap
 * only inside VMAs flagged `gu`, so a VMA holding a guard without the flag would make both
 * undercount while every other check stays green. The flag is a sticky "may contain guards"
 * hint: absent before any install, set by it, kept on both halves of a split and after a remove
 * (VM_STICKY in the series that added it), so the counts must still come out exact from the page
 * tables. A guarded VMA must also still merge with a compatible new neighbour.
 * (guard-semantics.md item 30)
 */
import { PROT_READ, PROT_RW } from '../sys/constants.js';
import { mprotect } from '../sys/libc.js';
import { hasGuardFlag, readSmaps } from '../metrics/maps.js';
import { countVmasIn, type Span } from '../metrics/vmas.js';
import { MarkerScanner } from '../census/markers.js';
import { PAGE, type Scratch } from './scratch.js';
import { CheckSkipped, GUARD_STRATEGIES, expect, type Check } from './types.js';


type FlaggedVma = { start: number; end: number; gu: boolean };

/** The VMAs of this process inside `span`, with whether each carries `gu` (one read of smaps). */
function vmasIn(span: Span): FlaggedVma[] {
  return readSmaps().filter((v) => v.start < span.end && v.end > span.start).map((v) => ({ start: v.start, end: v.end, gu: hasGuardFlag(v) }));
}

/**
 * Guard pages in the `gu` VMAs counted as the census counts them: PAGEMAP_SCAN, and pagemap bit
 * 58 (the census's fallback and detect's pagemap method); both must agree.
 */
function expectCounted(vmas: readonly FlaggedVma[], guards: number, when: string): void {
  const ranges = vmas.filter((v) => v.gu);
  const count = (scan: boolean): number | null => {
    const scanner = new MarkerScanner({ scan, bit58: !scan });
    try {
      return scanner.count(process.pid, ranges).pages;
    } finally {
      scanner.dispose();
    }
  };
  const [scan, bit58] = [count(true), count(false)];
  expect(scan === guards && bit58 === guards,
    `${when}: the census counts ${scan} guard pages by PAGEMAP_SCAN and ${bit58} by pagemap bit 58 in the gu VMAs, expected ${guards}`);
}

/** The span's VMAs, after checking that the one holding the guard carries `gu`. */
function expectFlagged(s: Scratch, span: Span, guard: number, when: string): FlaggedVma[] {
  const vmas = vmasIn(span);
  const holder = vmas.find((v) => guard >= v.start && guard < v.end);
  expect(holder?.gu === true, `${when}: the VMA holding the guard has ${holder ? 'no gu in its VmFlags' : 'gone'} (${s.kind})`);
  return vmas;
}

/** Every VMA of the span must carry `gu` (or none may, with `want` false). */
function expectAll(vmas: readonly FlaggedVma[], want: boolean, when: string, kind: string): void {
  const wrong = vmas.filter((v) => v.gu !== want).length;
  expect(vmas.length > 0 && wrong === 0,
    `${when}: ${wrong} of ${vmas.length} VMAs ${want ? 'lack' : 'carry'} gu in their VmFlags, expected ${want ? 'all to carry it (sticky)' : 'none'} (${kind})`);
}

export const guFlagSplitMerge: Check = {
  name: 'gu-flag-split-merge',
  items: [30],
  strategies: GUARD_STRATEGIES,
  needs: ['smapsGuardFlag', 'pagemapScanGuard', 'pagemapGuardBit'],
  run({ scratch: s }) {
    // | d0 | G1 | . | . | . | d5 | . | . | . | . |
    const a = s.map(10);
    const span = { start: a, end: a + 10 * PAGE };
    s.put(a, 90);
    s.put(a + 5 * PAGE, 95);
    // Before any install the VMA must not carry the flag: a hint set on every VMA says nothing.
    expectAll(vmasIn(span), false, 'before any install', s.kind);
    s.guard(a + PAGE);
    expectCounted(expectFlagged(s, span, a + PAGE, 'after install'), 1, 'after install');

    mprotect(a + 5 * PAGE, 5 * PAGE, PROT_READ);
    const split = expectFlagged(s, span, a + PAGE, 'after mprotect splits the VMA');
    expect(split.length === 2, `mprotect of the upper half left ${split.length} VMAs, expected 2`);
    expectAll(split, true, 'after the split', s.kind);
    expectCounted(split, 1, 'after the split');

    mprotect(a + 5 * PAGE, 5 * PAGE, PROT_RW);
    const merged = expectFlagged(s, span, a + PAGE, 'after mprotect lets the halves merge');
    expect(merged.length === 1, `the halves did not merge back: ${merged.length} VMAs`);
    s.faults(a + PAGE, 'the guard after split and merge');

    // A compatible new neighbour (the same file pages, for shared kinds) joins the guarded VMA.
    s.unmap(a + 8 * PAGE, 2);
    if (s.mapAt(a + 8 * PAGE, 2) === null) throw new CheckSkipped('another thread mapped the hole before it could be refilled');
    const joined = countVmasIn(span.start, span.end);
    expect(joined === 1, `a new neighbour mapped next to the guarded VMA stayed apart: ${joined} VMAs`);

    s.unguard(a + PAGE);
    s.writes(a + PAGE, 'the former guard page after remove');
    const removed = vmasIn(span);
    expectAll(removed, true, 'after remove', s.kind);
    expectCounted(removed, 0, 'after remove');
    s.reads(a + 5 * PAGE, 95, 'data across the split and merge');
    return 'gu absent before install; on the VMA after install, on both halves of a split and after the merge; '
      + 'a new neighbour merges; still set after remove (sticky); the census counts 1, 1 and 0 guard pages exactly';
  },
};
