/**
 * scaling: T threads creating and freeing guarded stacks at once, as a busy thread pool does.
 * Every mmap and munmap takes the process's mmap_lock for writing; a PROT_NONE guard (mprotect)
 * takes it for writing too, a marker (madvise) only for reading, so the guard strategies part
 * ways as T grows past the CPUs. Workers are node worker_threads, each with its own koffi
 * bindings, started together at an Atomics barrier (scaling-worker.ts); the main thread waits in
 * Atomics.wait, inside the runner's synchronous point.
 *
 * `cycle` is the wall time of a round of ROUND_OPS create+free per worker, divided by all
 * operations (so 1e9 / cycle is the aggregate rate); `ops_per_s` counts operations in a fixed
 * 100 ms window, as will-it-scale does.
 *
 * Where the stacks lie is an axis (`pageTables`, placement.ts): a marker's cycle costs ~10x more
 * when it must allocate and free its own page tables each time, and a run left to chance landed
 * in either case. Beside the latency the point reports the page-table bytes one cycle allocates
 * and the cross-CPU interrupts per cycle, the two costs a freed page table can bring.
 */
import { readInterrupts } from '../metrics/interrupts.js';
import { pageTableBytes } from '../metrics/status.js';
import { mmap, munmap } from '../sys/libc.js';
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_STACK, PROT_RW } from '../sys/constants.js';
import { guardRanges, type Strategy } from '../strategies/types.js';
import { PAGE_TABLE_PLACEMENTS, placeStacks, type PageTables } from './placement.js';
import { wholePagesProblem } from './arena.js';
import { bytes, count, defineWorkload, latency, throughput } from './types.js';
import { CMD, WorkerPool } from './scaling-pool.js';
import { NUM, STRATEGY_ORDER } from './scaling-protocol.js';

interface ScalingParams {
  [key: string]: number | boolean | string;
  workers: number;
  stackBytes: number;
  guardBytes: number;
  /** pin worker i to the i-th allowed CPU (round robin) */
  pinWorkers: boolean;
  /** whether the stacks' page tables outlive each cycle (shared) or are allocated and freed by it (own) */
  pageTables: PageTables;
}

/** Page-table bytes that one guarded stack at `base` holds while it is mapped (what each cycle allocates and frees). */
function pageTablesPerCycle(strategy: Strategy, base: number, stackBytes: number, guardBytes: number): number | { reason: string } {
  const guard = strategy.prepare(guardRanges([base], guardBytes));
  try {
    const before = pageTableBytes();
    mmap(stackBytes, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_FIXED_NOREPLACE, base);
    try {
      strategy.install(guard);
      const during = pageTableBytes();
      if (before === null || during === null) return { reason: 'VmPTE missing from /proc/self/status' };
      return during - before;
    } finally {
      munmap(base, stackBytes);
    }
  } finally {
    guard.release();
  }
}

const ROUND_OPS = 128;
const TIMED_WINDOW_MS = 100;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export default defineWorkload<ScalingParams>({
  name: 'scaling',
  description: 'T worker threads creating and freeing guarded stacks at once: mmap_lock contention of mprotect against madvise',
  positiveAxes: ['workers', 'stackBytes', 'guardBytes'],
  questions: [
    { id: 'shared', text: 'What does a guarded stack\'s create+free cost beside stacks whose page tables outlive it?', at: { pageTables: 'shared' } },
    { id: 'own', text: 'What does it cost when the stack has page tables of its own?', at: { pageTables: 'own' } },
  ],
  metrics: [
    latency('cycle', 'ns/op', 'wall time per create+free across all workers (1e9/cycle = aggregate ops/s)', { answers: ['shared', 'own'] }),
    throughput('ops_per_s', 'ops/s', 'create+free operations of all workers in a 100 ms window, per second'),
    throughput('ops_per_s_per_worker', 'ops/s', 'ops_per_s divided by the workers'),
    count('cpus', 'count', 'none', 'CPUs the process may run on (workers are spread over them when pinned)'),
    bytes('page_table_bytes_per_op', 'bytes/op', 'process', 'page-table bytes one create+free allocates and frees again'),
    count('ipis_per_op', 'count/op', 'lower', 'cross-CPU function-call interrupts per create+free, system-wide', { noise: 'system' }),
  ],
  validate(p) {
    const pages = wholePagesProblem(p, ['stackBytes', 'guardBytes']);
    if (pages) return pages;
    if (!PAGE_TABLE_PLACEMENTS.includes(p.pageTables)) return `pageTables must be one of ${PAGE_TABLE_PLACEMENTS.join(', ')}, got ${p.pageTables}`;
    return p.guardBytes >= p.stackBytes ? `guardBytes must be smaller than stackBytes, got ${p.guardBytes}` : null;
  },
  run(ctx) {
    const p = ctx.params;
    const pool = WorkerPool.get();
    pool.ensure(p.workers, ctx.probe.pidfdSelfValue);
    // Each worker gets one stack address of its own, placed as the point says.
    const placement = placeStacks(p.workers, p.stackBytes, p.pageTables);
    const { nums } = pool.state;
    nums[NUM.STACK_BYTES] = p.stackBytes;
    nums[NUM.GUARD_BYTES] = p.guardBytes;
    nums[NUM.ROUND_OPS] = ROUND_OPS;
    nums[NUM.STRATEGY] = STRATEGY_ORDER.indexOf(ctx.strategy.name);
    nums[NUM.PIN] = p.pinWorkers ? 1 : 0;
    placement.bases.forEach((b, i) => { nums[NUM.BASES + i] = b; });
    pool.command(CMD.CONFIGURE, p.workers);
    try {
      // Cross-CPU interrupts are counted around each timed round (setup and teardown are untimed).
      let ipis = 0;
      let ops = 0;
      let before = 0;
      ctx.time('cycle', {
        ops: p.workers * ROUND_OPS,
        setup: () => { before = readInterrupts().functionCall; },
        measure: () => pool.command(CMD.ROUND, p.workers),
        teardown: () => {
          ipis += readInterrupts().functionCall - before;
          ops += p.workers * ROUND_OPS;
        },
      });
      if (ctx.countsWanted) {
        const t0 = performance.now();
        pool.command(CMD.TIMED, p.workers, () => {
          Atomics.wait(sleeper, 0, 0, TIMED_WINDOW_MS);
          pool.stop();
        });
        const seconds = (performance.now() - t0) / 1000;
        const total = pool.counts(p.workers).reduce((a, b) => a + b, 0);
        ctx.record('ops_per_s', total / seconds);
        ctx.record('ops_per_s_per_worker', total / seconds / p.workers);
        ctx.record('cpus', pool.cpus.length);
        ctx.record('ipis_per_op', ipis / ops);
        ctx.record('page_table_bytes_per_op', pageTablesPerCycle(ctx.strategy, placement.bases[0]!, p.stackBytes, p.guardBytes));
      }
    } finally {
      pool.command(CMD.RELEASE, p.workers);
      placement.release();
    }
  },
});
