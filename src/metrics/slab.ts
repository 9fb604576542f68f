/**
 * Kernel memory spent on VMAs, from /proc/slabinfo: the vm_area_struct cache plus the maple tree
 * nodes that index VMAs. slabinfo is system-wide and readable by root only, so the figure is a delta
 * around a large setup, divided per region, and null with a reason when it cannot be read.
 */
import { readFileSync } from 'node:fs';

export const VMA_SLAB_CACHES = ['vm_area_struct', 'maple_node'] as const;

export interface SlabSample {
  /** active objects x object size, summed over the VMA caches */
  bytes: number;
  perCache: Record<string, { activeObjs: number; objSize: number }>;
}

export type SlabReading = { ok: true; sample: SlabSample } | { ok: false; reason: string };

export function readVmaSlab(): SlabReading {
  let text: string;
  try {
    text = readFileSync('/proc/slabinfo', 'latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'EACCES' ? '/proc/slabinfo is readable by root only' : `/proc/slabinfo: ${code}` };
  }
  const perCache: SlabSample['perCache'] = {};
  let bytes = 0;
  for (const line of text.split('\n')) {
    const [name, active, , size] = line.split(/\s+/);
    if (!name || !(VMA_SLAB_CACHES as readonly string[]).includes(name)) continue;
    const activeObjs = Number(active);
    const objSize = Number(size);
    perCache[name] = { activeObjs, objSize };
    bytes += activeObjs * objSize;
  }
  if (!perCache.vm_area_struct) return { ok: false, reason: 'no vm_area_struct cache in /proc/slabinfo (merged slab caches?)' };
  return { ok: true, sample: { bytes, perCache } };
}
