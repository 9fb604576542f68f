/**
 * The guest's initramfs: a static busybox, the init script and the kernel's own 9p modules, as a
 * gzipped newc archive. It depends only on the kernel (its release and modules), busybox and the
 * init script, so it is built once per kernel and kept in the cache under a hash of those inputs.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../results/write.js';
import { cacheDir } from './cache.js';
import { writeCpio, type CpioEntry } from './cpio.js';
import { initScript } from './guest-init.js';
import type { KernelImage } from './image.js';
import type { ModulePlan } from './modules.js';

export function initramfsEntries(busybox: Buffer, plan: ModulePlan): CpioEntry[] {
  return [
    ...['bin', 'dev', 'proc', 'sys', 'newroot', 'modules'].map((path): CpioEntry => ({ kind: 'dir', path })),
    // the kernel opens /dev/console for init's output before anything mounts devtmpfs
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    { kind: 'file', path: 'init', data: initScript(), mode: 0o755 },
    { kind: 'file', path: 'modules/order', data: plan.load.map((m) => `${m.name}\n`).join('') },
    ...plan.load.map((m): CpioEntry => ({ kind: 'file', path: `modules/${m.name}.ko`, data: m.bytes })),
  ];
}

function cacheKey(image: KernelImage, busybox: Buffer, plan: ModulePlan): string {
  const hash = createHash('sha256');
  hash.update(image.version).update('\0').update(initScript()).update(busybox);
  for (const m of plan.load) hash.update(m.name).update('\0').update(m.bytes);
  return hash.digest('hex').slice(0, 24);
}

export interface Initramfs {
  path: string;
  /** false when an earlier session had built the same one */
  built: boolean;
}

/** The initramfs for this kernel, from the cache or built now. */
export function ensureInitramfs(image: KernelImage, busyboxPath: string, plan: ModulePlan, dir = join(cacheDir(), 'initramfs')): Initramfs {
  const busybox = readFileSync(busyboxPath);
  const prefix = `${image.release.replace(/[^A-Za-z0-9._+-]/g, '_')}-`;
  const name = `${prefix}${cacheKey(image, busybox, plan)}.cpio.gz`;
  const path = join(dir, name);
  if (existsSync(path)) return { path, built: false };
  mkdirSync(dir, { recursive: true });
  // One per release: an older one (another build, busybox or init script) is not booted again.
  for (const old of readdirSync(dir)) {
    if (old !== name && old.startsWith(prefix) && /^[0-9a-f]{24}\.cpio\.gz$/.test(old.slice(prefix.length))) rmSync(join(dir, old), { force: true });
  }
  writeFileAtomic(path, gzipSync(writeCpio(initramfsEntries(busybox, plan))));
  return { path, built: true };
}
