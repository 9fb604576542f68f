/**
 * Room for mappings at addresses chosen in advance (stacks mapped with MAP_FIXED_NOREPLACE, so
 * their guard ranges and iovecs can be built before any timing). Other threads of this process
 * (V8's, the scaling workers) keep mapping memory meanwhile, and the kernel places a new mapping at
 * the top of the highest hole that fits. So the hole left for us is made much larger than needed
 * and we use its bottom: their mappings land at its top, far from ours.
 */
import { MAP_ANONYMOUS, MAP_NORESERVE, MAP_PRIVATE, PROT_NONE } from '../sys/constants.js';
import { mmap, munmap } from '../sys/libc.js';

/** Address space left free above the range we use, for everyone else's mappings. */
const HEADROOM_BYTES = 1 << 30;

/** The start of a free range of `bytes` (nothing is left mapped). */
export function findRoom(bytes: number): number {
  const span = bytes + HEADROOM_BYTES;
  const base = mmap(span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
  munmap(base, span);
  return base;
}
