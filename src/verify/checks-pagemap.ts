/**
 * Seeing guards from their page tables, the way CRIU finds them: pagemap bit 58 must be set on
 * exactly the guarded pages (not on populated or empty ones), and PAGEMAP_SCAN with PAGE_IS_GUARD
 * must report exactly the guarded runs. (guard-semantics.md items 27, 28)
 */
import { scanGuardRegions } from '../sys/pagemap.js';
import { PAGE, describePages, pagemapGuardBits, type Scratch } from './scratch.js';
import { GUARD_STRATEGIES, expect, type Check } from './types.js';

const PAGES = 12;
const POPULATED = [0, 3, 6, 8, 11];
/** guarded runs as [first page, pages] */
const GUARDED: readonly (readonly [number, number])[] = [[1, 1], [4, 2], [9, 1]];

function layout(s: Scratch): number {
  const a = s.map(PAGES);
  for (const i of POPULATED) s.put(a + i * PAGE, 80 + i);
  for (const [first, n] of GUARDED) s.guard(a + first * PAGE, n);
  return a;
}

const expectedBits = (): boolean[] => {
  const bits = new Array<boolean>(PAGES).fill(false);
  for (const [first, n] of GUARDED) for (let i = first; i < first + n; i++) bits[i] = true;
  return bits;
};

export const pagemapBitExact: Check = {
  name: 'pagemap-bit58-exact',
  items: [27],
  strategies: GUARD_STRATEGIES,
  processMadviseOnEveryKind: true,
  needs: ['pagemapGuardBit'],
  run({ scratch: s }) {
    const a = layout(s);
    const want = expectedBits();
    const got = pagemapGuardBits('self', a, PAGES);
    expect(got.every((b, i) => b === want[i]), `bit 58 is set on ${describePages(got)}, expected ${describePages(want)}`);
    s.unguard(a, PAGES);
    const after = pagemapGuardBits('self', a, PAGES);
    expect(!after.includes(true), `after remove, bit 58 is still set on ${describePages(after)}`);
    return `bit 58 set on exactly ${describePages(want)} of ${PAGES} (populated pages clear), and on none after remove`;
  },
};

export const pagemapScanExact: Check = {
  name: 'pagemap-scan-exact',
  items: [28],
  strategies: GUARD_STRATEGIES,
  processMadviseOnEveryKind: true,
  needs: ['pagemapScanGuard'],
  run({ scratch: s }) {
    const a = layout(s);
    const { regions } = scanGuardRegions('self', a, a + PAGES * PAGE, 8);
    const got = regions.map((r) => `${(r.start - a) / PAGE}-${(r.end - a) / PAGE}`).join(' ');
    const want = GUARDED.map(([first, n]) => `${first}-${first + n}`).join(' ');
    expect(got === want, `PAGEMAP_SCAN reported page runs [${got}], expected [${want}]`);
    return `PAGEMAP_SCAN with PAGE_IS_GUARD reports exactly the runs [${want}] (pages, end exclusive)`;
  },
};
