/** The workload registry: adding a workload is one file and one line here. */
import threadStacks from './thread-stacks.js';
import allocatorArenas from './allocator-arenas.js';
import madviseBatches from './madvise-batches.js';
import type { Workload } from './types.js';

export const WORKLOADS: readonly Workload[] = [threadStacks, allocatorArenas, madviseBatches];

export function workloadByName(name: string): Workload | undefined {
  return WORKLOADS.find((w) => w.name === name);
}
