/**
 * ring-buffers: shared-memory ring buffers with a guard on each side, as IPC libraries and tracers
 * map them: producer and consumer share a memfd, and an overrun past either end must fault instead
 * of scribbling over the next mapping. `rings` rings, each a memfd of its own, mapped side by side:
 *
 *   | guard | ring (ringBytes) | guard | guard | ring | guard | ...
 *
 *   prot-none  each guard is a VMA of its own: 3 VMAs per ring (rings of different memfds never
 *              merge; on anonymous memory the two guards where rings meet merge into one VMA)
 *   guard-*    markers: 1 VMA per ring (anonymous rings side by side merge into one)
 * `memory` is shmem, the real case, or anon (one process's private rings) to compare against.
 * This is thread-stacks' question for shared memory; thread stacks themselves stay anonymous,
 * since every libc maps them so. The memfds are made before timing: `create` is the mapping
 * and the guards, as a library's ring setup does once the descriptor has been passed to it.
 */
import { closeSync } from 'node:fs';
import { MAP_FIXED_NOREPLACE, PROT_RW } from '../sys/constants.js';
import { SysError, lastErrno, munmap, raw } from '../sys/libc.js';
import { kindFlags, memoryProblem, openShared, type MemoryKind } from '../sys/memory.js';
import { guardRanges, type PreparedGuards, type Strategy } from '../strategies/index.js';
import { count, defineWorkload, latency } from './types.js';
import { recordUnitFootprint, unitFootprintMetrics } from './per-unit.js';
import { countVmasInSpans } from '../metrics/vmas.js';
import { wholePagesProblem } from './arena.js';
import { findRoom } from './room.js';

interface RingParams {
  [key: string]: number | string;
  rings: number;
  ringBytes: number;
  guardBytes: number;
  memory: MemoryKind;
}

/** Rings at planned addresses, their memfds open, their guard ranges prepared. */
interface RingSet {
  base: number;
  /** bytes of one ring's mapping: the ring and its two guards */
  bytes: number;
  count: number;
  fds: number[];
  kind: MemoryKind;
  guards: PreparedGuards;
}

function planRings(count: number, p: RingParams, strategy: Strategy): RingSet {
  const bytes = p.ringBytes + 2 * p.guardBytes;
  const base = findRoom(count * bytes);
  const fds: number[] = [];
  try {
    if (p.memory !== 'anon') for (let i = 0; i < count; i++) fds.push(openShared(p.memory, bytes));
    const addrs = Array.from({ length: count }, (_, i) => [base + i * bytes, base + i * bytes + p.guardBytes + p.ringBytes]).flat();
    return { base, bytes, count, fds, kind: p.memory, guards: strategy.prepare(guardRanges(addrs, p.guardBytes)) };
  } catch (e) {
    for (const fd of fds) closeSync(fd);
    throw e;
  }
}

function releaseRings(set: RingSet): void {
  set.guards.release();
  for (const fd of set.fds.splice(0)) closeSync(fd);
}

/** Map every ring (MAP_FIXED_NOREPLACE: never over anything else) and install its guards. */
function createRings(set: RingSet, strategy: Strategy): void {
  const flags = kindFlags(set.kind) | MAP_FIXED_NOREPLACE;
  for (let i = 0; i < set.count; i++) {
    const addr = set.base + i * set.bytes;
    if (raw.mmap(addr, set.bytes, PROT_RW, flags, set.fds[i] ?? -1, 0) !== addr) {
      const errno = lastErrno();
      if (i > 0) munmap(set.base, i * set.bytes);
      throw new SysError('mmap(ring)', [addr, set.bytes], errno);
    }
  }
  try {
    strategy.install(set.guards);
  } catch (e) {
    munmap(set.base, set.count * set.bytes);
    throw e;
  }
}

/** munmap each ring; a failure is thrown after the loop, so the timed loop holds only the calls. */
function unmapRings(set: RingSet): void {
  let failed = 0;
  for (let i = 0; i < set.count; i++) if (raw.munmap(set.base + i * set.bytes, set.bytes) !== 0) failed++;
  if (failed) throw new SysError('munmap(ring)', [set.base, set.bytes], lastErrno());
}

export default defineWorkload<RingParams>({
  name: 'ring-buffers',
  description: 'shared-memory ring buffers with a guard on each side: one memfd each, mapped side by side',
  positiveAxes: ['rings', 'ringBytes', 'guardBytes'],
  questions: [
    { id: 'create', text: 'What do guards on both sides add to creating a shared ring?' },
    { id: 'footprint', text: 'How many VMAs does a guarded ring occupy?' },
  ],
  metrics: [
    latency('create', 'ns/ring', 'map the ring and guard both its ends', { answers: 'create' }),
    latency('teardown', 'ns/ring', 'munmap the ring'),
    count('vmas_per_ring', 'count/ring', 'lower', 'VMAs per ring', { answers: 'footprint' }),
    ...unitFootprintMetrics('ring'),
  ],
  validate(p) {
    return wholePagesProblem(p, ['ringBytes', 'guardBytes']) ?? memoryProblem(p.memory);
  },
  run(ctx) {
    const p = ctx.params;
    const set = planRings(p.rings, p, ctx.strategy);
    try {
      // A failed create unmaps what it mapped, so only the timed teardown ever releases the rings.
      ctx.time('create', {
        ops: p.rings,
        setup: () => set,
        measure: (s) => createRings(s, ctx.strategy),
        undo: { metric: 'teardown', ops: p.rings, run: unmapRings },
        teardown: () => {},
      });
      if (ctx.countsWanted) {
        recordUnitFootprint(ctx, p.rings, {
          vmaMetric: 'vmas_per_ring',
          plan: (n) => planRings(n, p, ctx.strategy),
          map: (chunk) => createRings(chunk, ctx.strategy),
          settle: releaseRings,
          unmap: (chunk) => munmap(chunk.base, chunk.count * chunk.bytes),
          vmas: (chunks) => countVmasInSpans(chunks.map((c) => ({ start: c.base, end: c.base + c.count * c.bytes }))),
        });
      }
    } finally {
      releaseRings(set);
    }
  },
});
