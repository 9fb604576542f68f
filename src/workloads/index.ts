/** The workload registry: adding a workload is one file and one line here. */
import threadStacks from './thread-stacks.js';
import allocatorArenas from './allocator-arenas.js';
import madviseBatches from './madvise-batches.js';
import teardown from './teardown.js';
import fork from './fork.js';
import ceiling from './ceiling.js';
import scaling from './scaling.js';
import detect from './detect.js';
import loaderGap from './loader-gap.js';
import ringBuffers from './ring-buffers.js';
import type { Workload } from './types.js';

export const WORKLOADS: readonly Workload[] = [threadStacks, allocatorArenas, madviseBatches, teardown, fork, ceiling, scaling, detect, loaderGap, ringBuffers];

export function workloadByName(name: string): Workload | undefined {
  return WORKLOADS.find((w) => w.name === name);
}
