/**
 * The one file that knows C signatures. Everything guardbench asks of the kernel goes through koffi
 * bindings made here, once, at import.
 *
 * Addresses are plain JS numbers (`uintptr_t` in koffi): x86-64 and arm64 user addresses are below
 * 2^48, exact in a double, so hot loops need no BigInt and no pointer objects.
 *
 * Two layers:
 * - `raw`: the bound functions themselves, for timed loops. They return -1 and leave errno; the caller
 *   checks the results after the loop, so nothing but the call sits in the timed region.
 * - checked wrappers (mmap, mprotect, ...): throw a SysError naming the call, its arguments and errno.
 */
import koffi from 'koffi';
import { constants as osConstants } from 'node:os';
import { F_ADD_SEALS, MAP_ANONYMOUS, MAP_PRIVATE, PROT_RW, syscallNumbers } from './constants.js';

const libc = koffi.load('libc.so.6');

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, value]) => [value, name] as [number, string]),
);

/** errno's symbolic name (EINVAL, ENOMEM, ...), or `errno N` for one Node does not name. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

/** A failed libc call: which call, with what arguments, and errno with its name. */
export class SysError extends Error {
  readonly call: string;
  readonly args: readonly (number | string)[];
  readonly errno: number;
  readonly code: string;

  constructor(call: string, args: readonly (number | string)[], errno: number) {
    const shown = args.map((a) => (typeof a === 'number' && a > 0xffff ? `0x${a.toString(16)}` : String(a)));
    super(`${call}(${shown.join(', ')}) failed: ${errnoName(errno)}`);
    this.name = 'SysError';
    this.call = call;
    this.args = args;
    this.errno = errno;
    this.code = errnoName(errno);
  }
}

/** errno of the last koffi call on this thread. */
export function lastErrno(): number {
  return koffi.errno();
}

const sys = syscallNumbers();

/** Bound libc functions. Hot loops call these directly and check return values afterwards. */
export const raw = {
  mmap: libc.func('uintptr_t mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, long off)') as (
    addr: number, len: number, prot: number, flags: number, fd: number, off: number) => number | bigint,
  munmap: libc.func('int munmap(uintptr_t addr, size_t len)') as (addr: number, len: number) => number,
  mprotect: libc.func('int mprotect(uintptr_t addr, size_t len, int prot)') as (
    addr: number, len: number, prot: number) => number,
  madvise: libc.func('int madvise(uintptr_t addr, size_t len, int advice)') as (
    addr: number, len: number, advice: number) => number,
  /** glibc's syscall() with six integer arguments (its assembly ignores the variadic convention). */
  syscall: libc.func('long syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)') as (
    nr: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number) => number,
  getppid: libc.func('int getppid()') as () => number,
  labs: libc.func('long labs(long v)') as (v: number) => number,
  close: libc.func('int close(int fd)') as (fd: number) => number,
  memfdCreate: libc.func('int memfd_create(const char *name, unsigned int flags)') as (name: string, flags: number) => number,
  /** fcntl with one int argument (F_ADD_SEALS, F_GET_SEALS), passed as koffi variadic pairs. */
  fcntl: libc.func('int fcntl(int fd, int cmd, ...)') as (fd: number, cmd: number, ...args: unknown[]) => number,
  dlsym: libc.func('uintptr_t dlsym(uintptr_t handle, const char *name)') as (handle: number, name: string) => number,
  /** Copy `n` bytes from an address into a Buffer (reading our own, unguarded memory). */
  copyOut: libc.func('void *memcpy(_Inout_ uint8_t *dst, uintptr_t src, size_t n)') as (
    dst: Buffer, src: number, n: number) => unknown,
  /** Copy `n` bytes from a Buffer to an address. */
  copyIn: libc.func('uintptr_t memcpy(uintptr_t dst, const uint8_t *src, size_t n)') as (
    dst: number, src: Buffer, n: number) => number,
  memset: libc.func('uintptr_t memset(uintptr_t dst, int c, size_t n)') as (dst: number, c: number, n: number) => number,
  pthreadAttrInit: libc.func('int pthread_attr_init(_Inout_ uint8_t *attr)') as (attr: Buffer) => number,
  pthreadAttrSetstack: libc.func('int pthread_attr_setstack(_Inout_ uint8_t *attr, uintptr_t stack, size_t size)') as (
    attr: Buffer, stack: number, size: number) => number,
  pthreadAttrDestroy: libc.func('int pthread_attr_destroy(_Inout_ uint8_t *attr)') as (attr: Buffer) => number,
  pthreadCreate: libc.func('int pthread_create(_Inout_ uint8_t *thread, uint8_t *attr, uintptr_t start, uintptr_t arg)') as (
    thread: Buffer, attr: Buffer, start: number, arg: number) => number,
  pthreadJoin: libc.func('int pthread_join(uintptr_t thread, uintptr_t retval)') as (thread: number, retval: number) => number,
  /** glibc clone(fn, stack, flags, arg): the child runs fn(arg) on `stack` and exits with its result. */
  clone: libc.func('int clone(uintptr_t fn, uintptr_t stack, int flags, uintptr_t arg)') as (
    fn: number, stack: number, flags: number, arg: number) => number,
  waitpid: libc.func('int waitpid(int pid, _Inout_ uint8_t *status, int options)') as (
    pid: number, status: Buffer, options: number) => number,
  ioctl: libc.func('int ioctl(int fd, unsigned long request, _Inout_ uint8_t *arg)') as (
    fd: number, request: number, arg: Buffer) => number,
  /** ioctl whose third argument is a value, not a pointer (USERFAULTFD_IOC_NEW's flags). */
  ioctlValue: libc.func('int ioctl(int fd, unsigned long request, unsigned long arg)') as (
    fd: number, request: number, arg: number) => number,
  prctl: libc.func('int prctl(int option, unsigned long a2, uintptr_t a3, unsigned long a4, unsigned long a5)') as (
    option: number, a2: number, a3: number, a4: number, a5: number) => number,
  schedSetaffinity: libc.func('int sched_setaffinity(int pid, size_t size, const uint8_t *mask)') as (
    pid: number, size: number, mask: Buffer) => number,
  schedGetcpu: libc.func('int sched_getcpu()') as () => number,
  personality: libc.func('int personality(unsigned long persona)') as (persona: number) => number,
  sysconf: libc.func('long sysconf(int name)') as (name: number) => number,
  gnuGetLibcVersion: libc.func('const char *gnu_get_libc_version()') as () => string,
  mlock: libc.func('int mlock(uintptr_t addr, size_t len)') as (addr: number, len: number) => number,
  munlock: libc.func('int munlock(uintptr_t addr, size_t len)') as (addr: number, len: number) => number,
  /** mremap with its optional fifth argument always passed (ignored without MREMAP_FIXED); MAP_FAILED is a BigInt. */
  mremap: libc.func('uintptr_t mremap(uintptr_t old, size_t oldLen, size_t newLen, int flags, uintptr_t newAddr)') as (
    old: number, oldLen: number, newLen: number, flags: number, newAddr: number) => number | bigint,
  kill: libc.func('int kill(int pid, int sig)') as (pid: number, sig: number) => number,
  /** struct rlimit is two 8-byte words: soft, hard. */
  getrlimit: libc.func('int getrlimit(int resource, _Inout_ uint8_t *rlim)') as (resource: number, rlim: Buffer) => number,
  setrlimit: libc.func('int setrlimit(int resource, const uint8_t *rlim)') as (resource: number, rlim: Buffer) => number,
  /**
   * getcontext/makecontext build a ucontext that, run in a cloned child by setcontext, calls a libc
   * function with several arguments: a child can then do more than one single-argument call.
   * makecontext's extra arguments are passed as koffi variadic pairs ('uint64_t', value).
   */
  getcontext: libc.func('int getcontext(uintptr_t ucp)') as (ucp: number) => number,
  makecontext: libc.func('void makecontext(uintptr_t ucp, uintptr_t fn, int argc, ...)') as (
    ucp: number, fn: number, argc: number, ...args: unknown[]) => void,
};

/** `mmap` returns MAP_FAILED ((void *)-1) as a BigInt, since it does not fit a double exactly. */
function mapFailed(result: number | bigint): boolean {
  return typeof result === 'bigint';
}

function check(call: string, args: readonly (number | string)[], rc: number): number {
  if (rc === -1) throw new SysError(call, args, koffi.errno());
  return rc;
}

export function mmap(len: number, prot: number = PROT_RW, flags: number = MAP_PRIVATE | MAP_ANONYMOUS,
  addr = 0, fd = -1, off = 0): number {
  const result = raw.mmap(addr, len, prot, flags, fd, off);
  if (mapFailed(result)) throw new SysError('mmap', [addr, len, prot, flags, fd, off], koffi.errno());
  return result as number;
}

export function munmap(addr: number, len: number): void {
  check('munmap', [addr, len], raw.munmap(addr, len));
}

export function mprotect(addr: number, len: number, prot: number): void {
  check('mprotect', [addr, len, prot], raw.mprotect(addr, len, prot));
}

export function madvise(addr: number, len: number, advice: number): void {
  check('madvise', [addr, len, advice], raw.madvise(addr, len, advice));
}

function syscallNumber(name: keyof NonNullable<typeof sys>): number {
  if (!sys) throw new SysError(name, [], osConstants.errno.ENOSYS);
  return sys[name];
}

/** pidfd_open(pid, 0): a file descriptor naming the process. */
export function pidfdOpen(pid: number): number {
  return check('pidfd_open', [pid], raw.syscall(syscallNumber('pidfd_open'), pid, 0, 0, 0, 0, 0));
}

/** The system call number of process_madvise, for timed loops that call raw.syscall. */
export function processMadviseNr(): number {
  return syscallNumber('process_madvise');
}

export function close(fd: number): void {
  check('close', [fd], raw.close(fd));
}

/** memfd_create(name, flags): an anonymous shmem file, freed with its last reference. */
export function memfdCreate(name: string, flags: number): number {
  return check('memfd_create', [name, flags], raw.memfdCreate(name, flags));
}

/** fcntl(fd, F_ADD_SEALS, seals). */
export function addSeals(fd: number, seals: number): void {
  check('fcntl(F_ADD_SEALS)', [fd, seals], raw.fcntl(fd, F_ADD_SEALS, 'int', seals));
}

/** Address of a function in the loaded libc (dlsym(RTLD_DEFAULT, name)). */
export function libcFunction(name: string): number {
  const addr = raw.dlsym(0, name);
  if (!addr) throw new Error(`dlsym: ${name} not found`);
  return addr;
}

export function writeMemory(addr: number, data: Buffer): void {
  raw.copyIn(addr, data, data.length);
}

export function fill(addr: number, byte: number, n: number): void {
  raw.memset(addr, byte, n);
}

/** Wait statuses, decoded as <sys/wait.h> does. */
export interface ChildExit {
  /** exit code when the child exited normally, else null */
  code: number | null;
  /** terminating signal number, else null */
  signal: number | null;
}

export function decodeWaitStatus(status: number): ChildExit {
  const signal = status & 0x7f;
  if (signal === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal };
}

const WNOHANG = 1;

/** waitpid(pid, &status, WNOHANG): the child's exit if it has ended, else null. */
export function pollChild(pid: number): ChildExit | null {
  const status = Buffer.alloc(4);
  const rc = raw.waitpid(pid, status, WNOHANG);
  if (rc === pid) return decodeWaitStatus(status.readInt32LE(0));
  if (rc === 0) return null;
  throw new SysError('waitpid', [pid], koffi.errno());
}

/** waitpid(pid, &status, 0), retried on EINTR. */
export function waitChild(pid: number): ChildExit {
  const status = Buffer.alloc(4);
  for (;;) {
    const rc = raw.waitpid(pid, status, 0);
    if (rc === pid) return decodeWaitStatus(status.readInt32LE(0));
    const errno = koffi.errno();
    if (errno !== osConstants.errno.EINTR) throw new SysError('waitpid', [pid], errno);
  }
}

export function libcVersion(): string {
  try {
    return `glibc ${raw.gnuGetLibcVersion()}`;
  } catch {
    return 'unknown';
  }
}

const SC_PAGESIZE = 30;
const PAGE_BYTES: number = raw.sysconf(SC_PAGESIZE);

/** The kernel's base page size (sysconf(_SC_PAGESIZE), read once: it cannot change while we run). */
export function pageSize(): number {
  return PAGE_BYTES;
}

export const koffiVersion: string = (koffi as unknown as { version: string }).version;
