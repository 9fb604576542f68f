import { PROT_NONE, PROT_RW } from '../sys/constants.js';
import type { Strategy } from './types.js';
import { mprotectEachRange, preparePerCall } from './per-call.js';

/**
 * The classic guard: mprotect(PROT_NONE) makes each range its own VMA (a split: +2 VMAs inside a
 * mapping, +1 at its edge), under the mmap write lock. Removal is mprotect back to read-write, which
 * lets the kernel merge the pieces again.
 */
export const protNone: Strategy = {
  name: 'prot-none',
  description: 'mprotect(PROT_NONE) per guard: a separate VMA for each guard (glibc <= 2.41, jemalloc, GWP-ASan)',
  requires: [],
  guards: true,
  prepare: preparePerCall,
  install(p) {
    mprotectEachRange(p.ranges, PROT_NONE);
  },
  remove(p) {
    mprotectEachRange(p.ranges, PROT_RW);
  },
};
