/**
 * ceiling: how many guarded regions one process can hold. Guards go one after another onto one
 * arena (| slot | guard | slot | guard | ..., a page each) until a call fails or `limit` regions
 * are in place; then the arena is unmapped, which takes every guard with it.
 *
 * PROT_NONE guards split the arena (+2 VMAs each) until vm.max_map_count refuses the next split
 * with ENOMEM: the count vm.max_map_count predicts is recorded next to the measured one. Markers
 * add no VMA, so the bound (`limit`), not the kernel, stops them: stop_errno 0 says so.
 *
 * Growth calls the kernel directly rather than through a Strategy, because it must know exactly
 * which call failed; the calls are the strategies' own (mprotect, madvise, process_madvise).
 */
import { MAP_ANONYMOUS, MAP_NORESERVE, MAP_PRIVATE, MADV_GUARD_INSTALL, PROT_NONE, PROT_RW, UIO_MAXIOV } from '../sys/constants.js';
import { close, lastErrno, mmap, munmap, pidfdOpen, processMadviseNr, raw, writeMemory } from '../sys/libc.js';
import { pageTableBytes } from '../metrics/status.js';
import type { StrategyName } from '../results/schema.js';
import type { FeatureProbe } from '../probe/features.js';
import { defineWorkload } from './types.js';
import { maxMapCount, vmasInUse } from './headroom.js';

const PAGE = 4096;
const STRIDE = 2 * PAGE;

interface CeilingParams {
  [key: string]: number;
  /** the most regions to grow to; markers stop here */
  limit: number;
}

interface Growth {
  regions: number;
  /** errno of the call that stopped growth; 0 when the limit did */
  errno: number;
}

/** Guard regions at base + STRIDE * i + PAGE, one call each, until one fails. */
function growOneByOne(call: (addr: number) => number, base: number, limit: number): Growth {
  for (let i = 0; i < limit; i++) {
    if (call(base + i * STRIDE + PAGE) !== 0) return { regions: i, errno: lastErrno() };
  }
  return { regions: limit, errno: 0 };
}

/** process_madvise in batches of UIO_MAXIOV; a short count says how far the failing batch got. */
function growInBatches(base: number, limit: number, probe: FeatureProbe): Growth {
  const iovBytes = UIO_MAXIOV * 16;
  const iov = mmap(iovBytes);
  const pidfd = probe.pidfdSelfValue ?? pidfdOpen(process.pid);
  const buf = Buffer.alloc(iovBytes);
  try {
    for (let done = 0; done < limit;) {
      const n = Math.min(UIO_MAXIOV, limit - done);
      for (let j = 0; j < n; j++) {
        buf.writeBigUInt64LE(BigInt(base + (done + j) * STRIDE + PAGE), j * 16);
        buf.writeBigUInt64LE(BigInt(PAGE), j * 16 + 8);
      }
      writeMemory(iov, buf.subarray(0, n * 16));
      const rc = raw.syscall(processMadviseNr(), pidfd, iov, n, MADV_GUARD_INSTALL, 0, 0);
      if (rc < 0) return { regions: done, errno: lastErrno() };
      done += Math.floor(rc / PAGE);
      if (rc !== n * PAGE) return { regions: done, errno: 0 };
    }
    return { regions: limit, errno: 0 };
  } finally {
    if (probe.pidfdSelfValue === null) close(pidfd);
    munmap(iov, iovBytes);
  }
}

function grow(strategy: StrategyName, base: number, limit: number, probe: FeatureProbe): Growth {
  if (strategy === 'prot-none') return growOneByOne((a) => raw.mprotect(a, PAGE, PROT_NONE), base, limit);
  if (strategy === 'guard-madvise') return growOneByOne((a) => raw.madvise(a, PAGE, MADV_GUARD_INSTALL), base, limit);
  return growInBatches(base, limit, probe);
}

export default defineWorkload<CeilingParams>({
  name: 'ceiling',
  description: 'how many guarded regions one process holds before the kernel refuses more (vm.max_map_count for PROT_NONE)',
  strategies: ['prot-none', 'guard-madvise', 'guard-process-madvise'],
  positiveAxes: ['limit'],
  metrics: [
    { metric: 'regions', unit: 'count', kind: 'count', description: 'guarded regions held when growth stopped' },
    { metric: 'stop_errno', unit: 'errno', kind: 'count', description: 'errno of the call that refused the next guard (12 = ENOMEM); 0: the limit stopped growth, not the kernel' },
    { metric: 'predicted_regions', unit: 'count', kind: 'count', description: 'PROT_NONE guards vm.max_map_count allows: (max_map_count - VMAs in use - 1) / 2' },
    { metric: 'vmas_at_stop', unit: 'count', kind: 'count', description: 'VMAs the kernel counted for the process when growth stopped' },
    { metric: 'page_table_bytes', unit: 'bytes/region', kind: 'bytes', description: 'page-table bytes (VmPTE) the guards added, per region held' },
  ],
  run(ctx) {
    // Every figure is a count: later passes have nothing to add.
    if (!ctx.countsWanted) return;
    const { limit } = ctx.params;
    const isProtNone = ctx.strategy.name === 'prot-none';
    const before = vmasInUse();
    const max = maxMapCount();
    const bytes = limit * STRIDE;
    // NORESERVE: a million regions span 8 GiB of address space that is never touched.
    const base = mmap(bytes, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
    let growth: Growth;
    let vmasAtStop: number;
    let pteDelta: number | null = null;
    try {
      const pteBefore = pageTableBytes();
      growth = grow(ctx.strategy.name, base, limit, ctx.probe);
      // Sample at once and unmap: at the ceiling any mapping Node itself needs would fail too.
      vmasAtStop = vmasInUse();
      const pteAfter = pageTableBytes();
      if (pteBefore !== null && pteAfter !== null) pteDelta = pteAfter - pteBefore;
    } finally {
      munmap(base, bytes);
    }
    ctx.record('regions', growth.regions);
    ctx.record('stop_errno', growth.errno);
    if (!isProtNone) ctx.skip('predicted_regions', 'markers add no VMA: vm.max_map_count does not bound them');
    else if (max === null) ctx.skip('predicted_regions', 'vm.max_map_count unreadable');
    else ctx.record('predicted_regions', Math.floor((max - before - 1) / 2));
    ctx.record('vmas_at_stop', vmasAtStop);
    // PROT_NONE guards add VMAs, not page tables: their VmPTE delta is Node's own heap moving.
    if (isProtNone) ctx.skip('page_table_bytes', 'PROT_NONE guards add VMAs, not page tables');
    else if (pteDelta === null || growth.regions === 0) ctx.skip('page_table_bytes', 'VmPTE missing from /proc/self/status or no regions');
    else ctx.record('page_table_bytes', pteDelta / growth.regions);
  },
});
