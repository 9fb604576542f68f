/**
 * The FFI floor, measured in every run in the loop shape the workloads use: a koffi call that never
 * enters the kernel (labs) and the cheapest system call (getppid). A one-call-per-guard loop pays
 * the getppid figure per guard before any guard work; a process_madvise batch pays it once.
 */
import { raw } from '../sys/libc.js';
import type { FfiCalibration } from '../results/schema.js';
import { timeOperation, type TimingBudget } from './timing.js';

const LOOP_CALLS = 16384;

function labsLoop(values: Float64Array): void {
  const labs = raw.labs;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += labs(values[i]!);
  if (sum < 0) throw new Error('labs returned a negative sum');
}

function getppidLoop(n: number): void {
  const getppid = raw.getppid;
  let failures = 0;
  for (let i = 0; i < n; i++) if (getppid() < 0) failures++;
  if (failures) throw new Error('getppid failed');
}

export function calibrateFfi(budget: TimingBudget): FfiCalibration {
  const values = Float64Array.from({ length: LOOP_CALLS }, (_, i) => -i);
  const labs = timeOperation('ffi/labs', { ops: LOOP_CALLS, setup: () => values, measure: labsLoop, teardown: () => {} }, budget);
  const getppid = timeOperation('ffi/getppid', {
    ops: LOOP_CALLS, setup: () => LOOP_CALLS, measure: getppidLoop, teardown: () => {},
  }, budget);
  return { labsNs: labs.median, getppidNs: getppid.median, loopCalls: LOOP_CALLS };
}
