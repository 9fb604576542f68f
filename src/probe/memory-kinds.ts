/**
 * Whether guard markers work on shared memory (a memfd) and on a file mapping here, found by
 * installing one on each (Linux 6.15 allowed them; earlier kernels answer EINVAL). A kind that
 * cannot even be mapped (no memfd_create, an unwritable temp directory) is unmappable: no strategy
 * runs on it, PROT_NONE included. Nothing here touches a guard.
 */
import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE } from '../sys/constants.js';
import { errnoName, lastErrno, raw, writeMemory } from '../sys/libc.js';
import { installReplacedPage } from '../sys/pagemap.js';
import { fileBacking, mapMemory, releaseMapping, type SharedKind } from '../sys/memory.js';
import { oneLine } from '../errors.js';

export interface SharedKindProbe {
  /** MADV_GUARD_INSTALL returned success on a mapping of this kind */
  guards: boolean;
  /** why guards are missing, or why the install had no effect */
  reason: string | null;
  /** why the kind cannot be mapped at all here, or null */
  unmappable: string | null;
}

/** What each shared kind is, in words for reasons. */
export function describeKind(kind: SharedKind): string {
  return kind === 'shmem' ? 'a memfd (shmem) mapping' : `a file mapping (${fileBacking().fileSystem}, ${fileBacking().dir})`;
}

/** The reason to give when an install returned success and the page it covered is still there. */
export function noEffectReason(where: string): string {
  return `MADV_GUARD_INSTALL on ${where}: install returned success but no guard appeared (the page it covered is still mapped)`;
}

/** Install a marker over a written page of `kind`, and see that it replaced the page. */
export function probeSharedKind(kind: SharedKind, page: number): SharedKindProbe {
  let m;
  try {
    m = mapMemory(kind, 2 * page);
  } catch (e) {
    return { guards: false, reason: null, unmappable: `${kind === 'shmem' ? 'memfd_create' : `a file in ${fileBacking().dir}`}: ${oneLine(e)}` };
  }
  try {
    const target = m.addr + page;
    writeMemory(target, Buffer.from([1]));
    if (raw.madvise(target, page, MADV_GUARD_INSTALL) !== 0) {
      return {
        guards: false, unmappable: null,
        reason: `MADV_GUARD_INSTALL on ${describeKind(kind)} failed with ${errnoName(lastErrno())} (guards on shared and file mappings came in Linux 6.15)`,
      };
    }
    let replaced = true;
    try {
      replaced = installReplacedPage(target);
    } catch {
      // pagemap unreadable: nothing seen either way, so nothing is claimed
    }
    raw.madvise(target, page, MADV_GUARD_REMOVE);
    return { guards: true, unmappable: null, reason: replaced ? null : noEffectReason(describeKind(kind)) };
  } finally {
    releaseMapping(m);
  }
}
