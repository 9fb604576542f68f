/**
 * userfaultfd (Linux 4.3; shmem in MISSING mode since 4.11): a descriptor that receives the page
 * faults of the ranges registered on it, so that a missing page is resolved by a handler instead of
 * the kernel. Here only what verify needs: open one (the system call, or /dev/userfaultfd since
 * 6.1), register a range for missing-page faults, and read pending events without blocking.
 *
 * Only a process sharing our page tables (a CLONE_VM child) reaches our registration: a forked
 * child gets none unless UFFD_FEATURE_EVENT_FORK is asked for.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { syscallNumbers } from './constants.js';
import { SysError, errnoName, lastErrno, raw } from './libc.js';

const UFFD_API = 0xaa;
/** _IOWR(0xAA, 0x3F, struct uffdio_api {api, features, ioctls}) */
const UFFDIO_API = 0xc018aa3f;
/** _IOWR(0xAA, 0x00, struct uffdio_register {range {start, len}, mode, ioctls}) */
const UFFDIO_REGISTER = 0xc020aa00;
/** _IOR(0xAA, 0x01, struct uffdio_range) */
const UFFDIO_UNREGISTER = 0x8010aa01;
/** _IO(0xAA, 0x00) on /dev/userfaultfd: a new userfaultfd descriptor */
const USERFAULTFD_IOC_NEW = 0xaa00;
const UFFDIO_REGISTER_MODE_MISSING = 1;
/** only faults taken in user mode: what an unprivileged process may ask for when vm.unprivileged_userfaultfd is 0 */
const UFFD_USER_MODE_ONLY = 1;
const UFFD_EVENT_PAGEFAULT = 0x12;
const UFFD_MSG_BYTES = 32;
const O_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;

/** An open userfaultfd, or why there is none (the errno seen, and the settings that decide it). */
export type UffdOpen = { fd: number } | { reason: string };

function viaSyscall(): number | string {
  const nr = syscallNumbers()?.userfaultfd;
  if (nr === undefined) return `no system call table for ${process.arch}`;
  const fd = raw.syscall(nr, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY, 0, 0, 0, 0, 0);
  return fd >= 0 ? fd : `userfaultfd() failed with ${errnoName(lastErrno())}`;
}

function viaDevice(): number | string {
  if (!existsSync('/dev/userfaultfd')) return '/dev/userfaultfd does not exist (Linux 6.1+)';
  let dev: number;
  try {
    dev = openSync('/dev/userfaultfd', 'r+');
  } catch (e) {
    return `/dev/userfaultfd cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  try {
    const fd = raw.ioctlValue(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
    return fd >= 0 ? fd : `USERFAULTFD_IOC_NEW failed with ${errnoName(lastErrno())}`;
  } finally {
    closeSync(dev);
  }
}

/**
 * A non-blocking userfaultfd with the API handshake done, or every cause seen on the way to none
 * (the caller adds the settings that decide them, such as vm.unprivileged_userfaultfd).
 */
export function openUserfaultfd(): UffdOpen {
  const bySyscall = viaSyscall();
  const fd = typeof bySyscall === 'number' ? bySyscall : viaDevice();
  if (typeof fd !== 'number') return { reason: `${bySyscall}; ${fd}` };
  const api = Buffer.alloc(24);
  api.writeBigUInt64LE(BigInt(UFFD_API), 0);
  if (raw.ioctl(fd, UFFDIO_API, api) !== 0) {
    const why = errnoName(lastErrno());
    raw.close(fd);
    return { reason: `UFFDIO_API failed with ${why}` };
  }
  return { fd };
}

function range(start: number, len: number, extra = 0): Buffer {
  const b = Buffer.alloc(16 + extra);
  b.writeBigUInt64LE(BigInt(start), 0);
  b.writeBigUInt64LE(BigInt(len), 8);
  return b;
}

/** Register [start, start + len) for missing-page faults; the errno's name when the kernel refuses. */
export function registerMissing(fd: number, start: number, len: number): string | null {
  const reg = range(start, len, 16);
  reg.writeBigUInt64LE(BigInt(UFFDIO_REGISTER_MODE_MISSING), 16);
  return raw.ioctl(fd, UFFDIO_REGISTER, reg) === 0 ? null : errnoName(lastErrno());
}

export function unregister(fd: number, start: number, len: number): void {
  if (raw.ioctl(fd, UFFDIO_UNREGISTER, range(start, len)) !== 0) throw new SysError('ioctl(UFFDIO_UNREGISTER)', [fd, start, len], lastErrno());
}

/** The address of the next pending missing-page fault, or null when none is pending (never blocks). */
export function pendingFault(fd: number): number | null {
  const msg = Buffer.alloc(UFFD_MSG_BYTES);
  try {
    if (readSync(fd, msg, 0, UFFD_MSG_BYTES, null) !== UFFD_MSG_BYTES) return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return null;
    throw e;
  }
  if (msg[0] !== UFFD_EVENT_PAGEFAULT) return null;
  return Number(msg.readBigUInt64LE(16));
}
