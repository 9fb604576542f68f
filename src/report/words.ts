/**
 * How the report and the console put a comparison with prot-none, a footprint and the host's speed
 * in words, the same way everywhere. Pure functions of analysis results.
 */
import type { HostSpeed, Row, Run } from '../results/schema.js';
import { withinNoise, type BatchingAccount, type Gain } from '../analysis/gains.js';
import { hostMoved } from '../analysis/host-speed.js';
import { vmaBalance } from '../analysis/environment.js';
import { describePoint, formatRatio, formatValue } from '../render/format.js';
import { formatNs } from './figures.js';

/** "3.24 µs/guard", "4.8 ms/fork", "32,767 count": times in the unit their size calls for. */
export function figure(row: Row): string {
  if (row.value !== null && row.unit.startsWith('ns/')) return `${formatNs(row.value)}/${row.unit.slice(3)}`;
  return formatValue(row.value, row.unit);
}

/** Shorter form for table cells: "19x faster ±4.6%", "3.3x slower ±2.0%", "≈ same (1.08x ±9.0%)". */
export function gainCell(gain: Gain): string {
  const u = `±${gain.speedupRme.toFixed(1)}%`;
  if (withinNoise(gain)) return `≈ same (${formatRatio(gain.speedup)} ${u})`;
  return gain.speedup >= 1 ? `${formatRatio(gain.speedup)} faster ${u}` : `${formatRatio(1 / gain.speedup)} slower ${u}`;
}

/** Shortest form, beside the figure in the headline table: "19x faster", "3.3x slower", "≈ prot-none". */
export function gainShort(gain: Gain): string {
  if (withinNoise(gain)) return '≈ prot-none';
  return gain.speedup >= 1 ? `${formatRatio(gain.speedup)} faster` : `${formatRatio(1 / gain.speedup)} slower`;
}

/** "13x less", "10x more" for memory beside prot-none's; null where a ratio says nothing (either is zero or below). */
export function ratioShort(value: number, base: number): string | null {
  if (value <= 0 || base <= 0) return null;
  if (value === base) return 'the same';
  return value < base ? `${formatRatio(base / value)} less` : `${formatRatio(value / base)} more`;
}

/** What the host's speed did during the run, with a warning when it moved enough to matter. */
export function describeHostSpeed(hs: HostSpeed): string {
  const range = `${hs.p10Ns.toFixed(0)}-${hs.p90Ns.toFixed(0)} ns (p10-p90 of ${hs.samples} readings, median ${hs.medianNs.toFixed(0)})`;
  if (!hostMoved(hs)) return `a koffi labs() call took ${range}; the CPU held its speed through the run.`;
  return `a koffi labs() call took ${range}: the CPU this run got varied by ${hs.spreadPercent.toFixed(0)}% `
    + '(on a shared host, other tenants\' load does this), and every absolute latency here carries noise of that order. '
    + 'Compare such runs against a baseline of several runs, or rerun on a quiet machine.';
}

/** Whether the workloads released every mapping they made, in a sentence; null for runs that did not count. */
export function vmaBalanceSentence(run: Run): string | null {
  const b = vmaBalance(run);
  if (!b) return null;
  const heap = b.heapPages === null ? '' : `; V8's heap grew by ${b.heapPages} pages of 256 KiB, a VMA each`;
  const counts = `Process VMAs: ${b.start} before the first point, ${b.end} after the last (${b.delta >= 0 ? '+' : ''}${b.delta}${heap})`;
  return b.balanced
    ? `${counts}: every mapping the workloads made was released${b.heapPages === null ? " (Node's own heap accounts for dozens either way)" : ''}.`
    : `${counts}: more than Node's own heap explains; a workload may have left mappings behind.`;
}

/** How much of batching's speed-up the price of a call explains, in one sentence. */
export function batchingSentence(b: BatchingAccount): string {
  return `Batching ${b.batch} guards per call (${b.workload}, ${describePoint(b.point, Object.keys(b.point))}) is ${formatRatio(b.speedup)} `
    + `faster than one madvise() per guard; without the per-call price it would still be ${formatRatio(b.speedupWithoutCallPrice)}, `
    + `so the call price explains ${(100 * b.callPriceShare).toFixed(0)}% of the speed-up (on a log scale) and kernel work saved per guard the rest.`;
}
