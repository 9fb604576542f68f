/**
 * Parsing /proc/PID/maps and /proc/PID/smaps into the few facts the census needs per VMA. smaps
 * carries the same header lines as maps plus `VmFlags`, so one parser reads both: when smaps is
 * read, maps is not, and the two can never disagree about a process that changed in between.
 */

/** One VMA as the census sees it. */
export interface CensusVma {
  start: number;
  end: number;
  /** `rwxp` as in maps: read, write, exec, p(rivate) or s(hared) */
  perms: string;
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

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) [0-9a-f]+ (\S+) (\d+)\s*(.*)$/;

function parseHeader(line: string): CensusVma | null {
  const m = HEADER.exec(line);
  if (!m) return null;
  return {
    start: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16), perms: m[3]!, dev: m[4]!,
    inode: Number(m[5]), path: m[6] ?? '', flags: null,
  };
}

/**
 * Parse maps or smaps text. For smaps, every VMA gets its VmFlags (an empty list if the kernel
 * printed none). A truncated last line, as a process exiting mid-read may leave, is dropped.
 */
export function parseMapsText(text: string, withFlags: boolean): CensusVma[] {
  const out: CensusVma[] = [];
  let current: CensusVma | null = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (isHeader(line)) {
      current = parseHeader(line);
      if (current) {
        if (withFlags) current.flags = [];
        out.push(current);
      }
    } else if (withFlags && current && line.startsWith('VmFlags:')) {
      current.flags = line.slice(8).trim().split(/\s+/).filter((f) => f !== '');
    }
  }
  return out;
}

/** Pseudo-files the kernel maps into every process; none is memory a program allocated. */
const SPECIAL = new Set(['[vdso]', '[vvar]', '[vvar_vclock]', '[vsyscall]', '[uprobes]']);

/**
 * Anonymous memory: no file behind it. [heap] and [stack] are anonymous VMAs the kernel names;
 * [anon:NAME] is one named with PR_SET_VMA_ANON_NAME (glibc 2.42 names its thread stacks so).
 */
export function isAnonymous(v: CensusVma): boolean {
  if (v.inode !== 0 || SPECIAL.has(v.path)) return false;
  return v.path === '' || v.path.startsWith('[');
}

export function isProtNone(v: CensusVma): boolean {
  return v.perms.startsWith('---');
}

export function isPrivateWritable(v: CensusVma): boolean {
  return v.perms[1] === 'w' && v.perms[3] === 'p';
}

export function hasGuardFlag(v: CensusVma): boolean {
  return v.flags !== null && v.flags.includes('gu');
}

export function vmaBytes(v: CensusVma): number {
  return v.end - v.start;
}
