/**
 * Counting guard-marker pages in another process, only inside its `gu` VMAs so that a whole-machine
 * census stays cheap. PAGEMAP_SCAN with PAGE_IS_GUARD (6.16) returns runs of guard pages in one
 * ioctl per range; without it, /proc/PID/pagemap bit 58 (6.15) is read page by page.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { PM_GUARD_REGION_BIT } from '../sys/constants.js';
import { SysError, pageSize } from '../sys/libc.js';
import { GuardRegionScanner } from '../sys/pagemap.js';
import { classifyError } from './procfs.js';

export type MarkerMethod = 'pagemap-scan' | 'pagemap-bit58';

export interface Range {
  start: number;
  end: number;
}

/** Guard pages and regions (runs of guard pages) in one range. */
export interface RangeCount {
  pages: number;
  regions: number;
}

/**
 * Guard pages and regions found in a process's ranges (in all, and per range), or null with the
 * reason they could not be counted.
 */
export type MarkerCount = { pages: number; regions: number; perRange: RangeCount[]; method: MarkerMethod } | { pages: null; reason: string };

/** page_region entries per ioctl: a walk that fills them resumes from walk_end. */
const VEC_LEN = 512;
/** pagemap entries read per pread in the bit-58 fallback. */
const PAGEMAP_CHUNK = 8192;

class ScanUnsupported extends Error {}

function counted(perRange: RangeCount[], method: MarkerMethod): MarkerCount {
  return { pages: perRange.reduce((a, b) => a + b.pages, 0), regions: perRange.reduce((a, b) => a + b.regions, 0), perRange, method };
}

/**
 * One scanner per census: it keeps one PAGEMAP_SCAN vector for every process it reads and
 * remembers once PAGEMAP_SCAN is missing.
 */
export class MarkerScanner {
  private readonly page = pageSize();
  private readonly scanner = new GuardRegionScanner(VEC_LEN);
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
    if (ranges.length === 0) return { pages: 0, regions: 0, perRange: [], method: this.useScan ? 'pagemap-scan' : 'pagemap-bit58' };
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
          return counted(ranges.map((r) => this.scanRange(fd, r)), 'pagemap-scan');
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
    this.scanner.release();
  }

  /** Guard pages and regions in one range, by the shared PAGEMAP_SCAN loop. */
  private scanRange(fd: number, r: Range): RangeCount {
    let bytes = 0;
    let regions = 0;
    try {
      this.scanner.scan(fd, r.start, r.end, (start, end) => {
        bytes += end - start;
        regions++;
      });
    } catch (e) {
      // ENOTTY: no PAGEMAP_SCAN (< 6.7); EINVAL: it does not know PAGE_IS_GUARD (< 6.16).
      if (e instanceof SysError && (e.errno === osConstants.errno.ENOTTY || e.errno === osConstants.errno.EINVAL)) {
        throw new ScanUnsupported(`PAGEMAP_SCAN with PAGE_IS_GUARD failed with ${e.code} (needs Linux 6.16+)`);
      }
      throw new Error(`PAGEMAP_SCAN failed with ${e instanceof SysError ? e.code : (e as Error).message}`);
    }
    return { pages: bytes / this.page, regions };
  }

  /** Guard pages by pagemap bit 58 (PM_GUARD_REGION), 8 bytes per page; a region is a run of them. */
  private readBits(fd: number, r: Range): RangeCount {
    const highBit = Number(PM_GUARD_REGION_BIT) - 32; // bit 58 is bit 26 of the high word
    const first = r.start / this.page;
    const total = (r.end - r.start) / this.page;
    let pages = 0;
    let regions = 0;
    let inRun = false;
    for (let done = 0; done < total; done += PAGEMAP_CHUNK) {
      const n = Math.min(PAGEMAP_CHUNK, total - done);
      const got = readSync(fd, this.entries, 0, n * 8, (first + done) * 8);
      for (let off = 0; off + 8 <= got; off += 8) {
        const guard = ((this.entries.readUInt32LE(off + 4) >>> highBit) & 1) === 1;
        if (guard) pages++;
        if (guard && !inRun) regions++;
        inRun = guard;
      }
      if (got < n * 8) break;
    }
    return { pages, regions };
  }
}
