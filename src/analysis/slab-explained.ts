/**
 * The kernel memory a guard costs, by slab cache: a vma_slab_bytes row's objects per unit
 * (slabObjects) times each cache's object size on that kernel (env.slabCaches). Between two
 * kernels this says which cache moved the figure and by how much: an object that grew, a cache
 * that appeared or went (vma_lock, apart from the VMA from 6.4 until it moved back inside: gone by 6.16), or more objects per guard.
 */
import type { Row, Run, SlabCache } from '../results/schema.js';

export interface CacheShare {
  cache: string;
  /** objects of this cache per unit (guard, stack, library) */
  objects: number;
  objSize: number;
  /** objects x object size */
  bytes: number;
}

/** A vma_slab_bytes row taken apart by cache; null when the run did not record the parts. */
export function slabShares(run: Run, row: Row): CacheShare[] | null {
  const caches = run.env.slabCaches;
  if (!caches || !row.slabObjects || row.status !== 'ok') return null;
  return Object.entries(row.slabObjects).filter(([name]) => caches[name]).map(([cache, objects]) => {
    const objSize = caches[cache]!.objSize;
    return { cache, objects, objSize, bytes: objects * objSize };
  });
}

/**
 * A report's note on what one workload's VMA slab bytes are made of, per strategy at its first
 * point with the parts recorded: "prot-none: 420 B per region = vm_area_struct 1.99 x 192 B +
 * maple_node 0.15 x 256 B (+ vma_lock 1.99 x 40 B, not in the figure)".
 */
export function slabNotes(run: Run, rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const row of rows) {
    // A figure within its counter's noise (markers, the floor) has no parts worth naming.
    if (row.metric !== 'vma_slab_bytes' || seen.has(row.strategy) || Math.abs(row.value ?? 0) <= (row.resolution ?? 0)) continue;
    const shares = slabShares(run, row);
    if (!shares || shares.length === 0 || row.value === null) continue;
    seen.add(row.strategy);
    const part = (s: CacheShare) => `${s.cache} ${s.objects.toFixed(2)} × ${s.objSize} B`;
    const summed = shares.filter((s) => s.cache !== 'vma_lock');
    const lock = shares.find((s) => s.cache === 'vma_lock');
    const per = row.unit.includes('/') ? ` per ${row.unit.slice(row.unit.indexOf('/') + 1)}` : '';
    out.push(`VMA slab, ${row.strategy}: ${row.value.toFixed(0)} B${per} = ${summed.map(part).join(' + ')}${lock ? ` (and ${part(lock)}, not in the figure)` : ''}`);
  }
  return out;
}

export interface CacheChange {
  cache: string;
  /** what changed in the cache between the two kernels, in words */
  what: string;
  /** what the change is worth per unit of the figure, at the newer kernel's objects per unit */
  bytesPerUnit: number | null;
}

function layoutWords(name: string, a: SlabCache | undefined, b: SlabCache | undefined): string | null {
  if (a && !b) return `${name} no longer listed in slabinfo (gone, or merged into another cache)`;
  if (!a && b) return `${name} listed from here (${b.objSize} B objects)`;
  if (!a || !b) return null;
  const parts: string[] = [];
  if (a.objSize !== b.objSize) parts.push(`object size ${a.objSize} → ${b.objSize} B`);
  if (a.objsPerSlab !== b.objsPerSlab || a.pagesPerSlab !== b.pagesPerSlab) parts.push(`${a.objsPerSlab} → ${b.objsPerSlab} objects per ${b.pagesPerSlab}-page slab`);
  return parts.length ? `${name} ${parts.join(', ')}` : null;
}

/**
 * What moved between two kernels' VMA caches, as each kernel's slabinfo lays them out, priced per
 * unit with the objects the newer kernel's row (or, for a cache that went, the older's) counted.
 */
export function cacheChanges(before: Run, after: Run, beforeRow: Row | undefined, afterRow: Row | undefined): CacheChange[] {
  const a = before.env.slabCaches;
  const b = after.env.slabCaches;
  if (!a || !b) return [];
  const out: CacheChange[] = [];
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const what = layoutWords(name, a[name], b[name]);
    if (!what) continue;
    const objects = afterRow?.slabObjects?.[name] ?? beforeRow?.slabObjects?.[name];
    const sizeNow = b[name]?.objSize ?? 0;
    const sizeThen = a[name]?.objSize ?? 0;
    out.push({ cache: name, what, bytesPerUnit: objects === undefined ? null : objects * (sizeNow - sizeThen) });
  }
  return out;
}
