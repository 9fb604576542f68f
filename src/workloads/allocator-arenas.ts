/**
 * allocator-arenas: what a hardened allocator does with its slot pool. One arena of `regions` slots,
 * a guard after each; `churn` guards are then cycled (removed as if an allocation grew into them,
 * re-installed when it is freed), and the arena is unmapped.
 */
import type { MemoryKind } from '../sys/memory.js';
import { count, defineWorkload, kernelMemory, latency } from './types.js';
import {
  MEMORY_DEFAULT, arenaLayoutProblem, prepareArena, recordArenaFootprint, releaseArena, timeArenaTeardown, timeInstall, type ArenaLayout,
} from './arena.js';
import { guardRanges } from '../strategies/index.js';

interface ArenaParams extends ArenaLayout {
  [key: string]: number | string;
  memory: MemoryKind;
  /** guards removed and re-installed per iteration, spread over the arena (0: no churn) */
  churn: number;
}

/** Every k-th guard of the arena, `count` of them. */
function spreadSubset(addrs: Float64Array, count: number): Float64Array {
  const step = Math.max(1, Math.floor(addrs.length / count));
  const out = new Float64Array(Math.min(count, addrs.length));
  for (let i = 0; i < out.length; i++) out[i] = addrs[i * step]!;
  return out;
}

export default defineWorkload<ArenaParams>({
  name: 'allocator-arenas',
  description: 'one arena of slots with a guard after each, as hardened allocators build their pools',
  positiveAxes: ['regions', 'slotBytes', 'guardBytes'],
  sizeAxes: ['regions'],
  axisDefaults: MEMORY_DEFAULT,
  questions: [
    { id: 'install', text: 'What does guarding every slot of a fresh arena cost?' },
    { id: 'churn', text: 'What does freeing a slot and guarding it again cost?' },
    { id: 'free', text: 'What does unmapping a guarded arena cost?' },
    { id: 'footprint', text: 'How many VMAs and how much kernel memory do the guards cost?' },
  ],
  metrics: [
    latency('install', 'ns/guard', 'install every guard of a fresh arena', { answers: 'install' }),
    latency('churn', 'ns/op', 'remove one guard and install it again', { answers: 'churn' }),
    latency('teardown', 'ns/region', 'munmap the guarded arena', { answers: 'free' }),
    count('vma_delta', 'count', 'lower', 'VMAs the guards add to the arena', { answers: 'footprint', footprint: 'vmas', label: 'VMAs added' }),
    kernelMemory('vma_slab_bytes', 'VMA slab', 'bytes/region', 'system', 'vm_area_struct + maple_node slab bytes added'),
    kernelMemory('page_table_bytes', 'page tables', 'bytes/region', 'process', 'page-table bytes (VmPTE) added'),
  ],
  validate(p) {
    const layoutProblem = arenaLayoutProblem(p);
    if (layoutProblem) return layoutProblem;
    if (p.churn < 0 || !Number.isInteger(p.churn)) return `churn must be a non-negative integer, got ${p.churn}`;
    return null;
  },
  run(ctx) {
    const layout: ArenaLayout = ctx.params;
    const { strategy } = ctx;
    if (strategy.guards) timeInstall(ctx, layout, undefined, 'teardown');
    else {
      ctx.skip('install', 'no-guard installs no guards');
      timeArenaTeardown(ctx, 'teardown', layout, strategy);
    }

    if (!strategy.guards) ctx.skip('churn', 'no-guard has no guards to cycle');
    else if (ctx.params.churn === 0) ctx.skip('churn', 'churn=0');
    else {
      // One guarded arena serves every churn iteration: remove + install returns it to where it was.
      const arena = prepareArena(layout, strategy);
      try {
        strategy.install(arena.prepared);
        const cycled = strategy.prepare(guardRanges(spreadSubset(arena.arena.guards.addrs, ctx.params.churn), layout.guardBytes));
        try {
          ctx.time('churn', {
            ops: cycled.ranges.addrs.length,
            setup: () => cycled,
            measure: (c) => {
              strategy.remove(c);
              strategy.install(c);
            },
            teardown: () => {},
          });
        } finally {
          cycled.release();
        }
      } finally {
        releaseArena(arena);
      }
    }

    recordArenaFootprint(ctx, layout);
  },
});
