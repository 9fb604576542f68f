/**
 * The shared-memory protocol between the scaling workload and its worker threads. The main thread
 * is blocked in the runner's synchronous point (it cannot take messages), so everything passes
 * through SharedArrayBuffers and Atomics: a command slot the workers wait on, a start barrier,
 * and a done counter the main thread waits on.
 */
import type { StrategyName } from '../results/schema.js';

/** Strategies by number (the worker must not import the schema module: TypeBox and Ajv are slow to load). */
export const STRATEGY_ORDER: readonly StrategyName[] = ['no-guard', 'prot-none', 'guard-madvise', 'guard-process-madvise'];

/** Int32 slots of the control array. */
export const CTL = {
  /** workers that finished booting */
  READY: 0,
  /** bumped by the main thread for each command; workers wait on it */
  GEN: 1,
  CMD: 2,
  /** workers 0..ACTIVE-1 take part in the command */
  ACTIVE: 3,
  /** workers that finished the command */
  DONE: 4,
  /** workers at the start barrier */
  ARRIVED: 5,
  /** set by the main thread to end a timed round */
  STOP: 6,
  /** set by the first worker that fails; its message is in the error bytes */
  FAILED: 7,
  LENGTH: 8,
} as const;

export const CMD = { CONFIGURE: 1, ROUND: 2, TIMED: 3, RELEASE: 4 } as const;

/** Float64 slots of the numbers array; per-worker slots follow at NUM.BASES + i and NUM.COUNTS + i. */
export const MAX_WORKERS = 256;
export const NUM = {
  STACK_BYTES: 0,
  GUARD_BYTES: 1,
  ROUND_OPS: 2,
  /** index into STRATEGY_ORDER */
  STRATEGY: 3,
  /** 1: pin worker i to the i-th allowed CPU */
  PIN: 4,
  BASES: 16,
  COUNTS: 16 + MAX_WORKERS,
  LENGTH: 16 + 2 * MAX_WORKERS,
} as const;

export const ERROR_BYTES = 1024;

export interface SharedState {
  ctl: Int32Array;
  nums: Float64Array;
  error: Uint8Array;
}

export function makeShared(): SharedState {
  return {
    ctl: new Int32Array(new SharedArrayBuffer(CTL.LENGTH * 4)),
    nums: new Float64Array(new SharedArrayBuffer(NUM.LENGTH * 8)),
    error: new Uint8Array(new SharedArrayBuffer(ERROR_BYTES)),
  };
}

export interface WorkerInit {
  shared: SharedState;
  index: number;
  /** the parts of the feature probe a strategy needs */
  pidfdSelfValue: number | null;
  /** CPUs this process may run on, for pinning */
  cpus: number[];
}
