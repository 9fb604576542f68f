/**
 * teardown: what munmap pays for N guarded regions. With markers the arena is one VMA and munmap
 * zaps page tables holding N marker PTEs; with PROT_NONE it is 2N - 1 VMAs, each unlinked from
 * the maple tree and freed. N goes up to near the vm.max_map_count ceiling in the full profile.
 */
import type { MemoryKind } from '../sys/memory.js';
import { countVmasIn } from '../metrics/vmas.js';
import { count, defineWorkload, latency, type MetricSpec } from './types.js';
import { MEMORY_DEFAULT, arenaLayoutProblem, guardedArena, timeArenaTeardown, unmapArena, type ArenaLayout } from './arena.js';
import { skippedForMapCount } from './headroom.js';

interface TeardownParams extends ArenaLayout {
  [key: string]: number | string;
  memory: MemoryKind;
}

const METRICS: readonly MetricSpec[] = [
  latency('teardown', 'ns/region', 'one munmap of the whole guarded arena, per region', { answers: 'free' }),
  count('vmas_unmapped', 'count', 'lower', 'VMAs that munmap removes', { answers: 'free', footprint: 'vmas', label: 'VMAs unmapped' }),
];

export default defineWorkload<TeardownParams>({
  name: 'teardown',
  description: 'munmap of N guarded regions: one mapping holding N markers against N PROT_NONE VMAs',
  positiveAxes: ['regions', 'slotBytes', 'guardBytes'],
  sizeAxes: ['regions'],
  axisDefaults: MEMORY_DEFAULT,
  questions: [{ id: 'free', text: 'What does one munmap of many guarded regions cost?' }],
  metrics: METRICS,
  validate: arenaLayoutProblem,
  run(ctx) {
    const layout: ArenaLayout = ctx.params;
    if (skippedForMapCount(ctx, layout.regions, METRICS)) return;
    timeArenaTeardown(ctx, 'teardown', layout, ctx.strategy);
    if (!ctx.countsWanted) return;
    const arena = guardedArena(layout, ctx.strategy);
    try {
      ctx.record('vmas_unmapped', countVmasIn(arena.base, arena.base + arena.bytes));
    } finally {
      unmapArena(arena);
    }
  },
});
