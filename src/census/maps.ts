/**
 * What the census asks of a VMA, read through the one maps/smaps parser (metrics/maps.ts).
 */
import type { Vma } from '../metrics/maps.js';

export { hasGuardFlag } from '../metrics/maps.js';

/** Pseudo-files the kernel maps into every process; none is memory a program allocated. */
const SPECIAL = new Set(['[vdso]', '[vvar]', '[vvar_vclock]', '[vsyscall]', '[uprobes]']);

/**
 * Anonymous memory: no file behind it. [heap] and [stack] are anonymous VMAs the kernel names;
 * [anon:NAME] is one named with PR_SET_VMA_ANON_NAME (glibc 2.42 names its thread stacks so).
 */
export function isAnonymous(v: Vma): boolean {
  if (v.inode !== 0 || SPECIAL.has(v.path)) return false;
  return v.path === '' || v.path.startsWith('[');
}

export function isProtNone(v: Vma): boolean {
  return v.perms.startsWith('---');
}

export function isPrivateWritable(v: Vma): boolean {
  return v.perms[1] === 'w' && v.perms[3] === 'p';
}

export function vmaBytes(v: Vma): number {
  return v.end - v.start;
}
