/**
 * The kernel modules the guest needs to mount the host's root over 9p, and those for its scratch
 * disk, with everything they depend on, in load order. Dependencies come from each module's own .modinfo `depends=`, not modules.dep:
 * a package unpacked with `dpkg-deb -x` has no modules.dep (depmod runs at install time), and the
 * set differs between releases (6.1 needs fscache and the virtio PCI helpers as modules, 6.12 has
 * them built in).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readModinfo } from './elf.js';
import { findOnPath } from './host-tools.js';
import { HOST_PACKAGES, MissingPieceError } from './missing.js';

interface WantedModule {
  name: string;
  /** the kernel option that builds it, for messages */
  config: string;
}

/** What a guest over the host's root needs: the PCI transport for virtio, 9p over virtio, and the 9p filesystem. */
export const NINEP_MODULES: readonly WantedModule[] = [
  { name: 'virtio_pci', config: 'CONFIG_VIRTIO_PCI' },
  { name: '9pnet_virtio', config: 'CONFIG_NET_9P_VIRTIO' },
  { name: '9p', config: 'CONFIG_9P_FS' },
];

/**
 * ext4 before 6.14 (or so) asks the crypto API for crc32c at every mount, checksums or not ("Cannot
 * load crc32c driver" on 6.1); Debian builds it as a module, named crc32c_generic, later
 * crc32c_cryptoapi. Loaded when there, never required: newer ext4 calls the crc32c library directly.
 */
export const CRC32C_MODULES: readonly WantedModule[] = ['crc32c_generic', 'crc32c_cryptoapi'].map((name) => ({ name, config: 'CONFIG_CRYPTO_CRC32C' }));

/** What the scratch disk needs: a virtio block device and ext4 (file-backed memory lives there). */
export const DISK_MODULES: readonly WantedModule[] = [
  { name: 'virtio_pci', config: 'CONFIG_VIRTIO_PCI' },
  { name: 'virtio_blk', config: 'CONFIG_VIRTIO_BLK' },
  { name: 'ext4', config: 'CONFIG_EXT4_FS' },
];

export interface LoadableModule {
  name: string;
  /** where it came from, for messages */
  path: string;
  /** uncompressed: the guest's busybox insmod takes plain ELF */
  bytes: Buffer;
}

export interface ModulePlan {
  /** modules to insmod, each after the ones it depends on */
  load: LoadableModule[];
  /** needed modules the kernel has built in */
  builtin: string[];
}

const MODULE_FILE = /\.ko(\.gz|\.xz|\.zst)?$/;

/** Module names treat - and _ alike (the kernel's own rule). */
export function moduleName(fileOrName: string): string {
  return basename(fileOrName).replace(MODULE_FILE, '').replace(/-/g, '_');
}

/** name -> file, for every module file under the modules directory (kernel/, updates/, extra/). */
export function indexModuleFiles(dir: string): Map<string, string> {
  const index = new Map<string, string>();
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      // build/ and source/ point into a kernel tree: nothing to load there, and possibly huge
      if (entry.isDirectory() && !(path === dir && (entry.name === 'build' || entry.name === 'source'))) walk(full);
      else if (entry.isFile() && MODULE_FILE.test(entry.name)) index.set(moduleName(entry.name), full);
    }
  };
  walk(dir);
  return index;
}

/** The names of the modules built into the kernel (modules.builtin), empty when the file is absent. */
export function builtinModules(dir: string): Set<string> {
  const file = join(dir, 'modules.builtin');
  if (!existsSync(file)) return new Set();
  return new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean).map(moduleName));
}

function runDecompressor(command: string, args: string[], path: string, what: string): Buffer {
  const r = spawnSync(command, [...args, path], { maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0) throw new MissingPieceError(`cannot decompress ${path} with ${what}: ${String(r.stderr).trim().split('\n')[0] ?? `exit ${r.status}`}`);
  return r.stdout;
}

/** A module file's plain ELF bytes, whatever compression the distribution chose. */
export function readModuleFile(path: string, busybox: string): Buffer {
  if (path.endsWith('.ko')) return readFileSync(path);
  if (path.endsWith('.gz')) return gunzipSync(readFileSync(path));
  if (path.endsWith('.xz')) return runDecompressor(busybox, ['unxz', '-c'], path, 'busybox unxz');
  const zstd = findOnPath('zstd');
  if (!zstd) throw new MissingPieceError(`${path} is zstd-compressed and zstd is not installed: install ${HOST_PACKAGES.zstd}`);
  return runDecompressor(zstd, ['-dc'], path, 'zstd');
}

function missingModule(wanted: readonly WantedModule[], name: string, dir: string, purpose: string): MissingPieceError {
  const config = wanted.find((m) => m.name === name)?.config;
  const build = config ? `; the kernel needs ${config}=y or =m` : '';
  return new MissingPieceError(`kernel module ${name} is neither built in nor in ${dir}${build} (${purpose})`);
}

/**
 * The modules to load for `wanted` from `dir`, dependencies first, leaving out those `loaded`
 * already has. A module the kernel has built in needs nothing; one that is neither built in nor
 * present is the missing piece.
 */
export function planModules(dir: string, busybox: string, wanted = NINEP_MODULES, loaded: ModulePlan = { load: [], builtin: [] }): ModulePlan {
  const purpose = wanted === NINEP_MODULES ? 'the guest mounts the host\'s root over 9p' : 'the guest\'s scratch disk';
  const files = indexModuleFiles(dir);
  const builtin = builtinModules(dir);
  const load: LoadableModule[] = [];
  const builtinNeeded = new Set<string>();
  const visiting = new Set<string>();
  const done = new Set<string>([...loaded.load.map((m) => m.name), ...loaded.builtin]);

  const visit = (name: string): void => {
    if (done.has(name) || visiting.has(name)) return;
    if (builtin.has(name)) {
      builtinNeeded.add(name);
      done.add(name);
      return;
    }
    const path = files.get(name);
    if (!path) throw missingModule(wanted, name, dir, purpose);
    visiting.add(name);
    const bytes = readModuleFile(path, busybox);
    const depends = readModinfo(bytes, path).get('depends') ?? '';
    for (const dep of depends.split(',').filter(Boolean)) visit(moduleName(dep));
    visiting.delete(name);
    done.add(name);
    load.push({ name, path, bytes });
  };
  for (const m of wanted) visit(m.name);
  return { load, builtin: [...builtinNeeded] };
}

