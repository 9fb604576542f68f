/**
 * The scratch memory of one check and the ways to probe it. Every page a check maps is tracked
 * page by page, so the check may unmap or move parts of it and cleanup still unmaps exactly what
 * is left: never a range that another thread's mapping may since have taken.
 *
 * The memory is of the check's kind, as in the kernel selftest's variants: anonymous private
 * pages, or pages of one memfd or one file per check, mapped shared at offsets handed out in
 * order. A page's offset is remembered, so an unmapped range mapped again (`mapAt`) shows the
 * same file pages, as the selftest's variants do.
 *
 * The parent writes data only into pages that have never held a guard; every access to a page
 * that holds, or held, a guard is made by a child.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NORESERVE, MAP_PRIVATE, PM_GUARD_REGION_BIT, PM_PRESENT_BIT, PROT_NONE, PROT_RW } from '../sys/constants.js';
import { SysError, lastErrno, mmap, munmap, pageSize, raw, writeMemory } from '../sys/libc.js';
import { kindFlags, openShared, type MemoryKind } from '../sys/memory.js';
import { guardRanges, type Strategy } from '../strategies/index.js';
import { describeAccess, type Access, type Children } from '../sys/children.js';
import { GuardCallRefused, fail } from './outcome.js';

export const PAGE = pageSize();

/** Pages of file a shared-kind scratch starts with: room for every check's layout, and sparse. */
const SHARED_PAGES = 4096;

export class Scratch {
  private readonly owned = new Set<number>();
  /** file offset of each shared page ever mapped, by address */
  private readonly offsets = new Map<number, number>();
  private readonly fds: number[] = [];
  private shared = -1;
  private nextOffset = 0;

  constructor(private readonly children: Children, private readonly strategy: Strategy, readonly kind: MemoryKind = 'anon') {}

  /** The memfd or file the check's shared pages come from (created on first use); -1 for anon. */
  get fd(): number {
    if (this.kind === 'anon') return -1;
    if (this.shared < 0) this.shared = this.keep(openShared(this.kind, SHARED_PAGES * PAGE));
    return this.shared;
  }

  /** Close `fd` when the check ends. */
  keep(fd: number): number {
    this.fds.push(fd);
    return fd;
  }

  /** The file offset of the shared page at `addr` (for truncation and hole-punch checks). */
  offsetOf(addr: number): number {
    const off = this.offsets.get(addr);
    if (off === undefined) throw new Error(`no file page is mapped at 0x${addr.toString(16)}`);
    return off;
  }

  /**
   * Map `pages` fresh read-write pages, the first at a multiple of `alignPages` pages (and file
   * offset), with `extraFlags` (MAP_POPULATE, ...) beside the kind's own.
   *
   * Anonymous pages come between two PROT_NONE fence pages of the scratch's own, so they never
   * merge with a VMA of the process around them: smaps `gu` is sticky and spreads by merging, and
   * a scratch VMA that merged with, say, a child's stack would leave `gu` on it after the check
   * (seen on 6.18: two of Node's VMAs flagged after a verification) and on the next fresh mapping
   * beside it. Shared pages merge only with their own file's, which no other check maps.
   */
  map(pages: number, alignPages = 1, extraFlags = 0): number {
    if (this.kind !== 'anon') this.nextOffset = Math.ceil(this.nextOffset / (alignPages * PAGE)) * alignPages * PAGE;
    const offset = this.nextOffset;
    const fence = this.kind === 'anon' ? 1 : 0;
    let addr: number;
    if (alignPages === 1 && !fence) {
      addr = mmap(pages * PAGE, PROT_RW, kindFlags(this.kind) | extraFlags, 0, this.fd, offset);
    } else {
      // Reserve room for the fences and the alignment, map over its aligned part, keep the
      // fences and give back the rest.
      const room = (pages + alignPages - 1 + 2 * fence) * PAGE;
      const reserved = mmap(room, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
      addr = Math.ceil((reserved + fence * PAGE) / (alignPages * PAGE)) * alignPages * PAGE;
      const low = addr - fence * PAGE;
      const high = addr + (pages + fence) * PAGE;
      try {
        mmap(pages * PAGE, PROT_RW, kindFlags(this.kind) | extraFlags | MAP_FIXED, addr, this.fd, this.kind === 'anon' ? 0 : offset);
      } catch (e) {
        munmap(reserved, room);
        throw e;
      }
      if (low > reserved) munmap(reserved, low - reserved);
      if (reserved + room > high) munmap(high, reserved + room - high);
      this.adopt(low, fence);
      this.adopt(addr + pages * PAGE, fence);
    }
    if (this.kind !== 'anon') {
      for (let i = 0; i < pages; i++) this.offsets.set(addr + i * PAGE, offset + i * PAGE);
      this.nextOffset = offset + pages * PAGE;
    }
    this.adopt(addr, pages);
    return addr;
  }

  /**
   * Map read-write pages at exactly `addr` (the file pages mapped there before, for shared kinds);
   * null when something else took the address meanwhile.
   */
  mapAt(addr: number, pages: number): number | null {
    const offset = this.kind === 'anon' ? 0 : this.offsetOf(addr);
    const got = raw.mmap(addr, pages * PAGE, PROT_RW, kindFlags(this.kind) | MAP_FIXED_NOREPLACE, this.fd, offset);
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

  /** Unmap every page still held, one munmap per contiguous run, and close every descriptor. */
  release(): void {
    const pages = [...this.owned].sort((a, b) => a - b);
    this.owned.clear();
    try {
      for (let i = 0; i < pages.length;) {
        let j = i + 1;
        while (j < pages.length && pages[j] === pages[j - 1]! + PAGE) j++;
        munmap(pages[i]!, (j - i) * PAGE);
        i = j;
      }
    } finally {
      for (const fd of this.fds.splice(0)) closeSync(fd);
    }
  }

  /** Guard `pages` pages at `addr` the way the strategy under test does. */
  guard(addr: number, pages = 1): void {
    this.call('install', addr, pages);
  }

  unguard(addr: number, pages = 1): void {
    this.call('remove', addr, pages);
  }

  /**
   * One install or remove by the strategy. What its system calls answer is the kernel's verdict
   * (an errno, process_madvise advising fewer bytes than asked): it fails the check as such.
   */
  private call(op: 'install' | 'remove', addr: number, pages: number): void {
    const p = this.strategy.prepare(guardRanges([addr], pages * PAGE));
    try {
      this.strategy[op](p);
    } catch (e) {
      const what = `${this.strategy.name} ${op} over ${pages} page${pages === 1 ? '' : 's'}`;
      throw new GuardCallRefused(`kernel verdict on the ${what}: ${e instanceof Error ? e.message : String(e)}`, e instanceof SysError ? e.code : null);
    } finally {
      p.release();
    }
  }

  /** Write a NUL-terminated string of `len` bytes (1..200) at addr, which must never have held a guard. */
  put(addr: number, len: number): void {
    writeMemory(addr, testString(len));
  }

  /** What a child's read of addr did. */
  readBy(addr: number): Access {
    return this.children.read(addr);
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

/** The NUL-terminated string of `len` bytes that `put` writes and `reads` expects. */
export function testString(len: number): Buffer {
  return Buffer.concat([Buffer.alloc(len, 0x61 + (len % 26)), Buffer.alloc(1)]);
}

/** Bit `bit` of each page's pagemap entry in [addr, addr + pages), for `pid`. */
function pagemapBits(pid: number | 'self', addr: number, pages: number, bit: bigint): boolean[] {
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    const buf = Buffer.alloc(pages * 8);
    const got = readSync(fd, buf, 0, buf.length, (addr / PAGE) * 8);
    if (got !== buf.length) throw new SysError('read(pagemap)', [addr, pages], lastErrno());
    const bits: boolean[] = [];
    for (let i = 0; i < pages; i++) bits.push(((buf.readBigUInt64LE(i * 8) >> bit) & 1n) === 1n);
    return bits;
  } finally {
    closeSync(fd);
  }
}

/** Bit 58 (a guard marker) of each page's pagemap entry in [addr, addr + pages), for `pid`. */
export function pagemapGuardBits(pid: number | 'self', addr: number, pages: number): boolean[] {
  return pagemapBits(pid, addr, pages, PM_GUARD_REGION_BIT);
}

/** Bit 63 (a page is mapped: present in the page tables) of each page's pagemap entry in our range. */
export function pagemapPresentBits(addr: number, pages: number): boolean[] {
  return pagemapBits('self', addr, pages, PM_PRESENT_BIT);
}

/** Read `bytes` at addr in this process (a page that never held a guard): a fault taken here, by us. */
export function readHere(addr: number, bytes = 64): Buffer {
  const buf = Buffer.alloc(bytes);
  raw.copyOut(buf, addr, bytes);
  return buf;
}

/** "pages 1, 4-5" for the indices set in `bits`. */
export function describePages(bits: readonly boolean[]): string {
  const set = bits.flatMap((b, i) => (b ? [i] : []));
  return set.length === 0 ? 'no pages' : `pages ${set.join(', ')}`;
}
