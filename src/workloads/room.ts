/**
 * Room for mappings at addresses chosen in advance (stacks mapped with MAP_FIXED_NOREPLACE, so
 * their guard ranges and iovecs can be built before any timing). Other threads of this process
 * (V8's, the scaling workers) keep mapping memory meanwhile, and the kernel places a new mapping at
 * the top of the highest hole that fits. So the hole left for us is made much larger than needed
 * and we use its bottom: their mappings land at its top, away from ours.
 */
import { MAP_ANONYMOUS, MAP_NORESERVE, MAP_PRIVATE, PROT_NONE } from '../sys/constants.js';
import { mmap, munmap } from '../sys/libc.js';

/**
 * Address space left free above the range we use, for everyone else's mappings. Where a range
 * lies decides which page tables its guards share, and so what a marker costs: the range sits on
 * the mapping below it, in the same 1 GiB a PMD page maps (1 GiB of headroom put it alone there
 * and scaling's marker cycle paid a PMD page each time: 37 us), but rarely in the same 2 MiB a
 * PTE page maps, so a marker pays its own PTE page (18 us, against 9 us when the stacks were
 * packed against their neighbours and shared theirs).
 */
const HEADROOM_BYTES = 64 << 20;

/** The start of a free range of `bytes` (nothing is left mapped). */
export function findRoom(bytes: number): number {
  const span = bytes + HEADROOM_BYTES;
  const base = mmap(span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
  munmap(base, span);
  return base;
}
