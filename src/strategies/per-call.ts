/**
 * The shared loop of strategies that make one system call per guard range (mprotect or madvise).
 * The loop holds the call and a compare; the first failure's errno is read only when one happens.
 */
import { SysError, lastErrno } from '../sys/libc.js';
import type { GuardRanges, PreparedGuards } from './types.js';

export type RangeCall = (addr: number, len: number, arg: number) => number;

export function preparePerCall(ranges: GuardRanges): PreparedGuards {
  return { ranges, calls: ranges.addrs.length, release() {} };
}

/** Call `fn(addr, bytes, arg)` on every range; throw after the loop if any call failed. */
export function callEachRange(name: string, fn: RangeCall, ranges: GuardRanges, arg: number): void {
  const { addrs, bytes } = ranges;
  const n = addrs.length;
  let failures = 0;
  let firstErrno = 0;
  let firstAddr = 0;
  for (let i = 0; i < n; i++) {
    if (fn(addrs[i]!, bytes, arg) !== 0 && failures++ === 0) {
      firstErrno = lastErrno();
      firstAddr = addrs[i]!;
    }
  }
  if (failures > 0) {
    const err = new SysError(name, [firstAddr, bytes, arg], firstErrno);
    err.message += ` (${failures} of ${n} calls failed)`;
    throw err;
  }
}
