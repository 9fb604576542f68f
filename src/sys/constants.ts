/**
 * Kernel ABI numbers guardbench needs. Values are the uapi ones (x86-64 and the generic table that
 * arm64 uses agree for every system call listed here).
 */

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const PROT_RW = PROT_READ | PROT_WRITE;

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_NORESERVE = 0x4000;
/** Fault the whole mapping in at mmap time. */
export const MAP_POPULATE = 0x8000;
export const MAP_STACK = 0x20000;
export const MAP_FIXED_NOREPLACE = 0x100000;

/** Expect sequential reads: more readahead, pages behind dropped sooner (file-backed memory). */
export const MADV_SEQUENTIAL = 2;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
/** Free the range's backing store (a hole punched in a shmem or file mapping). */
export const MADV_REMOVE = 9;
/** Linux 4.14: a forked child sees the range as freshly mapped (private anonymous memory only). */
export const MADV_WIPEONFORK = 18;
export const MADV_COLD = 20;
export const MADV_PAGEOUT = 21;
/** Linux 5.14: fault the range in now, readable or writable; EFAULT where a fault would fail (a guard). */
export const MADV_POPULATE_READ = 22;
export const MADV_POPULATE_WRITE = 23;
/** Linux 6.1: collapse the range into transparent huge pages now (khugepaged's work, synchronously). */
export const MADV_COLLAPSE = 25;
/** Linux 6.13: install guard markers in the page tables of the range (zaps what was there). */
export const MADV_GUARD_INSTALL = 102;
/** Linux 6.13: remove guard markers, keep everything else. */
export const MADV_GUARD_REMOVE = 103;

export const MFD_CLOEXEC = 0x1;
export const MFD_ALLOW_SEALING = 0x2;
export const F_ADD_SEALS = 1033;
export const F_SEAL_WRITE = 0x8;

/** process_madvise takes at most this many iovecs per call. */
export const UIO_MAXIOV = 1024;

/** System call numbers, per architecture (see syscallNumbers()). */
export interface SyscallNumbers {
  pidfd_open: number;
  process_madvise: number;
  seccomp: number;
  madvise: number;
  userfaultfd: number;
}

const SYSCALLS: Record<string, SyscallNumbers> = {
  x64: { pidfd_open: 434, process_madvise: 440, seccomp: 317, madvise: 28, userfaultfd: 323 },
  arm64: { pidfd_open: 434, process_madvise: 440, seccomp: 277, madvise: 233, userfaultfd: 282 },
};

/** The numbers for this process's architecture, or undefined where guardbench has no table. */
export function syscallNumbers(arch: string = process.arch): SyscallNumbers | undefined {
  return SYSCALLS[arch];
}

/**
 * PIDFD_SELF names the calling process without opening a pidfd. The values moved once: 6.15 had
 * THREAD_GROUP = -20000, later kernels (uapi fcntl.h) use -10001. Probe both, newest first.
 */
export const PIDFD_SELF_THREAD_GROUP = -10001;
export const PIDFD_SELF_THREAD_GROUP_OLD = -20000;

/** /proc/PID/pagemap entry bits (a guard's entry also has bit 62, the swap bit, set). */
export const PM_GUARD_REGION_BIT = 58n;
export const PM_PRESENT_BIT = 63n;

/** PAGEMAP_SCAN (6.7) ioctl on /proc/PID/pagemap: _IOWR('f', 16, struct pm_scan_arg). */
export const PAGEMAP_SCAN = 0xc0606610;
/** Linux 6.16: category for pages that hold a guard marker. */
export const PAGE_IS_GUARD = 1 << 8;
/** sizeof(struct pm_scan_arg) and sizeof(struct page_region). */
export const PM_SCAN_ARG_BYTES = 96;
export const PAGE_REGION_BYTES = 24;

/** prctl / seccomp, for making this kernel look older in a child process. */
export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_SET_SECCOMP = 22;
export const SECCOMP_MODE_FILTER = 2;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;

/** clone(2) flag to deliver SIGCHLD on exit, so waitpid sees the child as a forked one. */
export const SIGCHLD = 17;
/** clone(2) flag: the child shares our address space (a process of its own on our page tables). */
export const CLONE_VM = 0x100;
export const SIGSEGV = 11;
export const SIGKILL = 9;
export const SIGBUS = 7;

