/**
 * The shared libraries a dynamic executable needs, found as the host's dynamic loader would find
 * them (the DT_NEEDED names, searched in /etc/ld.so.conf's directories and the multiarch defaults),
 * without running ldd: a guest that carries Node needs Node, its loader and every library under it.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isX86_64Elf, readDynamicNeeds } from './elf.js';
import { readFileHead } from './host-tools.js';
import { MissingPieceError } from './missing.js';

/** glibc's built-in search path on Debian's x86-64 multiarch layout, after ld.so.conf's. */
const DEFAULT_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib'];

/** The directories /etc/ld.so.conf names, following its `include` globs (one `*` in the file name). */
export function ldSoConfDirs(file = '/etc/ld.so.conf', seen = new Set<string>()): string[] {
  if (seen.has(file) || !existsSync(file)) return [];
  seen.add(file);
  const dirs: string[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const include = /^include\s+(\S+)$/.exec(line);
    if (!include) {
      if (isAbsolute(line)) dirs.push(line);
      continue;
    }
    const pattern = resolve(dirname(file), include[1]!);
    const dir = dirname(pattern);
    const glob = new RegExp(`^${pattern.slice(dir.length + 1).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => glob.test(n)).sort()) dirs.push(...ldSoConfDirs(join(dir, name), seen));
  }
  return dirs;
}

export interface GuestFile {
  /** where the file goes in the guest: the path the loader asks for */
  path: string;
  /** the host file whose bytes it gets (links resolved) */
  source: string;
}

/**
 * `executable`, its dynamic loader and every library it needs, directly or through another library,
 * each at the path the loader will open in the guest. A library the host's loader could not find
 * either is the missing piece.
 */
export function sharedLibraryClosure(executables: readonly string[], searchDirs = [...ldSoConfDirs(), ...DEFAULT_DIRS]): GuestFile[] {
  const files = new Map<string, GuestFile>();
  const add = (path: string) => files.set(path, { path, source: realpathSync(path) });
  const find = (soname: string, by: string): string => {
    for (const dir of searchDirs) {
      const candidate = join(dir, soname);
      if (existsSync(candidate) && isX86_64Elf(readFileHead(candidate, 64))) return candidate;
    }
    throw new MissingPieceError(`${by} needs ${soname}, which is in none of ${searchDirs.join(', ')}`);
  };
  const queue = executables.map((e) => ({ path: e }));
  const done = new Set<string>();
  while (queue.length > 0) {
    const { path } = queue.shift()!;
    if (done.has(path)) continue;
    done.add(path);
    add(path);
    const needs = readDynamicNeeds(readFileSync(path), path);
    if (needs.interpreter && !files.has(needs.interpreter)) add(needs.interpreter);
    for (const soname of needs.needed) queue.push({ path: find(soname, path) });
  }
  return [...files.values()];
}
