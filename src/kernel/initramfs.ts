/**
 * The guest's initramfs. Its base depends only on the kernel (release and modules), busybox, the
 * init script and, for an initramfs guest, Node with its libraries, so it is built once per kernel
 * and kept in the cache under a hash of those inputs:
 * - a 9p guest's: busybox, the init and the kernel's own 9p and disk modules, gzipped (a few MB);
 * - an initramfs guest's: the same and Node, its loader and libraries at the paths the loader opens,
 *   uncompressed (~110 MB): unpacking is a copy, where gunzip under an emulated CPU takes seconds.
 * An initramfs guest's session adds a second, uncompressed archive with the job and the project
 * tarball, appended to a copy of the base (the kernel unpacks concatenated archives one after another).
 */
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../results/write.js';
import { cacheDir } from './cache.js';
import { writeCpio, type CpioEntry } from './cpio.js';
import { INITRAMFS_JOB, INITRAMFS_PROJECT, initScript, type GuestKind } from './guest-init.js';
import type { KernelImage } from './image.js';
import type { GuestFile } from './libraries.js';
import type { ModulePlan } from './modules.js';

export interface InitramfsContents {
  kind: GuestKind;
  /** the modules the init must load (9p), in order */
  modules: ModulePlan;
  /** the scratch disk's modules, loaded after them */
  disk: ModulePlan;
  /** an initramfs guest's Node, loader and libraries; empty for a 9p guest */
  files: readonly GuestFile[];
}

/** Host files an initramfs guest copies so its run describes the same machine as a 9p guest's. */
const HOST_IDENTITY = ['/etc/machine-id', '/etc/os-release'];

/** Directory entries for every parent of `paths`, parents first. */
function parentDirs(paths: readonly string[], have: ReadonlySet<string>): CpioEntry[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    for (let d = dirname(path.replace(/^\/+/, '')); d !== '.' && d !== ''; d = dirname(d)) if (!have.has(d)) dirs.add(d);
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b)).map((path) => ({ kind: 'dir', path }));
}

function moduleEntries(list: string, plan: ModulePlan): CpioEntry[] {
  return [
    { kind: 'file', path: `modules/${list}`, data: plan.load.map((m) => `${m.name}\n`).join('') },
    ...plan.load.map((m): CpioEntry => ({ kind: 'file', path: `modules/${m.name}.ko`, data: m.bytes })),
  ];
}

export function initramfsEntries(busybox: Buffer, contents: InitramfsContents): CpioEntry[] {
  const top = ['bin', 'dev', 'proc', 'sys', 'tmp', 'newroot', 'modules'];
  const identity = contents.kind === 'initramfs' ? HOST_IDENTITY.filter(existsSync) : [];
  const copied = [...contents.files.map((f) => f.path), ...identity];
  return [
    ...top.map((path): CpioEntry => ({ kind: 'dir', path })),
    ...parentDirs(copied, new Set(top)),
    // the kernel opens /dev/console for init's output before anything mounts devtmpfs
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    { kind: 'file', path: 'init', data: initScript(contents.kind), mode: 0o755 },
    ...moduleEntries('order', contents.modules),
    // modules both lists need are loaded once, by the first
    ...moduleEntries('disk-order', { load: contents.disk.load.filter((m) => !contents.modules.load.some((n) => n.name === m.name)), builtin: [] }),
    ...contents.files.map((f): CpioEntry => ({ kind: 'file', path: f.path, data: readFileSync(f.source), mode: statSync(f.source).mode & 0o7777 })),
    ...identity.map((path): CpioEntry => ({ kind: 'file', path, data: readFileSync(path) })),
  ];
}

function cacheKey(image: KernelImage, busybox: Buffer, contents: InitramfsContents): string {
  const hash = createHash('sha256');
  hash.update(image.version).update('\0').update(initScript(contents.kind)).update(busybox);
  for (const m of [...contents.modules.load, ...contents.disk.load]) hash.update(m.name).update('\0').update(m.bytes);
  // Node and its libraries by path, size and change time: hashing 100 MB each session is not needed
  for (const f of contents.files) {
    const st = statSync(f.source);
    hash.update(`${f.path}\0${f.source}\0${st.size}\0${st.mtimeMs}\0`);
  }
  for (const path of HOST_IDENTITY.filter(existsSync)) hash.update(readFileSync(path));
  return hash.digest('hex').slice(0, 24);
}

export interface Initramfs {
  path: string;
  /** false when an earlier session had built the same one */
  built: boolean;
  bytes: number;
}

/** The initramfs for this kernel and kind of guest, from the cache or built now. */
export function ensureInitramfs(image: KernelImage, busyboxPath: string, contents: InitramfsContents, dir = join(cacheDir(), 'initramfs')): Initramfs {
  const busybox = readFileSync(busyboxPath);
  const prefix = `${image.release.replace(/[^A-Za-z0-9._+-]/g, '_')}-${contents.kind}-`;
  const suffix = contents.kind === '9p' ? '.cpio.gz' : '.cpio';
  const name = `${prefix}${cacheKey(image, busybox, contents)}${suffix}`;
  const path = join(dir, name);
  if (existsSync(path)) return { path, built: false, bytes: statSync(path).size };
  mkdirSync(dir, { recursive: true });
  // One per release and kind: an older one (another build, busybox or init script) is not booted again.
  for (const old of readdirSync(dir)) {
    if (old !== name && old.startsWith(prefix) && /^[0-9a-f]{24}\.cpio(\.gz)?$/.test(old.slice(prefix.length))) rmSync(join(dir, old), { force: true });
  }
  const archive = writeCpio(initramfsEntries(busybox, contents));
  writeFileAtomic(path, contents.kind === '9p' ? gzipSync(archive) : archive);
  return { path, built: true, bytes: statSync(path).size };
}

/**
 * An initramfs guest's initrd for one session at `path`: the cached base, then an archive with the
 * job and the project tarball. Returns its size in bytes.
 */
export function writeSessionInitrd(path: string, base: string, job: string, projectTar: string): number {
  copyFileSync(base, path);
  const session = writeCpio([
    { kind: 'file', path: INITRAMFS_JOB, data: job },
    { kind: 'file', path: INITRAMFS_PROJECT, data: readFileSync(projectTar) },
  ]);
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, session);
  } finally {
    closeSync(fd);
  }
  return statSync(path).size;
}
