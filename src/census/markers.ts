/**
 * Counting guard-marker pages in another process, only inside its `gu` VMAs so that a whole-machine
 * census stays cheap. PAGEMAP_SCAN with PAGE_IS_GUARD (6.16) returns runs of guard pages in one
 * ioctl per range; without it, /proc/PID/pagemap bit 58 (6.15) is read page by page.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import {
  PAGE_IS_GUARD, PAGE_REGION_BYTES, PAGEMAP_SCAN, PM_GUARD_REGION_BIT, PM_SCAN_ARG_BYTES,
} from '../sys/constants.js';
import { errnoName, lastErrno, mmap, munmap, pageSize, raw } from '../sys/libc.js';
import { classifyError } from './procfs.js';

export type MarkerMethod = 'pagemap-scan' | 'pagemap-bit58';

export interface Range {
  start: number;
  end: number;
}

/** Guard pages found in a process's ranges (in all, and per range), or null with the reason they could not be counted. */
export type MarkerCount = { pages: number; perRange: number[]; method: MarkerMethod } | { pages: null; reason: string };

/** page_region entries per ioctl: a walk that fills them resumes from walk_end. */
const VEC_LEN = 512;
/** pagemap entries read per pread in the bit-58 fallback. */
const PAGEMAP_CHUNK = 8192;

class ScanUnsupported extends Error {}

function counted(perRange: number[], method: MarkerMethod): MarkerCount {
  return { pages: perRange.reduce((a, b) => a + b, 0), perRange, method };
}

/**
 * One scanner per census: it owns the page_region vector (the kernel writes it by address, so it
 * lives in memory mapped here, not in a movable Buffer) and remembers once PAGEMAP_SCAN is missing.
 */
export class MarkerScanner {
  private readonly page = pageSize();
  private vec = 0;
  private readonly arg = Buffer.alloc(PM_SCAN_ARG_BYTES);
  private readonly out = Buffer.alloc(VEC_LEN * PAGE_REGION_BYTES);
  private readonly entries = Buffer.alloc(PAGEMAP_CHUNK * 8);
  private useScan: boolean;
  private readonly useBit58: boolean;
  /** why PAGEMAP_SCAN is not used, once known */
  scanUnavailable: string | null = null;

  constructor(options: { scan: boolean; bit58: boolean; scanReason?: string }) {
    this.useScan = options.scan;
    this.useBit58 = options.bit58;
    if (!options.scan) this.scanUnavailable = options.scanReason ?? 'PAGEMAP_SCAN PAGE_IS_GUARD not available';
  }

  /** Whether any method is left to count with. */
  get available(): boolean {
    return this.useScan || this.useBit58;
  }

  count(pid: number, ranges: readonly Range[]): MarkerCount {
    if (ranges.length === 0) return { pages: 0, perRange: [], method: this.useScan ? 'pagemap-scan' : 'pagemap-bit58' };
    if (!this.available) return { pages: null, reason: this.scanUnavailable ?? 'no way to read guard markers' };
    let fd: number;
    try {
      fd = openSync(`/proc/${pid}/pagemap`, 'r');
    } catch (e) {
      const why = classifyError(e);
      return { pages: null, reason: `pagemap: ${why.reason} (${why.detail})` };
    }
    try {
      if (this.useScan) {
        try {
          return counted(ranges.map((r) => this.scanRange(fd, r) / this.page), 'pagemap-scan');
        } catch (e) {
          if (!(e instanceof ScanUnsupported)) return { pages: null, reason: (e as Error).message };
          this.useScan = false;
          this.scanUnavailable = e.message;
        }
      }
      if (!this.useBit58) return { pages: null, reason: this.scanUnavailable ?? 'no way to read guard markers' };
      return counted(ranges.map((r) => this.readBits(fd, r)), 'pagemap-bit58');
    } catch (e) {
      const why = classifyError(e);
      return { pages: null, reason: `pagemap: ${why.reason} (${why.detail})` };
    } finally {
      closeSync(fd);
    }
  }

  /** Unmap the vector; the scanner must not be used afterwards. */
  dispose(): void {
    if (this.vec !== 0) munmap(this.vec, VEC_LEN * PAGE_REGION_BYTES);
    this.vec = 0;
  }

  /** Guard bytes in one range: ioctl until the walk reaches the end. */
  private scanRange(fd: number, r: Range): number {
    if (this.vec === 0) this.vec = mmap(VEC_LEN * PAGE_REGION_BYTES);
    const { arg, out } = this;
    let bytes = 0;
    for (let from = r.start; from < r.end;) {
      arg.fill(0);
      arg.writeBigUInt64LE(BigInt(PM_SCAN_ARG_BYTES), 0); // size
      arg.writeBigUInt64LE(BigInt(from), 16); // start
      arg.writeBigUInt64LE(BigInt(r.end), 24); // end
      arg.writeBigUInt64LE(BigInt(this.vec), 40); // vec
      arg.writeBigUInt64LE(BigInt(VEC_LEN), 48); // vec_len
      arg.writeBigUInt64LE(BigInt(PAGE_IS_GUARD), 72); // category_mask: only guard pages
      arg.writeBigUInt64LE(BigInt(PAGE_IS_GUARD), 88); // return_mask
      const n = raw.ioctl(fd, PAGEMAP_SCAN, arg);
      if (n < 0) {
        const errno = lastErrno();
        // ENOTTY: no PAGEMAP_SCAN (< 6.7); EINVAL: it does not know PAGE_IS_GUARD (< 6.16).
        if (errno === osConstants.errno.ENOTTY || errno === osConstants.errno.EINVAL) {
          throw new ScanUnsupported(`PAGEMAP_SCAN with PAGE_IS_GUARD failed with ${errnoName(errno)} (needs Linux 6.16+)`);
        }
        throw new Error(`PAGEMAP_SCAN failed with ${errnoName(errno)}`);
      }
      raw.copyOut(out, this.vec, n * PAGE_REGION_BYTES);
      for (let i = 0; i < n; i++) {
        const o = i * PAGE_REGION_BYTES;
        bytes += Number(out.readBigUInt64LE(o + 8) - out.readBigUInt64LE(o));
      }
      const walkEnd = Number(arg.readBigUInt64LE(32));
      if (walkEnd <= from) break; // no progress: never loop forever on a kernel that disagrees
      from = walkEnd;
    }
    return bytes;
  }

  /** Guard pages by pagemap bit 58 (PM_GUARD_REGION), 8 bytes per page. */
  private readBits(fd: number, r: Range): number {
    const highBit = Number(PM_GUARD_REGION_BIT) - 32; // bit 58 is bit 26 of the high word
    const first = r.start / this.page;
    const total = (r.end - r.start) / this.page;
    let pages = 0;
    for (let done = 0; done < total; done += PAGEMAP_CHUNK) {
      const n = Math.min(PAGEMAP_CHUNK, total - done);
      const got = readSync(fd, this.entries, 0, n * 8, (first + done) * 8);
      for (let off = 0; off + 8 <= got; off += 8) {
        if ((this.entries.readUInt32LE(off + 4) >>> highBit) & 1) pages++;
      }
      if (got < n * 8) break;
    }
    return pages;
  }
}
