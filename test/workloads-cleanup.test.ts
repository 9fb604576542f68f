/**
 * Every workload returns the process's mappings to where it found them, under every strategy, and
 * a failing libc call says which call and which errno.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WORKLOADS } from '../src/workloads/index.js';
import { PROFILES } from '../bench/profiles.js';
import { crossProduct } from '../src/runner/axes.js';
import { axisSets } from '../src/runner/plan.js';
import { runPoint } from '../src/runner/runner.js';
import { probeFeatures } from '../src/probe/features.js';
import { makeStrategies } from '../src/strategies/index.js';
import { readMaps, type Vma } from '../src/metrics/maps.js';
import { STRATEGY_NAMES, type Params } from '../src/results/schema.js';
import { fileBacking } from '../src/sys/memory.js';
import { readdirSync } from 'node:fs';
import { SysError, madvise, mmap, munmap, raw } from '../src/sys/libc.js';
import { MADV_GUARD_INSTALL } from '../src/sys/constants.js';
import { subtractRanges, type AddressRange } from './helpers.js';

const probe = probeFeatures();
const strategies = makeStrategies(probe);
const budget = { timeMs: 0, minIterations: 2, warmupIterations: 0 };

/**
 * The first point of each quick axis (the default profile's where quick lacks the workload), shrunk
 * so the test stays fast (Node's --test smoke mode); once per memory kind the default profile
 * sweeps for the workload.
 */
function smokeParams(workload: string): Params[] {
  const spec = PROFILES.quick.workloads[workload] ?? PROFILES.default.workloads[workload];
  const [axes] = axisSets(spec);
  const [first] = crossProduct(Object.fromEntries(Object.entries(axes!).map(([k, v]) => [k, [v[0]!]])));
  const p: Params = { ...first! };
  for (const k of ['regions', 'guards', 'stacks', 'libraries', 'rings']) if (typeof p[k] === 'number') p[k] = Math.min(p[k] as number, 64);
  if (p.memory === undefined) return [p];
  const kinds = new Set(axisSets(PROFILES.default.workloads[workload]).flatMap((a) => a.memory ?? []));
  return [...kinds].map((memory) => ({ ...p, memory }));
}

/**
 * Every mapping the workloads make goes through raw.mmap and every unmapping through raw.munmap
 * (the checked wrappers call them too), so spies on them list the address ranges a point mapped and
 * unmapped. Afterwards every mapped byte must have been unmapped. This is exact however much Node
 * maps for itself meanwhile, even where its allocator reuses an address a point has freed (reading
 * /proc/self/maps alone would take that for a leak).
 */
type Range = AddressRange;
const usedRanges: Range[] = [];
const freedRanges: Range[] = [];
const realMmap = raw.mmap;
raw.mmap = (addr, len, prot, flags, fd, off) => {
  const got = realMmap(addr, len, prot, flags, fd, off);
  if (typeof got === 'number' && got !== -1) usedRanges.push({ start: got, end: got + len });
  return got;
};
const realMunmap = raw.munmap;
raw.munmap = (addr, len) => {
  const rc = realMunmap(addr, len);
  if (rc === 0) freedRanges.push({ start: addr, end: addr + len });
  return rc;
};

/** What a point mapped and never unmapped, as the VMAs it still occupies. */
function stillMapped(): Vma[] {
  const left = subtractRanges(usedRanges, freedRanges);
  return readMaps().filter((e) => left.some((r) => e.start < r.end && e.end > r.start));
}

const openFds = (): number => readdirSync('/proc/self/fd').length;
/** Files of the file memory kind left in their directory (each is removed with its directory at once). */
const leftFiles = (): string[] => readdirSync(fileBacking().dir).filter((n) => n.startsWith('guardbench-memory-'));

for (const workload of WORKLOADS) {
  test(`${workload.name} unmaps everything it mapped and closes every file, under every strategy and memory kind`, () => {
    for (const name of STRATEGY_NAMES) {
      if (workload.strategies && !workload.strategies.includes(name)) continue;
      for (const params of smokeParams(workload.name)) {
        if (workload.applies && !workload.applies(name, params)) continue;
        const what = `${workload.name}/${name}${params.memory ? `/${String(params.memory)}` : ''}`;
        usedRanges.length = 0;
        freedRanges.length = 0;
        const fds = openFds();
        const rows = runPoint({ workload, strategy: strategies[name], params }, { probe, budget });
        // ceiling grows its guards in a child process of its own and maps nothing here
        if (workload.name !== 'ceiling') assert.ok(usedRanges.length > 0, `${what} mapped nothing through raw.mmap`);
        const left = stillMapped();
        assert.deepEqual(left, [], `${what} left ${left.length} VMAs mapped`);
        // scaling keeps its worker threads (and their descriptors) for the whole run, by design
        if (workload.name !== 'scaling') assert.equal(openFds(), fds, `${what} left descriptors open`);
        assert.deepEqual(leftFiles(), [], `${what} left files behind`);
        const failed = rows.filter((r) => r.status === 'failed');
        assert.deepEqual(failed, [], `${what} failed rows`);
        assert.ok(rows.some((r) => r.status === 'ok'), `${what} measured nothing: ${rows.map((r) => r.reason).join('; ')}`);
      }
    }
  });
}

test('the check sees a mapping left behind, and a mapping of its middle left behind', () => {
  usedRanges.length = 0;
  freedRanges.length = 0;
  const leak = mmap(3 * 4096);
  try {
    assert.equal(stillMapped().length, 1);
    munmap(leak, 4096);
    munmap(leak + 2 * 4096, 4096);
    assert.deepEqual(stillMapped().map((v) => [v.start, v.end]), [[leak + 4096, leak + 2 * 4096]], 'the middle page is still mapped');
  } finally {
    munmap(leak, 3 * 4096);
  }
  assert.equal(stillMapped().length, 0);
});

test('a failed call throws a SysError naming the call, its arguments and errno', () => {
  const page = mmap(8192);
  try {
    assert.throws(() => madvise(page + 1, 4096, MADV_GUARD_INSTALL), (e: unknown) => {
      assert.ok(e instanceof SysError);
      assert.equal(e.call, 'madvise');
      assert.equal(e.code, 'EINVAL');
      assert.equal(e.args[2], MADV_GUARD_INSTALL);
      assert.match(e.message, /madvise\(0x[0-9a-f]+, 4096, 102\) failed: EINVAL/);
      return true;
    });
  } finally {
    munmap(page, 8192);
  }
});
