/**
 * Noise control, as will-it-scale and mmtests do it: pin the measuring thread to one CPU, run with
 * ASLR off (mmap placement then repeats run to run, so page-table layout does too), and record what
 * was and was not controlled so a reader can judge the figures.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { SysError, lastErrno, raw } from '../sys/libc.js';
import { aslrDisabled, disableAslrForChildren } from '../sys/personality.js';
import { UsageError } from '../errors.js';

/**
 * Re-run this command with ASLR off: set ADDR_NO_RANDOMIZE on this process and start the same
 * command again (the personality is inherited across exec); returns the child's exit code. A child
 * that already runs with ASLR off returns null and goes on measuring.
 */
export function reexecWithoutAslr(): number | null {
  if (aslrDisabled()) return null;
  disableAslrForChildren();
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  if (child.error) throw child.error;
  return child.status ?? 128 + (child.signal ? os.constants.signals[child.signal] : 0);
}

/** Parse `--pin CPU`: an online CPU number. */
export function parsePinCpu(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--pin: '${text}' is not a CPU number`);
  const cpu = Number(text);
  const count = os.cpus().length;
  if (cpu >= count) throw new UsageError(`--pin: CPU ${cpu} does not exist (this machine has CPUs 0-${count - 1})`);
  return cpu;
}

/** Pin the calling thread (the one that measures) to one CPU. */
export function pinToCpu(cpu: number): void {
  const mask = Buffer.alloc(128);
  mask[cpu >> 3] = 1 << (cpu & 7);
  if (raw.schedSetaffinity(0, mask.length, mask) !== 0) throw new SysError('sched_setaffinity', [0, cpu], lastErrno());
}

/** The 1-minute load average, rounded: recorded before and after measuring. */
export function loadAverage(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}
