/**
 * The ceiling's growth, run in a process of its own (see ceiling.ts): guards go one after another
 * onto one arena (| slot | guard | slot | guard | ..., a page each) until a call fails or `limit`
 * regions are in place; then the arena is unmapped, which takes every guard with it. At the
 * vm.max_map_count ceiling no mapping can be made by anyone in the process, V8 included, so this
 * process runs no JavaScript that allocates between growing and unmapping, and is thrown away.
 *
 * Growth calls the kernel directly rather than through a Strategy, because it must know exactly
 * which call failed; the calls are the strategies' own (mprotect, madvise, process_madvise).
 * One child grows under several strategies in turn (starting Node costs more than a growth): each
 * growth unmaps its arena before the next begins, and each report is written as soon as it is known.
 *   node --import tsx ceiling-growth.ts STRATEGY[,STRATEGY...] LIMIT PIDFD_SELF|null   -> one JSON line each
 */
import { MAP_ANONYMOUS, MAP_NORESERVE, MAP_PRIVATE, MADV_GUARD_INSTALL, PROT_NONE, PROT_RW, UIO_MAXIOV } from '../sys/constants.js';
import { close, lastErrno, mmap, munmap, pageSize, pidfdOpen, processMadviseNr, raw, writeMemory } from '../sys/libc.js';
import { pageTableBytes } from '../metrics/status.js';
import { maxMapCount, vmasInUse } from './headroom.js';

const PAGE = pageSize();
const STRIDE = 2 * PAGE;

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
function growInBatches(base: number, limit: number, pidfdSelf: number | null): Growth {
  const iovBytes = UIO_MAXIOV * 16;
  const iov = mmap(iovBytes);
  const pidfd = pidfdSelf ?? pidfdOpen(process.pid);
  const buf = Buffer.alloc(iovBytes);
  try {
    for (let done = 0; done < limit;) {
      const n = Math.min(UIO_MAXIOV, limit - done);
      // Each u64 as two u32 halves: a BigInt per field would churn V8's heap, whose page tables
      // then land in this growth's VmPTE delta (addresses fit in 53 bits).
      for (let j = 0; j < n; j++) {
        const addr = base + (done + j) * STRIDE + PAGE;
        buf.writeUInt32LE(addr % 2 ** 32, j * 16);
        buf.writeUInt32LE(Math.floor(addr / 2 ** 32), j * 16 + 4);
        buf.writeUInt32LE(PAGE, j * 16 + 8);
        buf.writeUInt32LE(0, j * 16 + 12);
      }
      writeMemory(iov, buf.subarray(0, n * 16));
      const rc = raw.syscall(processMadviseNr(), pidfd, iov, n, MADV_GUARD_INSTALL, 0, 0);
      if (rc < 0) return { regions: done, errno: lastErrno() };
      done += Math.floor(rc / PAGE);
      if (rc !== n * PAGE) return { regions: done, errno: 0 };
    }
    return { regions: limit, errno: 0 };
  } finally {
    if (pidfdSelf === null) close(pidfd);
    munmap(iov, iovBytes);
  }
}

function grow(strategy: string, base: number, limit: number, pidfdSelf: number | null): Growth {
  if (strategy === 'prot-none') return growOneByOne((a) => raw.mprotect(a, PAGE, PROT_NONE), base, limit);
  if (strategy === 'guard-madvise') return growOneByOne((a) => raw.madvise(a, PAGE, MADV_GUARD_INSTALL), base, limit);
  return growInBatches(base, limit, pidfdSelf);
}

/** What one growth found, as the child reports it. */
export interface CeilingReport {
  regions: number;
  /** errno of the call that stopped growth; 0 when the limit did */
  errno: number;
  vmasBefore: number;
  vmasAtStop: number;
  maxMapCount: number | null;
  pageTableDelta: number | null;
}

export function measureCeiling(strategy: string, limit: number, pidfdSelf: number | null): CeilingReport {
  const vmasBefore = vmasInUse();
  const bytes = limit * STRIDE;
  // NORESERVE: a million regions span 8 GiB of address space that is never touched.
  const base = mmap(bytes, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
  try {
    const pteBefore = pageTableBytes();
    const growth = grow(strategy, base, limit, pidfdSelf);
    // Sample at once (countVmas maps nothing) and unmap: at the ceiling any mapping would fail.
    const vmasAtStop = vmasInUse();
    const pteAfter = pageTableBytes();
    return {
      ...growth, vmasBefore, vmasAtStop, maxMapCount: maxMapCount(),
      pageTableDelta: pteBefore !== null && pteAfter !== null ? pteAfter - pteBefore : null,
    };
  } finally {
    munmap(base, bytes);
  }
}

/** One line of the child's output: a strategy's report, or why its growth failed. */
export type CeilingLine = { strategy: string } & (CeilingReport | { error: string });

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [strategies, limit, pidfd] = process.argv.slice(2);
  for (const strategy of strategies!.split(',')) {
    let line: CeilingLine;
    try {
      line = { strategy, ...measureCeiling(strategy, Number(limit), pidfd === 'null' ? null : Number(pidfd)) };
    } catch (e) {
      line = { strategy, error: e instanceof Error ? e.message : String(e) };
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

