/**
 * Whether two runs' latencies can be set against each other. Latencies belong to a machine and a
 * kernel together: two hosts of one cloud instance type ran the same kernel 2-5x apart, and an
 * emulated CPU (QEMU TCG) runs 7-17x slower and noisier still. So latencies are compared only
 * within one testbed, and settings that changed between two runs of one testbed (mitigations, the
 * kernel command line, THP, cpufreq) are named beside every verdict they could explain. Counts and
 * bytes are exact on any machine and are compared across testbeds.
 */
import type { MetricKind, Run, Testbed } from '../results/schema.js';
import { hostShiftPercent, hostSpeedOf, HOST_SHIFT_WARN_PERCENT } from './host-speed.js';

export type LatencyComparability = { comparable: true; warning?: string } | { comparable: false; reason: string };

function describe(t: Testbed): string {
  return t.name;
}

/**
 * Can latencies of `base` and `current` be compared? `assumeSame` is the user's word that two runs
 * recorded without a testbed (older runs) come from one machine.
 */
export function latencyComparability(base: Run, current: Run, assumeSame = false): LatencyComparability {
  const b = base.env.testbed;
  const c = current.env.testbed;
  if (b?.identity.emulated || c?.identity.emulated) {
    return { comparable: false, reason: 'emulated CPU (QEMU TCG): its latencies are no benchmark' };
  }
  if (!b || !c) {
    if (assumeSame) return { comparable: true, warning: 'the runs record no testbed; their latencies are compared because --same-testbed says they come from one machine' };
    const which = !b && !c ? 'neither run records' : !b ? 'the base run does not record' : 'the current run does not record';
    return { comparable: false, reason: `${which} its testbed (made before guardbench recorded testbeds); pass --same-testbed if both come from one machine` };
  }
  if (b.name !== c.name) return { comparable: false, reason: `different testbeds: ${describe(b)} and ${describe(c)}` };
  if (b.fingerprint !== c.fingerprint) {
    return { comparable: true, warning: `testbed ${b.name} is named in both runs, but its hardware fingerprint changed (${b.fingerprint} → ${c.fingerprint})` };
  }
  return { comparable: true };
}

export interface Confounder {
  field: string;
  base: string;
  current: string;
  /** the kinds of figure the difference can move */
  affects: readonly MetricKind[];
}

const TIMED: readonly MetricKind[] = ['latency', 'throughput'];

/** Settings that differ between two runs of one testbed and could explain a change. */
export function confounders(base: Run, current: Run): Confounder[] {
  const b = base.env.testbed?.confounders;
  const c = current.env.testbed?.confounders;
  const out: Confounder[] = [];
  if (b && c) {
    const add = (field: string, x: string | null, y: string | null, affects: readonly MetricKind[]) => {
      if ((x ?? 'unknown') !== (y ?? 'unknown')) out.push({ field, base: x ?? 'unknown', current: y ?? 'unknown', affects });
    };
    add('kernel command line', b.cmdline, c.cmdline, ['latency', 'throughput', 'bytes', 'count']);
    for (const name of new Set([...Object.keys(b.mitigations), ...Object.keys(c.mitigations)])) {
      add(`mitigation ${name}`, b.mitigations[name] ?? null, c.mitigations[name] ?? null, TIMED);
    }
    // Huge pages change which page tables exist as well as what faults cost.
    add('THP', b.thp, c.thp, ['latency', 'throughput', 'bytes']);
    add('cpufreq governor', b.governor, c.governor, TIMED);
    add('cpufreq boost', b.boost, c.boost, TIMED);
  }
  const hb = hostSpeedOf(base);
  const hc = hostSpeedOf(current);
  if (hb && hc && Math.abs(hostShiftPercent(hb, hc)) > HOST_SHIFT_WARN_PERCENT) {
    out.push({ field: 'host speed (koffi labs() ns)', base: hb.medianNs.toFixed(0), current: hc.medianNs.toFixed(0), affects: TIMED });
  }
  return out;
}
