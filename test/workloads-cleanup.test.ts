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
import { STRATEGY_NAMES } from '../src/results/schema.js';
import { SysError, madvise, mmap, munmap, raw } from '../src/sys/libc.js';
import { MADV_GUARD_INSTALL } from '../src/sys/constants.js';

const probe = probeFeatures();
const strategies = makeStrategies(probe);
const budget = { timeMs: 0, minIterations: 2, warmupIterations: 0 };

/** The first point of each quick axis, shrunk so the test stays fast (Node's --test smoke mode). */
function smokeParams(workload: string) {
  const [axes] = axisSets(PROFILES.quick.workloads[workload]);
  const [first] = crossProduct(Object.fromEntries(Object.entries(axes!).map(([k, v]) => [k, [v[0]!]])));
  const p = { ...first! };
  for (const k of ['regions', 'guards', 'stacks']) if (typeof p[k] === 'number') p[k] = Math.min(p[k] as number, 64);
  return p;
}

/**
 * Every mapping the workloads make goes through raw.mmap (the checked wrapper calls it too), so a
 * spy on it lists the address ranges a point used. Afterwards none of them may still be mapped.
 * This is exact however much Node maps for itself meanwhile.
 */
const usedRanges: { start: number; end: number }[] = [];
const realMmap = raw.mmap;
raw.mmap = (addr, len, prot, flags, fd, off) => {
  const got = realMmap(addr, len, prot, flags, fd, off);
  if (typeof got === 'number') usedRanges.push({ start: got, end: got + len });
  return got;
};

function stillMapped(ranges: readonly { start: number; end: number }[]): Vma[] {
  const maps = readMaps();
  return maps.filter((e) => ranges.some((r) => e.start < r.end && e.end > r.start));
}

for (const workload of WORKLOADS) {
  test(`${workload.name} unmaps everything it mapped, under every strategy`, () => {
    for (const name of STRATEGY_NAMES) {
      if (workload.strategies && !workload.strategies.includes(name)) continue;
      const params = smokeParams(workload.name);
      if (workload.applies && !workload.applies(name, params)) continue;
      usedRanges.length = 0;
      const rows = runPoint({ workload, strategy: strategies[name], params }, { probe, budget });
      // ceiling grows its guards in a child process of its own and maps nothing here
      if (workload.name !== 'ceiling') assert.ok(usedRanges.length > 0, `${workload.name}/${name} mapped nothing through raw.mmap`);
      const left = stillMapped(usedRanges);
      assert.deepEqual(left, [], `${workload.name}/${name} left ${left.length} VMAs mapped`);
      const failed = rows.filter((r) => r.status === 'failed');
      assert.deepEqual(failed, [], `${workload.name}/${name} failed rows`);
    }
  });
}

test('the check sees a mapping left behind', () => {
  usedRanges.length = 0;
  const leak = mmap(3 * 4096);
  try {
    assert.equal(stillMapped(usedRanges).length, 1);
  } finally {
    munmap(leak, 3 * 4096);
  }
  assert.equal(stillMapped(usedRanges).length, 0);
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
