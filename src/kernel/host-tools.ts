/**
 * The host programs a guest boot needs, looked up on PATH once, each failing with the package that
 * brings it. Nothing here runs them.
 */
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isStaticExecutable } from './elf.js';
import { HOST_PACKAGES, MissingPieceError } from './missing.js';

/** The first `bytes` of a file: where ELF keeps its headers. */
export function readFileHead(path: string, bytes = 4096): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** The first executable file called `name` on PATH, or null. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // not here
    }
  }
  return null;
}

/** QEMU's system emulator for the host's architecture; guardbench boots x86-64 guests only. */
export function findQemu(): string {
  if (process.arch !== 'x64') throw new MissingPieceError(`guardbench kernel boots x86-64 kernels on x86-64 hosts; this host is ${process.arch}`);
  const qemu = findOnPath('qemu-system-x86_64');
  if (!qemu) throw new MissingPieceError(`QEMU not found (qemu-system-x86_64 on PATH): install ${HOST_PACKAGES.qemu} (apt-get install ${HOST_PACKAGES.qemu})`);
  return qemu;
}

/**
 * A statically linked busybox: the initramfs has no libc, so a dynamic one (Debian's `busybox`
 * package) would fail in the guest with a bare "not found".
 */
export function findBusybox(): string {
  const busybox = findOnPath('busybox');
  const install = `install ${HOST_PACKAGES.busybox} (apt-get install ${HOST_PACKAGES.busybox})`;
  if (!busybox) throw new MissingPieceError(`busybox not found on PATH: ${install}`);
  let isStatic = false;
  try {
    isStatic = isStaticExecutable(readFileHead(busybox), busybox);
  } catch {
    // not an ELF executable: as unusable as a dynamic one
  }
  if (!isStatic) throw new MissingPieceError(`busybox at ${busybox} is not a static executable and cannot run in an initramfs: ${install}`);
  return busybox;
}

export function findTar(): string {
  const tar = findOnPath('tar');
  if (!tar) throw new MissingPieceError(`tar not found: install ${HOST_PACKAGES.tar}`);
  return tar;
}

export type Accel = 'kvm' | 'tcg';

/** KVM when /dev/kvm opens for reading and writing (exists is not enough: a user outside group kvm). */
export function kvmUsable(device = '/dev/kvm'): boolean {
  try {
    accessSync(device, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function chooseAccel(requested: 'auto' | Accel): Accel {
  if (requested === 'tcg') return 'tcg';
  if (kvmUsable()) return 'kvm';
  if (requested === 'kvm') throw new MissingPieceError('--accel kvm: /dev/kvm is missing or not writable here (load kvm_intel/kvm_amd, or join group kvm)');
  return 'tcg';
}
