/**
 * When each probed feature reached the upstream kernel, and where that is written down. One table
 * for the whole project: the probe names the release in its skip reasons, and the kernel trail
 * holds every kernel's probe answers against it. It lives beside the contract because both sides
 * (measuring and reading) use it and `Features` names its keys.
 *
 * A mismatch on a kernel is a finding to explain, never a reason to edit this table: distributions
 * backport (this machine's 6.18.44 shows smaps `gu`, upstream in 6.19), and a probe can fail for
 * reasons of its own (seccomp, a read-only filesystem for file-backed memory).
 */
import type { Features } from './schema.js';

export type HistoryFeature = keyof Pick<Features, 'guardInstall' | 'guardRemove' | 'processMadvise' | 'pidfdSelf'
  | 'pagemapGuardBit' | 'pagemapScanGuard' | 'smapsGuardFlag' | 'guardShmem' | 'guardFile'>;

export interface FeatureRelease {
  feature: HistoryFeature;
  /** what the feature is, for a table */
  what: string;
  /** the upstream release (major.minor) that first had it */
  since: string;
  /** the commit or posting that brought it, and how the release was established */
  source: string;
  /**
   * whether `since` was checked against the kernel's history (commit, merge window, release
   * notes); an unchecked release is shown but never counted as a mismatch
   */
  checked: boolean;
}

const MARKERS = 'commit 662df3e5c376 "mm: madvise: implement lightweight guard page mechanism" (Lorenzo Stoakes), merged for 6.13 (LWN 998990, the 6.13 merge window)';
const FILE_BACKED = 'commit f807123d578d "mm: allow guard regions in file-backed and read-only mappings", in 6.15 (CRIU PR #2652 cites it; LWN 1011366)';

export const FEATURE_HISTORY: readonly FeatureRelease[] = [
  { feature: 'guardInstall', what: 'MADV_GUARD_INSTALL on private anonymous memory', since: '6.13', source: MARKERS, checked: true },
  { feature: 'guardRemove', what: 'MADV_GUARD_REMOVE', since: '6.13', source: MARKERS, checked: true },
  {
    feature: 'processMadvise', what: 'process_madvise(MADV_GUARD_INSTALL) on the caller\'s own mm', since: '6.13',
    source: 'series "unrestrict process_madvise() for current process" (2024-09, mm-unstable before the 6.13 merge window); the release is inferred from its date',
    checked: false,
  },
  {
    feature: 'pidfdSelf', what: 'PIDFD_SELF sentinels (-10000/-10001) accepted by process_madvise', since: '6.15',
    source: 'pidfd: PIDFD_SELF* sentinels (Lorenzo Stoakes); later moved to uapi fcntl.h with THREAD_GROUP renumbered -20000 -> -10001; the release is not established',
    checked: false,
  },
  {
    feature: 'pagemapGuardBit', what: '/proc/PID/pagemap bit 58 (PM_GUARD_REGION) on guard pages', since: '6.15',
    source: 'commit 8e2f2aeb8b48 "fs/proc/task_mmu: add guard region bit to pagemap"; Documentation/admin-guide/mm/pagemap.rst: "Bit 58 pte is a guard region (since 6.15)"',
    checked: true,
  },
  { feature: 'guardShmem', what: 'markers on shmem (memfd) mappings', since: '6.15', source: FILE_BACKED, checked: true },
  { feature: 'guardFile', what: 'markers on mappings of a file on a disk filesystem', since: '6.15', source: FILE_BACKED, checked: true },
  {
    feature: 'pagemapScanGuard', what: 'PAGEMAP_SCAN category PAGE_IS_GUARD (1 << 8)', since: '6.16',
    source: 'commit a516403787e0 "fs/proc: extend the PAGEMAP_SCAN ioctl to report guard regions" (Andrei Vagin), committed by akpm 2025-05-12, after the 6.15 release: 6.16',
    checked: true,
  },
  {
    feature: 'smapsGuardFlag', what: 'smaps VmFlags "gu" (VM_MAYBE_GUARD, sticky)', since: '6.19',
    source: '"mm: introduce VM_MAYBE_GUARD and make visible in /proc/$pid/smaps" (Lorenzo Stoakes, v3 2025-11-06, reviewed by Vlastimil Babka): posted after the 6.18 merge window, so 6.19',
    checked: true,
  },
];

/** The release that brought each feature upstream, by feature. */
export const FEATURE_SINCE: Record<HistoryFeature, string> = Object.fromEntries(FEATURE_HISTORY.map((f) => [f.feature, f.since])) as Record<HistoryFeature, string>;
