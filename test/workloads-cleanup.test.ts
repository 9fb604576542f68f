/**
 * Every workload returns the process to the VMA count it started with, under every strategy, and
 * a failing libc call says which call and which errno.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WORKLOADS } from '../src/workloads/index.js';
import { PROFILES } from '../bench/profiles.js';
import { crossProduct } from '../src/runner/axes.js';
import { runPoint } from '../src/runner/runner.js';
import { probeFeatures } from '../src/probe/features.js';
import { makeStrategies } from '../src/strategies/index.js';
import { countVmas } from '../src/metrics/vmas.js';
import { STRATEGY_NAMES } from '../src/results/schema.js';
import { SysError, madvise, mmap, munmap } from '../src/sys/libc.js';
import { MADV_GUARD_INSTALL } from '../src/sys/constants.js';

const probe = probeFeatures();
const strategies = makeStrategies(probe);
const budget = { timeMs: 0, minIterations: 2, warmupIterations: 0 };

/** The first point of each quick axis, shrunk so the test stays fast (Node's --test smoke mode). */
function smokeParams(workload: string) {
  const axes = PROFILES.quick.workloads[workload] ?? {};
  const [first] = crossProduct(Object.fromEntries(Object.entries(axes).map(([k, v]) => [k, [v[0]!]])));
  const p = { ...first! };
  for (const k of ['regions', 'guards', 'stacks']) if (typeof p[k] === 'number') p[k] = Math.min(p[k] as number, 64);
  return p;
}

for (const workload of WORKLOADS) {
  test(`${workload.name} leaves the VMA count where it found it, under every strategy`, () => {
    for (const name of STRATEGY_NAMES) {
      if (workload.strategies && !workload.strategies.includes(name)) continue;
      const params = smokeParams(workload.name);
      if (workload.applies && !workload.applies(name, params)) continue;
      // The first pass lets Node settle (V8 heap pages, a malloc arena for a helper thread); the
      // second must leave the count exactly where it found it.
      const plan = { workload, strategy: strategies[name], params };
      runPoint(plan, { probe, budget });
      const before = countVmas();
      const rows = runPoint(plan, { probe, budget });
      const after = countVmas();
      assert.equal(after, before, `${workload.name}/${name} changed the VMA count by ${after - before}`);
      const failed = rows.filter((r) => r.status === 'failed');
      assert.deepEqual(failed, [], `${workload.name}/${name} failed rows`);
    }
  });
}

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
