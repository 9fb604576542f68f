/**
 * The one reader of /proc/PID/maps and /proc/PID/smaps text: the census, the feature probe, verify
 * and the detect workload all see VMAs through it. smaps carries the same header line per VMA as
 * maps, followed by fields and `VmFlags`, so one parser reads both; whoever reads smaps reads it
 * instead of maps, and the two can never disagree about a process that changed in between.
 *
 * (Counting VMAs, where no memory may be allocated while reading, is vmas.ts's: it parses in place.)
 */
import { readFileSync } from 'node:fs';

/** One VMA as /proc shows it. */
export interface Vma {
  start: number;
  end: number;
  /** `rwxp` as in maps: read, write, exec, p(rivate) or s(hared) */
  perms: string;
  /** offset into the file, in bytes (0 for anonymous memory) */
  offset: number;
  /** device major:minor as printed; 00:00 for anonymous memory */
  dev: string;
  inode: number;
  /** pathname column: a file, [heap], [stack], [anon:name], or '' */
  path: string;
  /** smaps VmFlags (two-letter codes), or null when only maps was read */
  flags: string[] | null;
}

/** Header lines start with a lowercase hex address; smaps field lines start with an uppercase key. */
function isHeader(line: string): boolean {
  const c = line.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
}

/**
 * `start-end perms offset dev inode   path`, cut at its spaces rather than matched by a regular
 * expression: the detect workload times a checkpointer's read of smaps, and parsing is part of it.
 */
function parseHeader(line: string): Vma | null {
  const dash = line.indexOf('-');
  const s1 = line.indexOf(' ', dash);
  const s2 = line.indexOf(' ', s1 + 1);
  const s3 = line.indexOf(' ', s2 + 1);
  const s4 = line.indexOf(' ', s3 + 1);
  let s5 = line.indexOf(' ', s4 + 1);
  if (dash < 0 || s4 < 0 || s2 - s1 !== 5) return null;
  if (s5 < 0) s5 = line.length;
  let p = s5;
  while (p < line.length && line.charCodeAt(p) === 0x20) p++;
  const v: Vma = {
    start: parseInt(line.slice(0, dash), 16), end: parseInt(line.slice(dash + 1, s1), 16), perms: line.slice(s1 + 1, s2),
    offset: parseInt(line.slice(s2 + 1, s3), 16), dev: line.slice(s3 + 1, s4), inode: Number(line.slice(s4 + 1, s5)),
    path: line.slice(p), flags: null,
  };
  return Number.isNaN(v.start) || Number.isNaN(v.end) || Number.isNaN(v.inode) ? null : v;
}

/**
 * Parse maps or smaps text. With `withFlags` (smaps), every VMA gets its VmFlags (an empty list if
 * the kernel printed none). A truncated last line, as a process exiting mid-read may leave, is dropped.
 */
export function parseMaps(text: string, withFlags = false): Vma[] {
  const out: Vma[] = [];
  let current: Vma | null = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (isHeader(line)) {
      current = parseHeader(line);
      if (current) {
        if (withFlags) current.flags = [];
        out.push(current);
      }
    } else if (withFlags && current && line.startsWith('VmFlags:')) {
      current.flags = line.slice(8).trim().split(' ');
    }
  }
  return out;
}

/** The VMAs of `pid` from maps (flags null). Throws what readFileSync throws. */
export function readMaps(pid: number | 'self' = 'self'): Vma[] {
  return parseMaps(readFileSync(`/proc/${pid}/maps`, 'latin1'));
}

/** The VMAs of `pid` from smaps, each with its VmFlags. Throws what readFileSync throws. */
export function readSmaps(pid: number | 'self' = 'self'): Vma[] {
  return parseMaps(readFileSync(`/proc/${pid}/smaps`, 'latin1'), true);
}

/** The VMA holding `addr`, if any. */
export function vmaAt(vmas: readonly Vma[], addr: number): Vma | undefined {
  return vmas.find((v) => addr >= v.start && addr < v.end);
}

export function hasGuardFlag(v: Vma): boolean {
  return v.flags !== null && v.flags.includes('gu');
}
