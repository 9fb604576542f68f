/**
 * Where stacks that are created and freed again and again are placed, which decides what their
 * guard markers cost. A marker lives in a page table: when no page table covers the stack's low
 * 2 MiB, installing the marker allocates a PTE page (and a PMD page when nothing maps the
 * surrounding 1 GiB), and munmap frees them again. Measured here (scripts/page-table-costs.ts):
 * a map-guard-unmap cycle took ~9 us with its page tables kept alive by a neighbour and ~100 us
 * without, the same with the process on one CPU or both (no cross-CPU interrupts either way), while
 * a PROT_NONE guard on untouched memory allocates no page table and costs ~9 us wherever it lies.
 * Left to chance (a hole found at run time) a run landed in either case; so placement is an
 * explicit axis:
 *   shared  each stack in a 2 MiB region of its own whose first page (read-only, touched) stays
 *           mapped: the page tables under the guard outlive every cycle;
 *   own     each stack at the start of a 1 GiB region nothing else maps: every cycle allocates
 *           and frees a PTE page and a PMD page.
 */
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_PRIVATE, PROT_NONE, PROT_READ } from '../sys/constants.js';
import { SysError, lastErrno, mmap, munmap, pageSize, raw } from '../sys/libc.js';

export type PageTables = 'shared' | 'own';
export const PAGE_TABLE_PLACEMENTS: readonly PageTables[] = ['shared', 'own'];

const MiB2 = 2 ** 21;
const GiB = 2 ** 30;
/** Free space above the stacks, for everyone else's mappings (the kernel fills a hole from the top). */
const HEADROOM = 64 * 2 ** 20;

export interface Placement {
  bases: number[];
  /** unmap the anchors */
  release(): void;
}

/** The start of an `align`-aligned free range of `bytes`, with the headroom above it left free. */
function alignedRoom(bytes: number, align: number): number {
  const span = bytes + align + HEADROOM;
  const base = mmap(span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
  munmap(base, span);
  return Math.ceil(base / align) * align;
}

function mapAnchor(addr: number): void {
  const page = pageSize();
  if (raw.mmap(addr, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) !== addr) {
    throw new SysError('mmap(anchor)', [addr], lastErrno());
  }
  // A read fault maps the zero page: from now on a PTE (and the page tables above it) exist here.
  const b = Buffer.alloc(1);
  raw.copyOut(b, addr, 1);
}

/** Bases for `count` stacks of `stackBytes`, placed as `pageTables` says. */
export function placeStacks(count: number, stackBytes: number, pageTables: PageTables): Placement {
  if (pageTables === 'own') {
    const stride = Math.ceil(stackBytes / GiB) * GiB;
    const start = alignedRoom(count * stride, GiB);
    return { bases: Array.from({ length: count }, (_, i) => start + i * stride), release: () => {} };
  }
  const page = pageSize();
  // anchor page, a free page, then the stack: the guard at the stack's low end shares the anchor's 2 MiB.
  const stride = Math.ceil((stackBytes + 2 * page) / MiB2) * MiB2;
  const start = alignedRoom(count * stride, MiB2);
  const anchors: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      mapAnchor(start + i * stride);
      anchors.push(start + i * stride);
    }
  } catch (e) {
    for (const a of anchors) munmap(a, page);
    throw e;
  }
  return {
    bases: anchors.map((a) => a + 2 * page),
    release: () => { for (const a of anchors) munmap(a, page); },
  };
}
