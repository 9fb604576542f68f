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
 */
import { findRoom } from './room.js';
import { wholePagesProblem } from './arena.js';
import { count, defineWorkload, latency, throughput } from './types.js';
import { CMD, WorkerPool } from './scaling-pool.js';
import { NUM, STRATEGY_ORDER } from './scaling-protocol.js';

interface ScalingParams {
  [key: string]: number | boolean;
  workers: number;
  stackBytes: number;
  guardBytes: number;
  /** pin worker i to the i-th allowed CPU (round robin) */
  pinWorkers: boolean;
}

const ROUND_OPS = 128;
const TIMED_WINDOW_MS = 100;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export default defineWorkload<ScalingParams>({
  name: 'scaling',
  description: 'T worker threads creating and freeing guarded stacks at once: mmap_lock contention of mprotect against madvise',
  positiveAxes: ['workers', 'stackBytes', 'guardBytes'],
  metrics: [
    latency('cycle', 'ns/op', 'wall time per create+free across all workers (1e9/cycle = aggregate ops/s)'),
    throughput('ops_per_s', 'ops/s', 'create+free operations of all workers in a 100 ms window, per second'),
    throughput('ops_per_s_per_worker', 'ops/s', 'ops_per_s divided by the workers'),
    count('cpus', 'count', 'none', 'CPUs the process may run on (workers are spread over them when pinned)'),
  ],
  validate(p) {
    const pages = wholePagesProblem(p, ['stackBytes', 'guardBytes']);
    if (pages) return pages;
    return p.guardBytes >= p.stackBytes ? `guardBytes must be smaller than stackBytes, got ${p.guardBytes}` : null;
  },
  run(ctx) {
    const p = ctx.params;
    const pool = WorkerPool.get();
    pool.ensure(p.workers, ctx.probe.pidfdSelfValue);
    // Each worker gets one stack address of its own: find room for all, then leave it free.
    const base = findRoom(p.workers * p.stackBytes);
    const { nums } = pool.state;
    nums[NUM.STACK_BYTES] = p.stackBytes;
    nums[NUM.GUARD_BYTES] = p.guardBytes;
    nums[NUM.ROUND_OPS] = ROUND_OPS;
    nums[NUM.STRATEGY] = STRATEGY_ORDER.indexOf(ctx.strategy.name);
    nums[NUM.PIN] = p.pinWorkers ? 1 : 0;
    for (let i = 0; i < p.workers; i++) nums[NUM.BASES + i] = base + i * p.stackBytes;
    pool.command(CMD.CONFIGURE, p.workers);
    try {
      ctx.time('cycle', {
        ops: p.workers * ROUND_OPS,
        setup: () => null,
        measure: () => pool.command(CMD.ROUND, p.workers),
        teardown: () => {},
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
      }
    } finally {
      pool.command(CMD.RELEASE, p.workers);
    }
  },
});
