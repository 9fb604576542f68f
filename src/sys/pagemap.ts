/**
 * Finding guard markers from page tables: /proc/PID/pagemap bit 58 (6.15) and the PAGEMAP_SCAN ioctl
 * with PAGE_IS_GUARD (6.16), the two ways CRIU looks for them.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import {
  PAGE_IS_GUARD, PAGE_REGION_BYTES, PAGEMAP_SCAN, PM_GUARD_REGION_BIT, PM_PRESENT_BIT, PM_SCAN_ARG_BYTES,
} from './constants.js';
import { SysError, lastErrno, mmap, munmap, pageSize, raw } from './libc.js';

const PAGE_SIZE = pageSize();

/** Count pages in [start, end) whose pagemap entry has bit 58 set; also returns the bytes read. */
export function countGuardPagesByPagemap(pid: number | 'self', start: number, end: number): { guards: number; bytesRead: number } {
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    const pages = (end - start) / PAGE_SIZE;
    const chunkPages = 1 << 16;
    const buf = Buffer.alloc(Math.min(pages, chunkPages) * 8);
    let guards = 0;
    let bytesRead = 0;
    for (let done = 0; done < pages; done += chunkPages) {
      const n = Math.min(chunkPages, pages - done);
      const got = readSync(fd, buf, 0, n * 8, (start / PAGE_SIZE + done) * 8);
      bytesRead += got;
      for (let off = 0; off + 8 <= got; off += 8) {
        // bit 58 lives in the high word: bit 26 of it
        if ((buf.readUInt32LE(off + 4) >>> (Number(PM_GUARD_REGION_BIT) - 32)) & 1) guards++;
      }
    }
    return { guards, bytesRead };
  } finally {
    closeSync(fd);
  }
}

/** The 64-bit pagemap entry of the page at `addr` in process `pid`. */
export function pagemapEntry(pid: number | 'self', addr: number): bigint {
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    const buf = Buffer.alloc(8);
    if (readSync(fd, buf, 0, 8, (addr / PAGE_SIZE) * 8) !== 8) throw new SysError('read(pagemap)', [addr], lastErrno());
    return buf.readBigUInt64LE(0);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether a guard install over a page this process had written replaced it: an installed guard
 * zaps the page, so its pagemap entry is no longer present (bit 63). A page still present after an
 * install that returned success means the install did nothing (a filter or a broken kernel that
 * answers 0). Reading pagemap touches nothing, so this is safe where a read of the guard is not.
 */
export function installReplacedPage(addr: number): boolean {
  return ((pagemapEntry('self', addr) >> PM_PRESENT_BIT) & 1n) === 0n;
}

/** A run of guard pages reported by PAGEMAP_SCAN. */
export interface GuardRegion {
  start: number;
  end: number;
}

/** A 64-bit little-endian address as a number (exact below 2^53), without a BigInt. */
function u64At(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off) + buf.readUInt32LE(off + 4) * 2 ** 32;
}

/**
 * Reusable memory for PAGEMAP_SCAN with category PAGE_IS_GUARD: the page_region vector (the kernel
 * writes it by address, so it lives in memory mapped here, not in a movable Buffer) and the
 * argument. One scanner serves any number of scans; release() unmaps the vector.
 */
export class GuardRegionScanner {
  private vec = 0;
  private readonly arg = Buffer.alloc(PM_SCAN_ARG_BYTES);
  private readonly out: Buffer;

  constructor(readonly vecLen = 4096) {
    this.out = Buffer.alloc(vecLen * PAGE_REGION_BYTES);
  }

  /**
   * Visit each guard region in [start, end) of the process whose pagemap is open on `fd`, in
   * address order, without building a list (a detector timing 100k regions should time the
   * kernel, not allocation). A full vector resumes from walk_end. Returns the ioctl calls made;
   * a failing ioctl throws SysError (ENOTTY before 6.7, EINVAL without PAGE_IS_GUARD before 6.16).
   */
  scan(fd: number, start: number, end: number, visit: (start: number, end: number) => void): number {
    if (this.vec === 0) this.vec = mmap(this.vecLen * PAGE_REGION_BYTES);
    const { arg, out, vec, vecLen } = this;
    let calls = 0;
    let from = start;
    while (from < end) {
      arg.fill(0);
      arg.writeBigUInt64LE(BigInt(PM_SCAN_ARG_BYTES), 0); // size
      arg.writeBigUInt64LE(BigInt(from), 16); // start
      arg.writeBigUInt64LE(BigInt(end), 24); // end
      arg.writeBigUInt64LE(BigInt(vec), 40); // vec
      arg.writeBigUInt64LE(BigInt(vecLen), 48); // vec_len
      arg.writeBigUInt64LE(BigInt(PAGE_IS_GUARD), 72); // category_mask
      arg.writeBigUInt64LE(BigInt(PAGE_IS_GUARD), 88); // return_mask
      const n = raw.ioctl(fd, PAGEMAP_SCAN, arg);
      calls++;
      if (n < 0) throw new SysError('ioctl(PAGEMAP_SCAN)', [fd, from, end], lastErrno());
      raw.copyOut(out, vec, n * PAGE_REGION_BYTES);
      let lastEnd = 0;
      for (let i = 0; i < n; i++) {
        lastEnd = u64At(out, i * PAGE_REGION_BYTES + 8);
        visit(u64At(out, i * PAGE_REGION_BYTES), lastEnd);
      }
      // A vector that did not fill means the walk reached `end`. Only then is walk_end not to be
      // trusted: the kernel walks in chunks of 512 regions and leaves walk_end where an earlier
      // chunk stopped (6.18: 1000 guards came back as 1000 regions with walk_end after the 512th),
      // so resuming from it reports regions twice.
      if (n < vecLen) break;
      const walkEnd = Math.max(u64At(arg, 32), lastEnd);
      if (walkEnd <= from) break;
      from = walkEnd;
    }
    return calls;
  }

  release(): void {
    if (this.vec !== 0) munmap(this.vec, this.vecLen * PAGE_REGION_BYTES);
    this.vec = 0;
  }
}

/** Visit each guard region of process `pid` in [start, end) (see GuardRegionScanner.scan). */
export function forEachGuardRegion(pid: number | 'self', start: number, end: number,
  visit: (start: number, end: number) => void, vecLen = 4096): number {
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  const scanner = new GuardRegionScanner(vecLen);
  try {
    return scanner.scan(fd, start, end, visit);
  } finally {
    scanner.release();
    closeSync(fd);
  }
}

/** Guard regions in [start, end) by PAGEMAP_SCAN with category PAGE_IS_GUARD, as a list. */
export function scanGuardRegions(pid: number | 'self', start: number, end: number, vecLen = 4096): { regions: GuardRegion[]; calls: number } {
  const regions: GuardRegion[] = [];
  const calls = forEachGuardRegion(pid, start, end, (s, e) => regions.push({ start: s, end: e }), vecLen);
  return { regions, calls };
}
