/**
 * The loops of strategies that make one system call per guard range (mprotect or madvise). Each
 * loop holds the call and a compare; the first failure's errno is read only when one happens.
 *
 * There is one loop per libc function on purpose, not one loop taking the function as an argument:
 * a call site that has seen both madvise and mprotect goes polymorphic in V8, and its optimised
 * code then reaches koffi through the generic call path. That cost 100-150 ns per call here, as
 * much as the whole FFI floor, and it was the harness's own, not the kernel's or koffi's.
 */
import { SysError, lastErrno, raw } from '../sys/libc.js';
import type { GuardRanges, PreparedGuards } from './types.js';

export function preparePerCall(ranges: GuardRanges): PreparedGuards {
  return { ranges, calls: ranges.addrs.length, release() {} };
}

/** What a loop saw of its failures: how many, and the first one's address and errno. */
interface LoopFailures {
  count: number;
  firstAddr: number;
  firstErrno: number;
}

function throwIfFailed(name: string, f: LoopFailures, ranges: GuardRanges, arg: number): void {
  if (f.count === 0) return;
  const err = new SysError(name, [f.firstAddr, ranges.bytes, arg], f.firstErrno);
  err.message += ` (${f.count} of ${ranges.addrs.length} calls failed)`;
  throw err;
}

/** madvise(addr, bytes, advice) on every range; throws after the loop if any call failed. */
export function madviseEachRange(ranges: GuardRanges, advice: number): void {
  const madvise = raw.madvise;
  const { addrs, bytes } = ranges;
  const f: LoopFailures = { count: 0, firstAddr: 0, firstErrno: 0 };
  for (let i = 0; i < addrs.length; i++) {
    if (madvise(addrs[i]!, bytes, advice) !== 0 && f.count++ === 0) {
      f.firstErrno = lastErrno();
      f.firstAddr = addrs[i]!;
    }
  }
  throwIfFailed('madvise', f, ranges, advice);
}

/** mprotect(addr, bytes, prot) on every range; throws after the loop if any call failed. */
export function mprotectEachRange(ranges: GuardRanges, prot: number): void {
  const mprotect = raw.mprotect;
  const { addrs, bytes } = ranges;
  const f: LoopFailures = { count: 0, firstAddr: 0, firstErrno: 0 };
  for (let i = 0; i < addrs.length; i++) {
    if (mprotect(addrs[i]!, bytes, prot) !== 0 && f.count++ === 0) {
      f.firstErrno = lastErrno();
      f.firstAddr = addrs[i]!;
    }
  }
  throwIfFailed('mprotect', f, ranges, prot);
}
