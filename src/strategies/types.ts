/**
 * The variant axis: every workload is written once and runs under each guard strategy, the way the
 * kernel selftest runs one body over anon, shmem and file memory.
 *
 * A strategy turns a prepared list of guard ranges into guards and back. `prepare` does everything
 * that is not the guard work itself (building iovec arrays, opening a pidfd) so that the timed
 * `install` and `remove` loops hold nothing but the system calls.
 */
import type { Features, StrategyName } from '../results/schema.js';

/** Guard ranges of one size, by start address (plain numbers, see sys/libc.ts). */
export interface GuardRanges {
  addrs: Float64Array;
  bytes: number;
}

/** What a strategy prepared for one set of ranges; release it when done. */
export interface PreparedGuards {
  readonly ranges: GuardRanges;
  /** system calls one install or remove makes */
  readonly calls: number;
  release(): void;
}

export interface PrepareOptions {
  /** ranges per process_madvise call (1..UIO_MAXIOV); other strategies make one call per range */
  batch?: number;
}

export interface Strategy {
  readonly name: StrategyName;
  /** one line for reports */
  readonly description: string;
  /** kernel features the strategy needs; missing ones skip it for the whole run */
  readonly requires: readonly (keyof Features)[];
  /** true when the strategy puts guards in place (every strategy but no-guard) */
  readonly guards: boolean;
  prepare(ranges: GuardRanges, options?: PrepareOptions): PreparedGuards;
  /** Make every prepared range a guard. Throws SysError after the loop if any call failed. */
  install(p: PreparedGuards): void;
  /** Make every prepared range ordinary read-write memory again. */
  remove(p: PreparedGuards): void;
}

export function guardRanges(addrs: ArrayLike<number>, bytes: number): GuardRanges {
  return { addrs: Float64Array.from(addrs), bytes };
}
