/**
 * Which CPUs this process's threads may run on. Freeing a page table costs more when other CPUs
 * may cache it (each must be told), and the kernel only has to tell the CPUs the process has run
 * on: confining every thread of the process (Node's own included) to one CPU is how a workload
 * measures the cost without that.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { SysError, lastErrno, raw } from './libc.js';

/** The CPUs this process may run on (Cpus_allowed_list). */
export function allowedCpus(): number[] {
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'latin1'));
  if (!m) return [0];
  return m[1]!.split(',').flatMap((part) => {
    const [lo, hi] = part.split('-').map(Number);
    return Array.from({ length: (hi ?? lo!) - lo! + 1 }, (_, i) => lo! + i);
  });
}

function maskOf(cpus: readonly number[]): Buffer {
  const mask = Buffer.alloc(128);
  for (const cpu of cpus) mask[cpu >> 3]! |= 1 << (cpu & 7);
  return mask;
}

/** Set the CPUs one thread (0: the calling one) may run on. */
export function setThreadAffinity(tid: number, cpus: readonly number[]): void {
  const mask = maskOf(cpus);
  if (raw.schedSetaffinity(tid, mask.length, mask) !== 0) throw new SysError('sched_setaffinity', [tid, cpus.join(',')], lastErrno());
}

/**
 * Confine every thread of this process to `cpus`; returns the function that lets them run on all
 * the CPUs they were allowed before. Threads started meanwhile inherit the creating thread's set.
 */
export function allThreadsOn(cpus: readonly number[]): () => void {
  const before = allowedCpus();
  const apply = (set: readonly number[]) => {
    for (const tid of readdirSync('/proc/self/task').map(Number)) {
      try {
        setThreadAffinity(tid, set);
      } catch (e) {
        // A thread that ended between the listing and the call has nothing left to confine.
        if (!(e instanceof SysError) || !/ESRCH/.test(e.message)) throw e;
      }
    }
  };
  apply(cpus);
  return () => apply(before);
}
