/**
 * Why a guard marker's cycle (map a stack, guard it, unmap it) costs 9 us in one run and 40-100 us
 * in another: `node --import tsx scripts/page-table-costs.ts [--cycles N] [--rounds R]`.
 *
 * A marker lives in a page table. If no page table covers the stack's 2 MiB yet, installing the
 * marker allocates a PTE page (and a PMD page when nothing maps the surrounding 1 GiB either), and
 * munmap frees them again, which needs every CPU that may cache them told (an IPI, counted as
 * "Function call interrupts" in /proc/interrupts here: with paravirtual TLB flushing the "TLB
 * shootdowns" row stays at 0). A PROT_NONE guard on untouched memory allocates no page table. So
 * the price of a cycle depends on where the stack lies relative to other mappings, and on whether
 * other threads of the process have run on other CPUs. This script measures the cycle in the three
 * placements and with the process confined to one CPU or spread over all, beside the page-table
 * bytes one cycle allocates (VmPTE) and the cross-CPU interrupts per cycle.
 */
import { parseArgs } from 'node:util';
import { MADV_GUARD_INSTALL, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_PRIVATE, MAP_STACK, PROT_NONE, PROT_READ, PROT_RW } from '../src/sys/constants.js';
import { SysError, lastErrno, mmap, munmap, raw } from '../src/sys/libc.js';
import { textTable } from '../src/render/text-table.js';
import { readInterrupts } from '../src/metrics/interrupts.js';
import { pageTableBytes } from '../src/metrics/status.js';
import { allThreadsOn, allowedCpus } from '../src/sys/affinity.js';

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' } } });
const CYCLES = Number(values.cycles);
const ROUNDS = Number(values.rounds);
const STACK = 256 << 10;
const GUARD = 4096;
const GiB = 2 ** 30;
const STACK_FLAGS = MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_FIXED_NOREPLACE;

type Placement = 'shared' | 'own-pte' | 'own-pmd';
type Guard = 'madvise' | 'mprotect';

/** A free, `align`-aligned range of `bytes` with nothing else mapped within `align` of it. */
function isolatedRange(bytes: number, align: number): number {
  const span = bytes + 3 * align;
  const base = mmap(span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
  munmap(base, span);
  return Math.ceil(base / align) * align + align;
}

/** Where the stack goes, and what (if anything) keeps its page tables alive. */
function place(p: Placement): { stack: number; anchor: number | null; release: () => void } {
  if (p === 'own-pmd') return { stack: isolatedRange(STACK, GiB), anchor: null, release: () => {} };
  const region = isolatedRange(2 * STACK, 2 << 20);
  if (p === 'own-pte') {
    // Something maps the same 1 GiB (a neighbour 2 MiB away), nothing the same 2 MiB.
    const neighbour = region + (4 << 20);
    raw.mmap(neighbour, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    touch(neighbour);
    return { stack: region, anchor: neighbour, release: () => munmap(neighbour, 4096) };
  }
  // A read-only page at the top of the stack's own 2 MiB keeps its PTE page alive.
  const anchor = region + (2 << 20) - 4096;
  if (raw.mmap(anchor, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) !== anchor) throw new SysError('mmap', [anchor], lastErrno());
  touch(anchor);
  return { stack: region, anchor, release: () => munmap(anchor, 4096) };
}

/** Read one byte at `addr` (a fault that maps the zero page: a PTE now exists). */
function touch(addr: number): void {
  const b = Buffer.alloc(1);
  raw.copyOut(b, addr, 1);
}

function cycle(stack: number, guard: Guard): void {
  if (raw.mmap(stack, STACK, PROT_RW, STACK_FLAGS, -1, 0) !== stack) throw new SysError('mmap', [stack], lastErrno());
  const rc = guard === 'madvise' ? raw.madvise(stack, GUARD, MADV_GUARD_INSTALL) : raw.mprotect(stack, GUARD, PROT_NONE);
  raw.munmap(stack, STACK);
  if (rc !== 0) throw new SysError(guard, [stack], lastErrno());
}

/** Page-table bytes one cycle holds at its peak: VmPTE with the guarded stack mapped, minus without. */
function pageTablesPerCycle(stack: number, guard: Guard): number {
  const before = pageTableBytes() ?? 0;
  raw.mmap(stack, STACK, PROT_RW, STACK_FLAGS, -1, 0);
  if (guard === 'madvise') raw.madvise(stack, GUARD, MADV_GUARD_INSTALL);
  else raw.mprotect(stack, GUARD, PROT_NONE);
  const during = pageTableBytes() ?? 0;
  raw.munmap(stack, STACK);
  return during - before;
}

interface Cell { nsPerCycle: number; ipisPerCycle: number; pageTableBytes: number }

function measure(p: Placement, guard: Guard): Cell {
  const { stack, release } = place(p);
  try {
    for (let i = 0; i < 200; i++) cycle(stack, guard);
    const ns: number[] = [];
    const ipis: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const i0 = readInterrupts();
      const t0 = performance.now();
      for (let i = 0; i < CYCLES; i++) cycle(stack, guard);
      ns.push(((performance.now() - t0) * 1e6) / CYCLES);
      ipis.push((readInterrupts().functionCall - i0.functionCall) / CYCLES);
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { nsPerCycle: med(ns), ipisPerCycle: med(ipis), pageTableBytes: pageTablesPerCycle(stack, guard) };
  } finally {
    release();
  }
}

const rows: string[][] = [];
const cpus = allowedCpus();
for (const spread of ['all CPUs', 'one CPU'] as const) {
  const restore = spread === 'one CPU' ? allThreadsOn([cpus[0]!]) : () => {};
  try {
    for (const guard of ['madvise', 'mprotect'] as const) {
      for (const p of ['shared', 'own-pte', 'own-pmd'] as const) {
        const c = measure(p, guard);
        rows.push([spread, guard, p, c.nsPerCycle.toFixed(0), c.ipisPerCycle.toFixed(2), String(c.pageTableBytes)]);
      }
    }
  } finally {
    restore();
  }
}
console.log(textTable(['threads on', 'guard', 'page tables', 'ns/cycle', 'IPIs/cycle', 'PT bytes/cycle'], rows, { align: ['left', 'left', 'left'], rule: true }));
