/**
 * On a kernel without guard markers the guard strategies are skipped with a reason and the rest
 * runs. A seccomp filter makes this kernel answer guard advice with EINVAL, as 6.12 does, or
 * return 0 and do nothing (a broken guard, which the probe must not blame on the kernel version).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode, scratchDir } from './helpers.js';
import { parseRun } from '../src/results/schema.js';
import { memoryUnavailableReason, makeStrategies } from '../src/strategies/index.js';
import { probeFeatures, type FeatureProbe } from '../src/probe/features.js';

test('guard strategies are skipped with the reason; prot-none and no-guard still measure', () => {
  const out = scratchDir();
  const r = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', 'einval', '--',
    'run', '--quick', '--workload', 'allocator-arenas', '--regions', '1024', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const run = parseRun(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(run.env.features.guardInstall, false);
  assert.equal(run.env.features.processMadvise, false);
  for (const strategy of ['guard-madvise', 'guard-process-madvise']) {
    const rows = run.rows.filter((x) => x.strategy === strategy);
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.equal(row.status, 'skipped');
      assert.match(row.reason ?? '', /EINVAL/);
      assert.match(row.reason ?? '', /6\.13/);
    }
  }
  for (const strategy of ['no-guard', 'prot-none']) {
    assert.ok(run.rows.some((x) => x.strategy === strategy && x.status === 'ok' && x.stats), `${strategy} measured`);
  }
  const vmas = run.rows.find((x) => x.strategy === 'prot-none' && x.metric === 'vma_delta');
  assert.equal(vmas?.value, 2 * 1024 - 1);
});

test('an install that returns success and does nothing is reported as such, never as a missing kernel version', () => {
  const r = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', 'noop', '--', 'probe', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const env = JSON.parse(r.stdout) as { features: Record<string, boolean>; featureReasons: Record<string, string> };
  assert.equal(env.features.guardInstall, true, 'the call answered');
  for (const f of ['pagemapGuardBit', 'pagemapScanGuard', 'smapsGuardFlag']) {
    assert.equal(env.features[f], false);
    assert.match(env.featureReasons[f] ?? '', /install returned success but no guard appeared/, f);
    assert.doesNotMatch(env.featureReasons[f] ?? '', /needs Linux/, f);
  }
  for (const f of ['guardShmem', 'guardFile']) assert.match(env.featureReasons[f] ?? '', /returned success but no guard appeared/, f);
});

test('a memory kind whose markers the kernel refuses skips only the marker strategies there; one it cannot map skips all', () => {
  const real = probeFeatures();
  const strategies = makeStrategies(real);
  const refused: FeatureProbe = { ...real, features: { ...real.features, guardShmem: false }, reasons: { guardShmem: 'MADV_GUARD_INSTALL on a memfd (shmem) mapping failed with EINVAL' } };
  assert.match(memoryUnavailableReason(strategies['guard-madvise'], 'shmem', refused) ?? '', /guard-madvise on shmem: .*EINVAL/);
  assert.match(memoryUnavailableReason(strategies['guard-process-madvise'], 'shmem', refused) ?? '', /EINVAL/);
  assert.equal(memoryUnavailableReason(strategies['prot-none'], 'shmem', refused), null);
  assert.equal(memoryUnavailableReason(strategies['guard-madvise'], 'file', refused), null);
  const unmappable: FeatureProbe = { ...real, unmappable: { file: 'a file in /ro: EROFS' } };
  for (const s of ['no-guard', 'prot-none', 'guard-madvise'] as const) {
    assert.match(memoryUnavailableReason(strategies[s], 'file', unmappable) ?? '', /file memory cannot be mapped here: .*EROFS/);
    assert.equal(memoryUnavailableReason(strategies[s], 'anon', unmappable), null);
  }
});
