/**
 * Which guard-marker features this kernel has, found by trying each one for real on a scratch
 * mapping (never by comparing version numbers: vendors backport, and seccomp can hide a feature).
 * Nothing here touches a guard, so probing is safe in the measuring process.
 *
 * What was not seen is blamed on the kernel's version only when something was seen: an install
 * that returned success and left the page it covered in place did nothing (a seccomp filter, a
 * broken kernel), and every feature that needs a guard to look at says so instead.
 */
import {
  MADV_GUARD_INSTALL, MADV_GUARD_REMOVE, PIDFD_SELF_THREAD_GROUP, PIDFD_SELF_THREAD_GROUP_OLD,
} from '../sys/constants.js';
import { close, errnoName, lastErrno, mmap, munmap, pageSize, pidfdOpen, processMadviseNr, raw, writeMemory } from '../sys/libc.js';
import { countGuardPagesByPagemap, installReplacedPage, scanGuardRegions } from '../sys/pagemap.js';
import { fileBacking, type FileBacking, type SharedKind } from '../sys/memory.js';
import { noEffectReason, probeSharedKind } from './memory-kinds.js';
import { readSmaps, vmaAt } from '../metrics/maps.js';
import type { Features } from '../results/schema.js';
import { FEATURE_SINCE, type HistoryFeature } from '../results/feature-history.js';
import { oneLine } from '../errors.js';

/** A feature the probe answers: the keys of the feature history (src/results/feature-history.ts). */
export type FeatureName = HistoryFeature;

/** The kernel release that brought each feature upstream, for skip reasons: one table, the feature history's. */
export { FEATURE_SINCE };

/** The feature that says whether markers work on a shared memory kind. */
export const KIND_FEATURE: Record<SharedKind, 'guardShmem' | 'guardFile'> = { shmem: 'guardShmem', file: 'guardFile' };

export interface FeatureProbe {
  features: Features;
  /** why each missing feature is missing, by feature name */
  reasons: Partial<Record<FeatureName, string>>;
  /** the PIDFD_SELF value that worked, if any */
  pidfdSelfValue: number | null;
  /**
   * set when MADV_GUARD_INSTALL returned success but no guard appeared: checks that need a guard
   * then fail instead of being skipped for a missing feature
   */
  guardNoEffect: string | null;
  /** shared memory kinds that cannot be mapped here at all, with why (no strategy runs on them) */
  unmappable: Partial<Record<SharedKind, string>>;
  /** where file-kind memory is created, and on which filesystem */
  fileBacking: FileBacking;
}

function missing(name: FeatureName, what: string): string {
  return `${what} (needs Linux ${FEATURE_SINCE[name]}+)`;
}

/** process_madvise over one iovec at `iov`; -1 and errno on failure. */
function tryProcessMadvise(pidfd: number, iov: number): number {
  return raw.syscall(processMadviseNr(), pidfd, iov, 1, MADV_GUARD_INSTALL, 0, 0);
}

/** The smaps VmFlags of the VMA holding `addr`, or null when smaps cannot be read or no VMA holds it. */
function smapsFlagsAt(addr: number): string[] | null {
  try {
    return vmaAt(readSmaps(), addr)?.flags ?? null;
  } catch {
    return null;
  }
}

const PAGE_SIZE = pageSize();

export function probeFeatures(): FeatureProbe {
  const reasons: FeatureProbe['reasons'] = {};
  const f: Features = {
    guardInstall: false, guardRemove: false, processMadvise: false, pidfdSelf: false,
    pagemapGuardBit: false, pagemapScanGuard: false, smapsGuardFlag: false, guardShmem: false, guardFile: false,
  };
  let pidfdSelfValue: number | null = null;
  let guardNoEffect: string | null = null;
  const pages = 4;
  const region = mmap(pages * PAGE_SIZE);
  try {
    const guard = region + PAGE_SIZE;
    // Written first, so that a real install visibly replaces it (see installReplacedPage).
    writeMemory(guard, Buffer.from([1]));
    if (raw.madvise(guard, PAGE_SIZE, MADV_GUARD_INSTALL) === 0) f.guardInstall = true;
    else reasons.guardInstall = missing('guardInstall', `madvise(MADV_GUARD_INSTALL) failed with ${errnoName(lastErrno())}`);

    if (f.guardInstall) {
      guardNoEffect = replacedOrWhyNot(guard);
      // Features seen only by looking at a guard are untested, not missing, when there is none.
      const seen = (name: FeatureName, what: string): string => (guardNoEffect ? `not tested: ${guardNoEffect}` : missing(name, what));
      try {
        const pm = countGuardPagesByPagemap('self', region, region + pages * PAGE_SIZE);
        f.pagemapGuardBit = pm.guards === 1;
        if (!f.pagemapGuardBit) reasons.pagemapGuardBit = seen('pagemapGuardBit', `pagemap showed ${pm.guards} guard pages for 1 installed`);
      } catch (e) {
        reasons.pagemapGuardBit = `pagemap unreadable: ${oneLine(e)}`;
      }
      try {
        const scan = scanGuardRegions('self', region, region + pages * PAGE_SIZE, 8);
        f.pagemapScanGuard = scan.regions.length === 1 && scan.regions[0]!.start === guard;
        if (!f.pagemapScanGuard) reasons.pagemapScanGuard = seen('pagemapScanGuard', `PAGEMAP_SCAN found ${scan.regions.length} guard regions for 1 installed`);
      } catch (e) {
        reasons.pagemapScanGuard = missing('pagemapScanGuard', `PAGEMAP_SCAN with PAGE_IS_GUARD failed: ${oneLine(e)}`);
      }
      const flags = smapsFlagsAt(guard);
      f.smapsGuardFlag = flags?.includes('gu') ?? false;
      if (!f.smapsGuardFlag) reasons.smapsGuardFlag = flags ? seen('smapsGuardFlag', 'smaps VmFlags has no gu') : 'smaps unreadable';

      if (raw.madvise(guard, PAGE_SIZE, MADV_GUARD_REMOVE) === 0) f.guardRemove = true;
      else reasons.guardRemove = missing('guardRemove', `madvise(MADV_GUARD_REMOVE) failed with ${errnoName(lastErrno())}`);
    } else {
      for (const name of ['guardRemove', 'pagemapGuardBit', 'pagemapScanGuard', 'smapsGuardFlag'] as const) {
        reasons[name] = 'untestable without MADV_GUARD_INSTALL';
      }
    }

    // process_madvise needs an iovec in memory: keep it in the scratch mapping's last page.
    const iov = region + 3 * PAGE_SIZE;
    const iovec = Buffer.alloc(16);
    iovec.writeBigUInt64LE(BigInt(guard), 0);
    iovec.writeBigUInt64LE(BigInt(PAGE_SIZE), 8);
    writeMemory(iov, iovec);
    let pidfd = -1;
    try {
      pidfd = pidfdOpen(process.pid);
      const rc = tryProcessMadvise(pidfd, iov);
      // A call that returns at all exists; whether it advised the bytes it reports is verify's
      // question (a silent no-op returning 0 is a broken guard, not an old kernel).
      if (rc >= 0) f.processMadvise = true;
      else reasons.processMadvise = missing('processMadvise', `process_madvise(MADV_GUARD_INSTALL) gave ${rc === -1 ? errnoName(lastErrno()) : rc}`);
    } catch (e) {
      reasons.processMadvise = missing('processMadvise', oneLine(e));
    } finally {
      if (pidfd >= 0) close(pidfd);
    }
    if (f.processMadvise) {
      for (const value of [PIDFD_SELF_THREAD_GROUP, PIDFD_SELF_THREAD_GROUP_OLD]) {
        if (tryProcessMadvise(value, iov) === PAGE_SIZE) {
          f.pidfdSelf = true;
          pidfdSelfValue = value;
          break;
        }
      }
      if (!f.pidfdSelf) {
        const rc = tryProcessMadvise(PIDFD_SELF_THREAD_GROUP, iov);
        reasons.pidfdSelf = rc < 0 ? missing('pidfdSelf', `PIDFD_SELF rejected (${errnoName(lastErrno())})`)
          : `process_madvise(PIDFD_SELF) advised ${rc} bytes of ${PAGE_SIZE}`;
      }
    } else {
      reasons.pidfdSelf = 'untestable without process_madvise';
    }
  } finally {
    munmap(region, pages * PAGE_SIZE);
  }
  const unmappable: FeatureProbe['unmappable'] = {};
  for (const kind of ['shmem', 'file'] as const) {
    const k = probeSharedKind(kind, PAGE_SIZE);
    const name = KIND_FEATURE[kind];
    f[name] = k.guards;
    if (k.reason) reasons[name] = k.reason;
    if (k.unmappable) {
      unmappable[kind] = k.unmappable;
      reasons[name] = `not tested: ${k.unmappable}`;
    }
  }
  return { features: f, reasons, pidfdSelfValue, guardNoEffect, unmappable, fileBacking: fileBacking() };
}

/** null when the install at `guard` replaced the page written there; else why it did not. */
function replacedOrWhyNot(guard: number): string | null {
  try {
    return installReplacedPage(guard) ? null : noEffectReason('anonymous memory');
  } catch {
    return null; // pagemap unreadable: nothing seen either way, so nothing is claimed
  }
}
