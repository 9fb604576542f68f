/**
 * loader-gap: shared libraries mapped as a dynamic loader maps them, with the gaps between their
 * segments made guards. A library built for larger pages than the kernel's (64 KiB alignment on a
 * 4 KiB-page kernel, or 16 KiB for Android's 16 KiB-page-compatible libraries) has segments
 * `segmentBytes` long, `gapBytes` apart:
 *
 *   | seg 0 (r--) | gap | seg 1 (r-x) | gap | seg 2 (r--) | gap | seg 3 (rw-) |
 *
 * Each library is a file of its own on disk (sparse, its offsets equal to its addresses, as the
 * linker pads such libraries), N of them, mapped at addresses planned before any timing:
 *   prot-none   glibc's _dl_map_segments: map the whole span from the file with segment 0's
 *               protection, mprotect everything from segment 0's end to the last segment's start
 *               PROT_NONE (one call per library), then map each later segment over it (MAP_FIXED).
 *               Each gap stays a PROT_NONE VMA of the file: S segments cost 2S - 1 VMAs.
 *   markers     what Linux 6.15 allows: the same span, each later segment mapped together with the
 *               gap after it, then a marker over every gap (madvise per gap, or one
 *               process_madvise per library). A gap joins the segment before it: S VMAs.
 *   no-guard    as markers, without them: the gaps stay readable (the floor).
 * Pieces of one file merge only where they touch with equal protections and contiguous offsets,
 * so adjacent segments (always of different protections here) never merge.
 */
import { closeSync } from 'node:fs';
import { MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_RW } from '../sys/constants.js';
import { SysError, lastErrno, munmap, pageSize, raw } from '../sys/libc.js';
import { openShared, type MemoryKind } from '../sys/memory.js';
import { guardRanges, type PreparedGuards, type Strategy } from '../strategies/index.js';
import { countVmasInSpans } from '../metrics/vmas.js';
import { count, defineWorkload, latency } from './types.js';
import { recordUnitFootprint, unitFootprintMetrics } from './per-unit.js';
import { wholePagesProblem } from './arena.js';
import { findRoom } from './room.js';

interface LoaderParams {
  [key: string]: number | string;
  libraries: number;
  segments: number;
  segmentBytes: number;
  gapBytes: number;
  /** where the libraries' files live: a file on disk (or a memfd, as a loader given an fd maps it) */
  memory: MemoryKind;
}

export interface LibraryShape {
  segments: number;
  segmentBytes: number;
  gapBytes: number;
}

/** A loader's typical segment protections: headers and read-only data, text, rodata, data. */
export function segmentProt(i: number, segments: number): number {
  if (i === 0) return PROT_READ;
  if (i === segments - 1) return PROT_RW;
  return i % 2 === 1 ? PROT_READ | PROT_EXEC : PROT_READ;
}

export function librarySpan(shape: LibraryShape): number {
  return shape.segments * shape.segmentBytes + (shape.segments - 1) * shape.gapBytes;
}

/** N libraries at planned addresses, each with its file open, and the guard ranges of a strategy. */
export interface LibrarySet {
  shape: LibraryShape;
  bases: Float64Array;
  fds: number[];
  span: number;
  /** prot-none: one range per library; markers: one per gap */
  guards: PreparedGuards;
  /** true when the later segments are mapped with the gap after them (every strategy but prot-none) */
  withGaps: boolean;
}

/**
 * Plan `libraries` libraries of `shape` for `strategy`: their files (created now, on the kind's
 * filesystem), their addresses (a page apart), the strategy's ranges. Release with releaseLibraries.
 * With `oneFile`, every library maps the same file: the same VMAs, slab and page tables (libraries
 * never touch), without creating, and at the last munmap evicting, a file per library (~1 ms each
 * on ext4 here), which the footprint's thousands of libraries would otherwise wait for.
 */
export function planLibraries(libraries: number, shape: LibraryShape, strategy: Strategy, kind: MemoryKind = 'file', oneFile = false): LibrarySet {
  const span = librarySpan(shape);
  const stride = span + pageSize();
  const base = findRoom(libraries * stride);
  const bases = new Float64Array(libraries);
  for (let k = 0; k < libraries; k++) bases[k] = base + k * stride;
  const fds: number[] = [];
  try {
    const open = () => openShared(kind === 'anon' ? 'file' : kind, span);
    const shared = oneFile ? open() : -1;
    for (let k = 0; k < libraries; k++) fds.push(oneFile ? shared : open());
    const withGaps = strategy.name !== 'prot-none';
    const step = shape.segmentBytes + shape.gapBytes;
    const guards = withGaps
      ? strategy.prepare(guardRanges(Array.from(bases).flatMap((b) => gapStarts(b, shape)), shape.gapBytes), { batch: Math.max(1, shape.segments - 1) })
      : strategy.prepare(guardRanges(Array.from(bases).map((b) => b + shape.segmentBytes), (shape.segments - 1) * step - shape.segmentBytes));
    return { shape, bases, fds, span, guards, withGaps };
  } catch (e) {
    for (const fd of new Set(fds)) closeSync(fd);
    throw e;
  }
}

function gapStarts(base: number, shape: LibraryShape): number[] {
  const step = shape.segmentBytes + shape.gapBytes;
  return Array.from({ length: shape.segments - 1 }, (_, i) => base + i * step + shape.segmentBytes);
}

export function releaseLibraries(set: LibrarySet): void {
  set.guards.release();
  for (const fd of new Set(set.fds.splice(0))) closeSync(fd);
}

function mapFailed(what: string, addr: number, len: number): never {
  throw new SysError(what, [addr, len], lastErrno());
}

/** Map every library of the set the way its strategy's loader does (see the top of this file). */
export function mapLibraries(set: LibrarySet, strategy: Strategy): void {
  const { shape, bases, fds, span, withGaps } = set;
  const step = shape.segmentBytes + shape.gapBytes;
  const mmap = raw.mmap;
  for (let k = 0; k < bases.length; k++) {
    if (mmap(bases[k]!, span, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fds[k]!, 0) !== bases[k]) {
      const errno = lastErrno();
      unmapLibraries(set, k);
      throw new SysError('mmap(library span)', [bases[k]!, span], errno);
    }
  }
  try {
    if (!withGaps) strategy.install(set.guards);
    for (let k = 0; k < bases.length; k++) {
      for (let i = 1; i < shape.segments; i++) {
        const addr = bases[k]! + i * step;
        const len = withGaps && i < shape.segments - 1 ? step : shape.segmentBytes;
        if (mmap(addr, len, segmentProt(i, shape.segments), MAP_PRIVATE | MAP_FIXED, fds[k]!, i * step) !== addr) mapFailed('mmap(segment)', addr, len);
      }
    }
    if (withGaps) strategy.install(set.guards);
  } catch (e) {
    unmapLibraries(set);
    throw e;
  }
}

/** munmap each library's span (the first `count`). */
export function unmapLibraries(set: LibrarySet, count = set.bases.length): void {
  for (let k = 0; k < count; k++) munmap(set.bases[k]!, set.span);
}

/** VMAs of every library of the sets, summed, from one read of maps. */
export function libraryVmas(sets: readonly LibrarySet[]): number {
  return countVmasInSpans(sets.flatMap((s) => Array.from(s.bases, (b) => ({ start: b, end: b + s.span }))));
}

export default defineWorkload<LoaderParams>({
  name: 'loader-gap',
  description: 'shared libraries mapped as ld.so maps them: gaps between segments as PROT_NONE VMAs of the file, or as markers',
  positiveAxes: ['libraries', 'segments', 'segmentBytes', 'gapBytes'],
  questions: [
    { id: 'map', text: 'What does guarding a library\'s gaps add to mapping it?' },
    { id: 'footprint', text: 'How many VMAs does a mapped library occupy?' },
  ],
  metrics: [
    latency('map', 'ns/library', 'map every segment of a library and guard its gaps', { answers: 'map' }),
    latency('unmap', 'ns/library', 'munmap a library\'s whole span'),
    count('vmas_per_library', 'count/library', 'lower', 'VMAs a mapped library occupies', { answers: 'footprint' }),
    ...unitFootprintMetrics('library'),
  ],
  validate(p) {
    if (p.memory !== 'file' && p.memory !== 'shmem') return `memory must be file or shmem (a library is a file), got ${String(p.memory)}`;
    if (p.segments < 2) return `segments must be at least 2 (one gap), got ${p.segments}`;
    return wholePagesProblem(p, ['segmentBytes', 'gapBytes']);
  },
  run(ctx) {
    const p = ctx.params;
    const shape: LibraryShape = { segments: p.segments, segmentBytes: p.segmentBytes, gapBytes: p.gapBytes };
    const set = planLibraries(p.libraries, shape, ctx.strategy, p.memory);
    try {
      // A failed map unmaps what it mapped, so only a timed unmap ever releases the libraries.
      ctx.time('map', {
        ops: p.libraries,
        setup: () => set,
        measure: (s) => mapLibraries(s, ctx.strategy),
        undo: { metric: 'unmap', ops: p.libraries, run: (s) => unmapLibraries(s) },
        teardown: () => {},
      });
      if (ctx.countsWanted) {
        recordUnitFootprint(ctx, p.libraries, {
          vmaMetric: 'vmas_per_library',
          plan: (n) => planLibraries(n, shape, ctx.strategy, p.memory, true),
          map: (chunk) => mapLibraries(chunk, ctx.strategy),
          settle: releaseLibraries,
          unmap: (chunk) => unmapLibraries(chunk),
          vmas: libraryVmas,
        });
      }
    } finally {
      releaseLibraries(set);
    }
  },
});
