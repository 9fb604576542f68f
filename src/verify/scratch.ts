/**
 * The scratch memory of one check and the ways to probe it. Every page a check maps is tracked
 * page by page, so the check may unmap or move parts of it and cleanup still unmaps exactly what
 * is left: never a range that another thread's mapping may since have taken.
 *
 * The parent writes data only into pages that have never held a guard; every access to a page
 * that holds, or held, a guard is made by a child.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, PM_GUARD_REGION_BIT, PROT_RW } from '../sys/constants.js';
import { SysError, lastErrno, mmap, munmap, pageSize, raw, writeMemory } from '../sys/libc.js';
import { guardRanges, type Strategy } from '../strategies/index.js';
import { describeAccess, type Children } from '../sys/children.js';
import { fail } from './types.js';

export const PAGE = pageSize();

export class Scratch {
  private readonly owned = new Set<number>();

  constructor(private readonly children: Children, private readonly strategy: Strategy) {}

  /** Map `pages` fresh read-write pages. */
  map(pages: number): number {
    const addr = mmap(pages * PAGE);
    this.adopt(addr, pages);
    return addr;
  }

  /** Map read-write pages at exactly `addr`; null when something else took the address meanwhile. */
  mapAt(addr: number, pages: number): number | null {
    const got = raw.mmap(addr, pages * PAGE, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (got !== addr) return null;
    this.adopt(addr, pages);
    return addr;
  }

  adopt(addr: number, pages: number): void {
    for (let i = 0; i < pages; i++) this.owned.add(addr + i * PAGE);
  }

  forget(addr: number, pages: number): void {
    for (let i = 0; i < pages; i++) this.owned.delete(addr + i * PAGE);
  }

  unmap(addr: number, pages: number): void {
    munmap(addr, pages * PAGE);
    this.forget(addr, pages);
  }

  /** Unmap every page still held, one munmap per contiguous run. */
  release(): void {
    const pages = [...this.owned].sort((a, b) => a - b);
    this.owned.clear();
    for (let i = 0; i < pages.length;) {
      let j = i + 1;
      while (j < pages.length && pages[j] === pages[j - 1]! + PAGE) j++;
      munmap(pages[i]!, (j - i) * PAGE);
      i = j;
    }
  }

  /** Guard `pages` pages at `addr` the way the strategy under test does. */
  guard(addr: number, pages = 1): void {
    const p = this.strategy.prepare(guardRanges([addr], pages * PAGE));
    try {
      this.strategy.install(p);
    } finally {
      p.release();
    }
  }

  unguard(addr: number, pages = 1): void {
    const p = this.strategy.prepare(guardRanges([addr], pages * PAGE));
    try {
      this.strategy.remove(p);
    } finally {
      p.release();
    }
  }

  /** Write a NUL-terminated string of `len` bytes (1..200) at addr, which must never have held a guard. */
  put(addr: number, len: number): void {
    writeMemory(addr, Buffer.concat([Buffer.alloc(len, 0x61 + (len % 26)), Buffer.alloc(1)]));
  }

  /** A child's read of addr must die with SIGSEGV (and its write too, with `write`). */
  faults(addr: number, what: string, write = false): void {
    const r = this.children.read(addr);
    if (r.kind !== 'fault') fail(`${what}: a read should fault, the child ${describeAccess(r)}`);
    if (!write) return;
    const w = this.children.write(addr);
    if (w.kind !== 'fault') fail(`${what}: a write should fault, the child ${describeAccess(w)}`);
  }

  /** A child reading addr must find the string of length `len` put there (0: a zero page). */
  reads(addr: number, len: number, what: string): void {
    const r = this.children.read(addr);
    if (r.kind !== 'ok' || r.value !== len) {
      fail(`${what}: a read should find ${len ? `its ${len}-byte string` : 'zeroes'}, the child ${describeAccess(r)}`);
    }
  }

  writes(addr: number, what: string): void {
    const w = this.children.write(addr);
    if (w.kind !== 'ok' || w.value !== 0) fail(`${what}: a write should succeed, the child ${describeAccess(w)}`);
  }
}

/** Bit 58 of each page's pagemap entry in [addr, addr + pages), for `pid`. */
export function pagemapGuardBits(pid: number | 'self', addr: number, pages: number): boolean[] {
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    const buf = Buffer.alloc(pages * 8);
    const got = readSync(fd, buf, 0, buf.length, (addr / PAGE) * 8);
    if (got !== buf.length) throw new SysError('read(pagemap)', [addr, pages], lastErrno());
    const bits: boolean[] = [];
    for (let i = 0; i < pages; i++) bits.push(((buf.readBigUInt64LE(i * 8) >> PM_GUARD_REGION_BIT) & 1n) === 1n);
    return bits;
  } finally {
    closeSync(fd);
  }
}

/** "pages 1, 4-5" for the indices set in `bits`. */
export function describePages(bits: readonly boolean[]): string {
  const set = bits.flatMap((b, i) => (b ? [i] : []));
  return set.length === 0 ? 'no pages' : `pages ${set.join(', ')}`;
}
