/**
 * What differs between the machines and setups of two runs, and what each difference does to the
 * figures. A kernel difference is the point of a regression comparison, but it is still said.
 */
import { V8_HEAP_PAGE_BYTES, type Run } from '../results/schema.js';

export interface EnvDifference {
  field: string;
  base: string;
  current: string;
  /** what the difference does to the figures */
  matters: string;
}

const ENV_FIELDS: { field: string; get: (run: Run) => string; matters: string }[] = [
  { field: 'kernel', get: (r) => r.env.kernel.release, matters: 'the change being measured, or a confounder if unintended' },
  { field: 'cpu model', get: (r) => r.env.cpu.model, matters: 'system-call and page-fault costs differ per CPU' },
  { field: 'cpu count', get: (r) => String(r.env.cpu.count), matters: 'scheduling noise and lock contention differ' },
  { field: 'machine', get: (r) => r.env.kernel.machine, matters: 'a different architecture' },
  { field: 'profile', get: (r) => r.profile, matters: 'different sampling budget and parameter points' },
  { field: 'page size', get: (r) => String(r.env.pageSize), matters: 'guards and page tables are counted in pages' },
  { field: 'THP mode', get: (r) => r.env.thp, matters: 'huge pages change page-table bytes and fault costs' },
  { field: 'libc', get: (r) => r.env.libc, matters: 'thread-stack and allocator behaviour come from libc' },
  { field: 'node', get: (r) => r.env.node, matters: 'the FFI floor added to every system call' },
  { field: 'koffi', get: (r) => r.env.koffi, matters: 'the FFI floor added to every system call' },
  { field: 'root', get: (r) => String(r.env.root), matters: 'slab figures need root to read /proc/slabinfo' },
];

export function environmentDifferences(base: Run, current: Run): EnvDifference[] {
  const diffs: EnvDifference[] = [];
  for (const f of ENV_FIELDS) {
    const b = f.get(base);
    const c = f.get(current);
    if (b !== c) diffs.push({ field: f.field, base: b, current: c, matters: f.matters });
  }
  const bf: Record<string, unknown> = base.env.features;
  const cf: Record<string, unknown> = current.env.features;
  for (const name of new Set([...Object.keys(bf), ...Object.keys(cf)])) {
    const b = String(bf[name] ?? 'absent');
    const c = String(cf[name] ?? 'absent');
    if (b !== c) diffs.push({ field: `feature ${name}`, base: b, current: c, matters: 'strategies and checks that depend on it run differently or not at all' });
  }
  return diffs;
}

/**
 * VMAs the rest of Node (malloc arenas, thread stacks, large V8 objects) maps and unmaps in a run;
 * a larger change that V8's paged heap does not account for is ours. Runs that did not record the
 * heap get the slack the young generation's growth needs as well (~100 VMAs here).
 */
export const VMA_BALANCE_SLACK = 40;
const VMA_BALANCE_SLACK_WITHOUT_HEAP = 100;

export interface VmaBalance {
  start: number;
  end: number;
  delta: number;
  /** VMAs V8's paged heap added over the run (a 256 KiB page each); null when the run did not record it */
  heapPages: number | null;
  balanced: boolean;
}

/** The process's VMA count before the first point and after the last; null for runs from before it was recorded. */
export function vmaBalance(run: Run): VmaBalance | null {
  const { vmaCountAtStart: start, vmaCountAtEnd: end, v8HeapBytesAtStart: heapStart, v8HeapBytesAtEnd: heapEnd } = run.env;
  if (typeof start !== 'number' || typeof end !== 'number') return null;
  const delta = end - start;
  if (heapStart === undefined || heapEnd === undefined) {
    return { start, end, delta, heapPages: null, balanced: Math.abs(delta) <= VMA_BALANCE_SLACK_WITHOUT_HEAP };
  }
  const heapPages = Math.round((heapEnd - heapStart) / V8_HEAP_PAGE_BYTES);
  return { start, end, delta, heapPages, balanced: Math.abs(delta - heapPages) <= VMA_BALANCE_SLACK };
}
