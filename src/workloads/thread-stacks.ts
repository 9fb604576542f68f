/**
 * thread-stacks: what a threading library does for each thread. `stacks` stacks of `stackBytes`
 * are mapped read-write side by side and each gets a guard of `guardBytes` at its low end (stacks
 * grow down):
 *   prot-none    the guard is its own VMA: 2 VMAs per stack (glibc <= 2.41 maps the stack
 *                PROT_NONE and mprotects the usable part; the VMAs and the split are the same)
 *   guard-*      a marker in the stack's page tables: adjacent stacks merge into one VMA (glibc 2.42)
 * With `threads`, a real thread is created and joined on every stack (pthread_attr_setstack, the
 * start routine a libc function, so no JavaScript runs on it). With `reuse`, stacks come from a
 * cache that keeps their guards, as glibc's does: the per-thread cost is then the thread itself and
 * the MADV_DONTNEED of the released stack, which guard markers survive.
 *
 * No memory axis: thread stacks are private anonymous memory in every libc (glibc, musl, bionic),
 * so a stack over shmem or a file would measure something no threading library does. Shared
 * memory with guards on both sides is ring-buffers' question.
 */
import {
  MADV_DONTNEED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_STACK, PROT_RW,
} from '../sys/constants.js';
import { SysError, lastErrno, libcFunction, munmap, raw } from '../sys/libc.js';
import { guardRanges, type PreparedGuards, type Strategy } from '../strategies/index.js';
import { footprintDelta, footprintResolution, sampleFootprint, slabPerUnit } from '../metrics/footprint.js';
import { countVmasIn } from '../metrics/vmas.js';
import { count, defineWorkload, kernelMemory, latency, type WorkloadContext } from './types.js';
import { findRoom } from './room.js';
import { wholePagesProblem } from './arena.js';

interface StackParams {
  [key: string]: number | boolean;
  stacks: number;
  stackBytes: number;
  guardBytes: number;
  threads: boolean;
  reuse: boolean;
}

/** Stacks at known addresses, so guard ranges and iovecs are built before any timing. */
interface StackPool {
  base: number;
  stackBytes: number;
  count: number;
  guards: PreparedGuards;
}

const STACK_FLAGS = MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_FIXED_NOREPLACE;

/** Find room for `count` stacks (reserve and release the span) and prepare their guard ranges. */
function planPool(count: number, p: StackParams, strategy: Strategy): StackPool {
  const base = findRoom(count * p.stackBytes);
  const addrs = new Float64Array(count);
  for (let i = 0; i < count; i++) addrs[i] = base + i * p.stackBytes;
  return { base, stackBytes: p.stackBytes, count, guards: strategy.prepare(guardRanges(addrs, p.guardBytes)) };
}

/**
 * Slab counts are system-wide and move in whole per-CPU slabs, so the footprint is sampled on a
 * pool of at least this many stacks, whatever the timed pool's size.
 */
const FOOTPRINT_MIN_STACKS = 4096;

/** Build a pool untimed and record the VMAs, slab bytes and page-table bytes it costs per stack. */
function recordPoolFootprint(ctx: WorkloadContext<StackParams>): void {
  if (!ctx.countsWanted) return;
  const p = ctx.params;
  const pool = planPool(Math.max(p.stacks, FOOTPRINT_MIN_STACKS), p, ctx.strategy);
  try {
    const span = { start: pool.base, end: pool.base + pool.count * p.stackBytes };
    const before = sampleFootprint(span);
    mapStacks(pool);
    try {
      ctx.strategy.install(pool.guards);
      const delta = footprintDelta(before, sampleFootprint(span));
      const perStack = (v: number | { reason: string }) => (typeof v === 'number' ? v / pool.count : v);
      // The VMAs a pool of exactly `stacks` stacks occupies: its first `stacks` stacks.
      ctx.record('vma_delta', countVmasIn(pool.base, pool.base + p.stacks * p.stackBytes));
      ctx.record('vmas_per_stack', delta.vmaDelta / pool.count);
      const resolution = footprintResolution(pool.count);
      const slab = slabPerUnit(delta, pool.count, resolution.slabBytes);
      ctx.record('vma_slab_bytes', slab.value, slab.extra);
      ctx.record('page_table_bytes', perStack(delta.pageTableBytes), { resolution: resolution.pageTableBytes });
    } finally {
      unmapStacks(pool);
    }
  } finally {
    pool.guards.release();
  }
}

/** Map every stack of the pool (timed in `create`); MAP_FIXED_NOREPLACE refuses to clobber anything. */
function mapStacks(pool: StackPool): void {
  for (let i = 0; i < pool.count; i++) {
    const addr = pool.base + i * pool.stackBytes;
    const got = raw.mmap(addr, pool.stackBytes, PROT_RW, STACK_FLAGS, -1, 0);
    if (got !== addr) {
      const errno = lastErrno();
      unmapStacks(pool, i);
      throw new SysError('mmap(MAP_FIXED_NOREPLACE)', [addr, pool.stackBytes], errno);
    }
  }
}

function unmapStacks(pool: StackPool, count = pool.count): void {
  if (count > 0) munmap(pool.base, count * pool.stackBytes);
}

/** Map every stack and guard it; nothing stays mapped if the guards fail. */
function mapGuardedStacks(pool: StackPool, strategy: Strategy): void {
  mapStacks(pool);
  try {
    strategy.install(pool.guards);
  } catch (e) {
    unmapStacks(pool);
    throw e;
  }
}

/** munmap each stack on its own, as a thread library frees them: the timed teardown. */
function unmapEachStack(pool: StackPool): void {
  for (let i = 0; i < pool.count; i++) raw.munmap(pool.base + i * pool.stackBytes, pool.stackBytes);
}

/** Create and join one thread per stack, on the stack's usable part above the guard. */
class ThreadRunner {
  private readonly attr = Buffer.alloc(128);
  private readonly thread = Buffer.alloc(8);
  private readonly start = libcFunction('getpid');

  runOn(stackLow: number, bytes: number): void {
    const { attr, thread } = this;
    if (raw.pthreadAttrInit(attr) !== 0) throw new Error('pthread_attr_init failed');
    try {
      const rc = raw.pthreadAttrSetstack(attr, stackLow, bytes);
      if (rc !== 0) throw new SysError('pthread_attr_setstack', [stackLow, bytes], rc);
      const created = raw.pthreadCreate(thread, attr, this.start, 0);
      if (created !== 0) throw new SysError('pthread_create', [stackLow, bytes], created);
      const joined = raw.pthreadJoin(thread.readUInt32LE(0) + thread.readUInt32LE(4) * 2 ** 32, 0);
      if (joined !== 0) throw new SysError('pthread_join', [], joined);
    } finally {
      raw.pthreadAttrDestroy(attr);
    }
  }
}

function runThreads(pool: StackPool, guardBytes: number, threads: ThreadRunner): void {
  for (let i = 0; i < pool.count; i++) {
    threads.runOn(pool.base + i * pool.stackBytes + guardBytes, pool.stackBytes - guardBytes);
  }
}

/** A cached stack going back to the cache: its used memory is dropped, its guard stays. */
function releaseToCache(pool: StackPool, guardBytes: number): void {
  for (let i = 0; i < pool.count; i++) {
    if (raw.madvise(pool.base + i * pool.stackBytes + guardBytes, pool.stackBytes - guardBytes, MADV_DONTNEED) !== 0) {
      throw new SysError('madvise(MADV_DONTNEED)', [pool.base + i * pool.stackBytes], lastErrno());
    }
  }
}

export default defineWorkload<StackParams>({
  name: 'thread-stacks',
  description: 'thread stacks with a guard at the low end, created (and optionally run) as a threading library does',
  positiveAxes: ['stacks', 'stackBytes', 'guardBytes'],
  sizeAxes: ['stacks'],
  questions: [
    { id: 'create', text: 'What does a guard add to creating a thread stack?' },
    { id: 'free', text: 'What does it add to freeing one?' },
    { id: 'footprint', text: 'How many VMAs and how much kernel memory does a stack\'s guard cost?' },
  ],
  metrics: [
    latency('create', 'ns/stack', 'map the stack and guard it (and run a thread on it)', { answers: 'create' }),
    latency('teardown', 'ns/stack', 'munmap the stack', { answers: 'free' }),
    count('vma_delta', 'count', 'lower', 'VMAs the whole pool of stacks occupies', { answers: 'footprint' }),
    count('vmas_per_stack', 'count/stack', 'lower', 'VMAs per stack', { answers: 'footprint', footprint: 'vmas', label: 'VMAs per stack' }),
    kernelMemory('vma_slab_bytes', 'VMA slab', 'bytes/stack', 'system', 'vm_area_struct + maple_node slab bytes per stack'),
    kernelMemory('page_table_bytes', 'page tables', 'bytes/stack', 'process', 'page-table bytes (VmPTE) per stack'),
  ],
  validate(p) {
    const pages = wholePagesProblem(p, ['stackBytes', 'guardBytes']);
    if (pages) return pages;
    if (p.stackBytes - p.guardBytes < 64 * 1024) return `stackBytes must leave at least 64 KiB above the guard for a thread, got ${p.stackBytes}`;
    return null;
  },
  run(ctx) {
    const p = ctx.params;
    const { strategy } = ctx;
    const threads = new ThreadRunner();
    const pool = planPool(p.stacks, p, strategy);
    try {
      // Stacks no thread ran on are left as the teardown timing wants them (mapped, guarded,
      // untouched), so their munmap is timed in the same iteration; stacks threads ran on are not.
      const timeTeardownApart = p.threads || p.reuse;
      if (!p.reuse) {
        ctx.time('create', {
          ops: p.stacks,
          setup: () => pool,
          measure: (s) => {
            mapGuardedStacks(s, strategy);
            if (p.threads) runThreads(s, p.guardBytes, threads);
          },
          ...(timeTeardownApart
            ? { teardown: (s: StackPool) => unmapStacks(s) }
            : { undo: { metric: 'teardown', ops: p.stacks, run: unmapEachStack }, teardown: () => {} }),
        });
      } else {
        mapStacks(pool);
        try {
          strategy.install(pool.guards);
          ctx.time('create', {
            ops: p.stacks,
            setup: () => pool,
            measure: (s) => {
              if (p.threads) runThreads(s, p.guardBytes, threads);
              releaseToCache(s, p.guardBytes);
            },
            teardown: () => {},
          });
        } finally {
          unmapStacks(pool);
        }
      }

      if (timeTeardownApart) {
        ctx.time('teardown', {
          ops: p.stacks,
          setup: () => {
            mapGuardedStacks(pool, strategy);
            return pool;
          },
          measure: unmapEachStack,
          teardown: () => {},
        });
      }

      recordPoolFootprint(ctx);
    } finally {
      pool.guards.release();
    }
  },
});
