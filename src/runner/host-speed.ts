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

/** One reading: ns per labs() call over a short loop, after one untimed loop that warms it. */
export function readHostSpeed(): number {
  timeLabsLoop();
  return timeLabsLoop();
}

function timeLabsLoop(): number {
  const labs = raw.labs;
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < LOOP_CALLS; i++) sum += labs(-i);
  const ns = ((performance.now() - t0) * 1e6) / LOOP_CALLS;
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
