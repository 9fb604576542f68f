/**
 * fork: fork() + _exit() + waitpid of a process holding N guarded regions. fork copies every VMA
 * (PROT_NONE: 2N - 1 for the arena) and, for VMAs with anonymous memory or guard markers, their
 * page tables (markers: a PTE page per 2 MiB the guards span). The child is glibc clone() running
 * libc _exit on a stack of ours, since a forked child cannot run JavaScript; no-guard maps the
 * same arena without guards, so its figure is fork's cost for the rest of this Node process.
 */
import type { MemoryKind } from '../sys/memory.js';
import { Children } from '../sys/children.js';
import { count, defineWorkload, kernelMemory, latency, type MetricSpec } from './types.js';
import { MEMORY_DEFAULT, arenaLayoutProblem, guardedArena, recordArenaFootprint, unmapArena, type ArenaLayout } from './arena.js';
import { skippedForMapCount } from './headroom.js';

interface ForkParams extends ArenaLayout {
  [key: string]: number | string;
  memory: MemoryKind;
}

const METRICS: readonly MetricSpec[] = [
  latency('fork', 'ns/fork', 'clone(SIGCHLD) of this process, the child _exit(0)s, waitpid reaps it', { answers: 'fork' }),
  count('vma_delta', 'count', 'lower', 'VMAs the guards add, which every fork copies', { answers: 'fork', footprint: 'vmas', label: 'VMAs added' }),
  kernelMemory('page_table_bytes', 'page tables', 'bytes/region', 'process', 'page-table bytes (VmPTE) the guards add, which every fork copies'),
];

export default defineWorkload<ForkParams>({
  name: 'fork',
  description: 'fork + _exit + waitpid of a process holding N guarded regions: VMA copying against page-table copying',
  positiveAxes: ['regions', 'slotBytes', 'guardBytes'],
  sizeAxes: ['regions'],
  axisDefaults: MEMORY_DEFAULT,
  questions: [{ id: 'fork', text: 'What does fork cost a process that holds many guards?' }],
  metrics: METRICS,
  validate: arenaLayoutProblem,
  run(ctx) {
    const layout: ArenaLayout = ctx.params;
    if (skippedForMapCount(ctx, layout.regions, METRICS)) return;
    const children = new Children();
    try {
      const arena = guardedArena(layout, ctx.strategy);
      try {
        ctx.time('fork', {
          ops: 1,
          setup: () => null,
          measure: () => {
            const exit = children.run('_exit', 0);
            if (exit.code !== 0) throw new Error(`forked child ended with ${exit.signal !== null ? `signal ${exit.signal}` : `exit ${exit.code}`}`);
          },
          teardown: () => {},
        });
      } finally {
        unmapArena(arena);
      }
    } finally {
      children.release();
    }
    if (ctx.countsWanted) recordArenaFootprint(ctx, layout, undefined, ['vma_delta', 'page_table_bytes']);
  },
});
