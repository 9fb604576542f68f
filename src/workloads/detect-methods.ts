/**
 * Three ways to find another process's guards from outside, as a checkpointer (CRIU, DMTCP) must:
 *   maps     PROT_NONE VMAs in /proc/PID/maps: sees PROT_NONE guards, never markers
 *   pagemap  VMAs flagged `gu` in /proc/PID/smaps (every VMA where the flag does not exist), then
 *            bit 58 of /proc/PID/pagemap over them, counting runs of guard pages (6.15+)
 *   scan     the PAGEMAP_SCAN ioctl with PAGE_IS_GUARD over the whole address space (6.16+)
 * Each reports the guards it found inside `span` (where the workload put them), how many it found
 * elsewhere in the process, and the bytes it read from the kernel.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { PAGE_REGION_BYTES, PM_SCAN_ARG_BYTES } from '../sys/constants.js';
import { hasGuardFlag, parseMaps } from '../metrics/maps.js';
import { forEachGuardRegion } from '../sys/pagemap.js';
import { pageSize } from '../sys/libc.js';
import type { Span } from '../metrics/vmas.js';

const PAGE_SIZE = pageSize();

export type DetectMethod = 'maps' | 'pagemap' | 'scan';

export type { Span };

export interface Detection {
  found: number;
  elsewhere: number;
  bytes: number;
}

/**
 * The top of user space with 4-level page tables (TASK_SIZE: one page under 2^47 on x86-64, 2^48
 * on arm64). PAGEMAP_SCAN refuses a range past it; gate areas such as [vsyscall] sit above it.
 */
const USER_TOP = (process.arch === 'arm64' ? 2 ** 48 : 2 ** 47) - PAGE_SIZE;

function tally(found: Detection, start: number, end: number, span: Span): void {
  if (start >= span.start && end <= span.end) found.found++;
  else found.elsewhere++;
}

export function detectByMaps(pid: number, span: Span): Detection {
  const text = readFileSync(`/proc/${pid}/maps`, 'latin1');
  const d: Detection = { found: 0, elsewhere: 0, bytes: text.length };
  for (const e of parseMaps(text)) if (e.perms === '---p' && e.end <= USER_TOP) tally(d, e.start, e.end, span);
  return d;
}

/** [start, end) of every user VMA whose smaps VmFlags has `gu`, or of every user VMA when `allVmas`. */
function candidateVmas(text: string, allVmas: boolean): Span[] {
  return parseMaps(text, true).filter((v) => v.end <= USER_TOP && (allVmas || hasGuardFlag(v)));
}

const PAGEMAP_CHUNK = 1 << 16;
const pagemapBuf = Buffer.alloc(PAGEMAP_CHUNK * 8);

/** Runs of bit-58 pages in each candidate VMA, read a chunk at a time. */
export function detectByPagemap(pid: number, span: Span, smapsHasGu: boolean): Detection {
  const smaps = readFileSync(`/proc/${pid}/smaps`, 'latin1');
  const d: Detection = { found: 0, elsewhere: 0, bytes: smaps.length };
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    for (const vma of candidateVmas(smaps, !smapsHasGu)) {
      const pages = (vma.end - vma.start) / PAGE_SIZE;
      let runStart = -1;
      for (let done = 0; done < pages; done += PAGEMAP_CHUNK) {
        const n = Math.min(PAGEMAP_CHUNK, pages - done);
        const got = readSync(fd, pagemapBuf, 0, n * 8, (vma.start / PAGE_SIZE + done) * 8);
        d.bytes += got;
        for (let i = 0; i < got / 8; i++) {
          // bit 58 is bit 26 of the entry's high word
          const guard = (pagemapBuf.readUInt32LE(i * 8 + 4) >>> 26) & 1;
          const addr = vma.start + (done + i) * PAGE_SIZE;
          if (guard && runStart < 0) runStart = addr;
          else if (!guard && runStart >= 0) {
            tally(d, runStart, addr, span);
            runStart = -1;
          }
        }
      }
      if (runStart >= 0) tally(d, runStart, vma.end, span);
    }
  } finally {
    closeSync(fd);
  }
  return d;
}

export function detectByScan(pid: number, span: Span): Detection {
  const d: Detection = { found: 0, elsewhere: 0, bytes: 0 };
  let regions = 0;
  const calls = forEachGuardRegion(pid, 0, USER_TOP, (start, end) => {
    regions++;
    tally(d, start, end, span);
  });
  d.bytes = calls * PM_SCAN_ARG_BYTES + regions * PAGE_REGION_BYTES;
  return d;
}
