/**
 * VMA counts from /proc/PID/maps: one line per VMA. Counting reads into a buffer allocated once, so
 * the count itself maps no memory (a growing read buffer of a 32k-line maps file would add VMAs of
 * its own and blur a delta).
 */
import { closeSync, openSync, readSync } from 'node:fs';

// Large enough that one read() returns the whole file even at vm.max_map_count (65530 lines of
// ~80 bytes): a read split over several calls can repeat or skip lines if VMAs change between them.
const CHUNK = Buffer.alloc(16 << 20);
const NEWLINE = 0x0a;

export function countVmas(pid: number | 'self' = 'self'): number {
  const fd = openSync(`/proc/${pid}/maps`, 'r');
  try {
    let n = 0;
    for (;;) {
      const got = readSync(fd, CHUNK, 0, CHUNK.length, null);
      if (got === 0) return n;
      for (let i = CHUNK.indexOf(NEWLINE, 0); i !== -1 && i < got; i = CHUNK.indexOf(NEWLINE, i + 1)) n++;
    }
  } finally {
    closeSync(fd);
  }
}

const DASH = 0x2d;
const SPACE = 0x20;

/** An address range [start, end). */
export interface Span {
  start: number;
  end: number;
}

/**
 * How many VMAs overlap the address span [start, end). Parses the maps file in place, in the
 * buffer allocated once above: a footprint sample must not allocate (V8 would grow its heap and
 * its page tables between the samples).
 */
export function countVmasIn(start: number, end: number, pid: number | 'self' = 'self'): number {
  return countVmasInSpans([{ start, end }], pid);
}

/**
 * How many VMAs overlap any of `spans` (disjoint; each VMA counted once), from one read of the maps file,
 * parsed in place with nothing allocated per line: reading a maps file of thousands of lines
 * into objects grows V8's heap by dozens of pages scattered over the address space, each with a
 * page-table page of its own, which then land in the next footprint's VmPTE.
 */
export function countVmasInSpans(spans: readonly Span[], pid: number | 'self' = 'self'): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const fd = openSync(`/proc/${pid}/maps`, 'r');
  try {
    let n = 0;
    let k = 0; // the first span that may still overlap a VMA (maps lists VMAs in address order)
    let kept = 0; // bytes of an unfinished line carried to the buffer's start
    for (;;) {
      const got = readSync(fd, CHUNK, kept, CHUNK.length - kept, null);
      const filled = kept + got;
      let lineStart = 0;
      for (let nl = CHUNK.indexOf(NEWLINE, 0); nl !== -1 && nl < filled; nl = CHUNK.indexOf(NEWLINE, lineStart)) {
        let pos = lineStart;
        let lo = 0;
        for (; CHUNK[pos] !== DASH; pos++) lo = lo * 16 + hexDigit(CHUNK[pos]!);
        let hi = 0;
        for (pos++; CHUNK[pos] !== SPACE; pos++) hi = hi * 16 + hexDigit(CHUNK[pos]!);
        while (k < sorted.length && sorted[k]!.end <= lo) k++;
        if (k < sorted.length && sorted[k]!.start < hi) n++;
        lineStart = nl + 1;
      }
      if (got === 0) return n;
      kept = filled - lineStart;
      CHUNK.copy(CHUNK, 0, lineStart, filled);
    }
  } finally {
    closeSync(fd);
  }
}

/** The value of one lowercase hex digit (maps prints addresses so). */
function hexDigit(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x57;
}
