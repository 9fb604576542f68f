/**
 * The memory a set of guards costs, sampled outside any timed region: VMAs over the guarded span,
 * the VMA slab caches (system-wide, so only large deltas mean anything) and page-table bytes.
 */
import { countVmasIn, type Span } from './vmas.js';
import { readVmaSlab, type SlabReading } from './slab.js';
import { pageTableBytes } from './status.js';

export type { Span };

const SETTLE_MS = 60;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * VMAs and maple nodes are freed after an RCU grace period, so slab counts lag the truth: right
 * after 4096 mprotect splits, maple_node held ~9000 objects (every replaced node awaiting its grace
 * period); 500 ms later, ~650 (12.6 VMAs per node, as the tree's fan-out predicts). A munmap just
 * before a "before" sample shows up the same way, as negative bytes. So every sample waits first,
 * and keeps waiting (up to SETTLE_MAX_ROUNDS windows) while the VMA caches still move by more than
 * the noise floor: on this busy 2-CPU host grace periods outlasted one window, and a PROT_NONE
 * arena read -569 B of slab per guard (-3.7 maple nodes per guard freed under it) instead of ~420.
 */
const SETTLE_MAX_ROUNDS = 10;

function settleDeferredFrees(): void {
  let last = readVmaSlab();
  for (let round = 0; round < SETTLE_MAX_ROUNDS; round++) {
    Atomics.wait(sleeper, 0, 0, SETTLE_MS);
    const now = readVmaSlab();
    if (!last.ok || !now.ok || Math.abs(now.sample.bytes - last.sample.bytes) < SLAB_NOISE_FLOOR_BYTES) return;
    last = now;
  }
}

export interface FootprintSample {
  vmas: number;
  slab: SlabReading;
  pageTableBytes: number | null;
}

/**
 * Page tables and slab first, VMAs last: reading a maps file of 30k lines allocates megabytes in
 * this process, whose page tables would otherwise land in the figure.
 */
export function sampleFootprint(span: Span): FootprintSample {
  settleDeferredFrees();
  const pte = pageTableBytes();
  const slab = readVmaSlab();
  return { vmas: countVmasIn(span.start, span.end), slab, pageTableBytes: pte };
}

/**
 * How much the counters move on their own while a footprint is sampled, in bytes of the whole
 * counter: VmPTE counts this whole process, whose runtime (V8's heap, koffi) may map and touch
 * memory meanwhile, a page-table page at a time; the VMA slab caches count the whole system and
 * move in whole slabs as other processes map and unmap (on a busy machine by megabytes within one
 * settling window: a prot-none arena once read 40 B of slab per guard instead of 417). A figure per
 * region resolves only these divided by the regions it is spread over; compare never calls a
 * smaller change a regression.
 */
const PAGE_TABLE_NOISE_BYTES = 4 * 4096;
const SLAB_NOISE_FLOOR_BYTES = 16 * 4096;
/** Quiet windows read at first to see how far the slab caches drift with nothing of ours going on. */
const SLAB_DRIFT_WINDOWS = 3;
/** Read the drift again when the last reading is older than this: other processes' load comes and goes. */
const SLAB_DRIFT_MAX_AGE_MS = 3000;
/** The drifts remembered (the newest last). */
const SLAB_DRIFT_MEMORY = 5;

const drifts: number[] = [];
let driftReadAt = -Infinity;

function readSlabDrift(): number | null {
  const a = readVmaSlab();
  settleDeferredFrees();
  const b = readVmaSlab();
  return a.ok && b.ok ? Math.abs(b.sample.bytes - a.sample.bytes) : null;
}

/**
 * The slab caches' own drift over a settling window with nothing of ours happening, read at the
 * first footprint and again whenever the last reading is a few seconds old: three times the
 * largest of the recent ones, never less than the floor. What other processes make of this machine
 * while it measures.
 */
function slabNoiseBytes(): number {
  if (performance.now() - driftReadAt > SLAB_DRIFT_MAX_AGE_MS) {
    for (let i = drifts.length === 0 ? SLAB_DRIFT_WINDOWS : 1; i > 0; i--) {
      const d = readSlabDrift();
      if (d !== null) drifts.push(d);
    }
    drifts.splice(0, Math.max(0, drifts.length - SLAB_DRIFT_MEMORY));
    driftReadAt = performance.now();
  }
  return Math.max(SLAB_NOISE_FLOOR_BYTES, 3 * Math.max(0, ...drifts));
}

/** The resolution of each per-region figure of a footprint sampled over `regions` regions. */
export function footprintResolution(regions: number): { slabBytes: number; pageTableBytes: number } {
  return { slabBytes: slabNoiseBytes() / regions, pageTableBytes: PAGE_TABLE_NOISE_BYTES / regions };
}

export interface FootprintDelta {
  vmaDelta: number;
  /** slab bytes added, or the reason there is no figure */
  slabBytes: number | { reason: string };
  /** objects each VMA cache gained (vm_area_struct, maple_node, vma_lock where slabinfo lists it) */
  slabObjects: Record<string, number>;
  pageTableBytes: number | { reason: string };
}

/** Objects each cache listed in both samples gained between them. */
function slabObjectsDelta(before: SlabReading, after: SlabReading): Record<string, number> {
  if (!before.ok || !after.ok) return {};
  const out: Record<string, number> = {};
  for (const [name, line] of Object.entries(after.sample.perCache)) {
    const was = before.sample.perCache[name];
    if (was) out[name] = line.activeObjs - was.activeObjs;
  }
  return out;
}

export function footprintDelta(before: FootprintSample, after: FootprintSample): FootprintDelta {
  const slabBytes = before.slab.ok && after.slab.ok
    ? after.slab.sample.bytes - before.slab.sample.bytes
    : { reason: before.slab.ok ? (after.slab as { reason: string }).reason : before.slab.reason };
  const pageTableBytes = before.pageTableBytes !== null && after.pageTableBytes !== null
    ? after.pageTableBytes - before.pageTableBytes
    : { reason: 'VmPTE missing from /proc/self/status' };
  return { vmaDelta: after.vmas - before.vmas, slabBytes, slabObjects: slabObjectsDelta(before.slab, after.slab), pageTableBytes };
}

/** The slab figure of a footprint spread over `units`: bytes per unit, with what a row records beside it. */
export interface SlabPerUnit {
  value: number | { reason: string };
  extra: {
    resolution: number;
    /** objects per unit each VMA cache gained (what explains the bytes between kernels) */
    slabObjects?: Record<string, number>;
  };
}

export function slabPerUnit(delta: FootprintDelta, units: number, resolution: number): SlabPerUnit {
  if (typeof delta.slabBytes !== 'number') return { value: delta.slabBytes, extra: { resolution } };
  const objects = Object.entries(delta.slabObjects).map(([name, n]) => [name, n / units] as const);
  return { value: delta.slabBytes / units, extra: { resolution, ...(objects.length > 0 ? { slabObjects: Object.fromEntries(objects) } : {}) } };
}
