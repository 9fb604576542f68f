/**
 * How many more VMAs this process may make before vm.max_map_count refuses them: what bounds
 * PROT_NONE guards (each one inside a mapping splits it: +2 VMAs) and not guard markers.
 */
import { readFileSync } from 'node:fs';
import { countVmas } from '../metrics/vmas.js';
import type { MetricSpec, WorkloadContext } from './types.js';

export function maxMapCount(): number | null {
  try {
    return Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8').trim());
  } catch {
    return null;
  }
}

let gates: number | null = null;

/**
 * The gate area ([vsyscall] on x86-64) is listed in maps but is not a VMA of the mm's count. Read
 * once: it never changes, and at the map-count ceiling a read that allocates megabytes must not
 * happen (V8 could not map the memory for it).
 */
function gateAreas(): number {
  if (gates === null) {
    try {
      gates = readFileSync('/proc/self/maps', 'latin1').includes('[vsyscall]') ? 1 : 0;
    } catch {
      gates = 0;
    }
  }
  return gates;
}

/** VMAs the kernel counts against vm.max_map_count for this process now (countVmas maps no memory). */
export function vmasInUse(): number {
  return countVmas() - gateAreas();
}

/**
 * Why `regions` PROT_NONE guards inside one fresh mapping cannot fit under vm.max_map_count here
 * (they need 2 per guard plus the mapping itself), or null when they fit with `slack` to spare.
 */
export function protNoneRoomReason(regions: number, slack = 256): string | null {
  const max = maxMapCount();
  if (max === null) return null;
  const need = 2 * regions + 1;
  const used = vmasInUse();
  if (used + need + slack <= max) return null;
  return `${regions} PROT_NONE guards need ${need} VMAs; this process already has ${used} and vm.max_map_count is ${max}`;
}

/**
 * Under prot-none, record every metric as skipped when `regions` guards cannot fit under
 * vm.max_map_count; returns true when it did, so the workload stops there instead of failing.
 */
export function skippedForMapCount(ctx: WorkloadContext, regions: number, metrics: readonly MetricSpec[]): boolean {
  const reason = ctx.strategy.name === 'prot-none' ? protNoneRoomReason(regions) : null;
  if (reason) for (const m of metrics) ctx.skip(m.metric, reason);
  return reason !== null;
}
