/**
 * How fast the CPU this run got was, sampled through the run. On a shared host (a cloud VM) the
 * speed of the same user-space loop can jump by 40% from one second to the next, because another
 * tenant shares the physical core; no pinning inside the guest prevents that, and every absolute
 * latency of the run moves with it. The meter times a short loop of koffi labs() calls (no kernel
 * entry, no memory traffic) before every point, so the run records how much the machine itself
 * moved while it measured, and a reader can tell host noise from a kernel's change.
 */
import { raw } from '../sys/libc.js';
import { quantile } from '../stats/describe.js';
import type { HostSpeed } from '../results/schema.js';

const LOOP_CALLS = 8192;
/** The short meters read before every timed iteration: about 10 µs and 20-40 µs here. */
const ITERATION_LABS_CALLS = 256;
const ITERATION_GETPPID_CALLS = 16;

/** One reading: ns per labs() call over a short loop, after one untimed loop that warms it. */
export function readHostSpeed(): number {
  timeLabsLoop(LOOP_CALLS);
  return timeLabsLoop(LOOP_CALLS);
}

/** A short labs() loop, read before a timed iteration: how fast the CPU is right now. */
export function readHostMeter(): number {
  return timeLabsLoop(ITERATION_LABS_CALLS);
}

/** A short getppid() loop, read before a timed iteration: how fast a kernel entry is right now. */
export function readCallMeter(): number {
  const getppid = raw.getppid;
  let failures = 0;
  const t0 = performance.now();
  for (let i = 0; i < ITERATION_GETPPID_CALLS; i++) if (getppid() < 0) failures++;
  const ns = ((performance.now() - t0) * 1e6) / ITERATION_GETPPID_CALLS;
  if (failures) throw new Error('getppid failed');
  return ns;
}

function timeLabsLoop(calls: number): number {
  const labs = raw.labs;
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) sum += labs(-i);
  const ns = ((performance.now() - t0) * 1e6) / calls;
  if (sum < 0) throw new Error('labs returned a negative sum');
  return ns;
}

export class HostSpeedMeter {
  private readonly readings: number[] = [];

  sample(): void {
    this.readings.push(readHostSpeed());
  }

  /** The readings so far, summarised; null before the first. */
  summary(): HostSpeed | null {
    if (this.readings.length === 0) return null;
    const s = [...this.readings].sort((a, b) => a - b);
    const p10 = quantile(s, 0.1);
    const p90 = quantile(s, 0.9);
    return {
      meter: 'labs',
      loopCalls: LOOP_CALLS,
      samples: s.length,
      minNs: s[0]!,
      p10Ns: p10,
      medianNs: quantile(s, 0.5),
      p90Ns: p90,
      maxNs: s[s.length - 1]!,
      spreadPercent: 100 * (p90 / p10 - 1),
    };
  }
}
