import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE } from '../sys/constants.js';
import type { Strategy } from './types.js';
import { madviseEachRange, preparePerCall } from './per-call.js';

/**
 * Guard markers one range at a time: madvise(MADV_GUARD_INSTALL) writes marker PTEs into the page
 * tables of the existing VMA (no split; mmap read lock), as glibc 2.42 does for each thread stack.
 */
export const guardMadvise: Strategy = {
  name: 'guard-madvise',
  description: 'madvise(MADV_GUARD_INSTALL) per guard: markers in the page tables, no extra VMA (glibc >= 2.42)',
  requires: ['guardInstall', 'guardRemove'],
  guards: true,
  prepare: preparePerCall,
  install(p) {
    madviseEachRange(p.ranges, MADV_GUARD_INSTALL);
  },
  remove(p) {
    madviseEachRange(p.ranges, MADV_GUARD_REMOVE);
  },
};
