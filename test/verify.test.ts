/**
 * verify on the real kernel: every check passes here on every memory kind, a guard made a silent
 * no-op by seccomp fails every check that needs one (rows failed, not measured), an old kernel
 * (EINVAL) skips instead of failing, and the checks leave no mapping or descriptor behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runNode, scratchDir } from './helpers.js';
import { parseRun } from '../src/results/schema.js';
import { probeFeatures } from '../src/probe/features.js';
import { runVerification, type CheckResult } from '../src/verify/index.js';
import { raw } from '../src/sys/libc.js';
import { readMaps } from '../src/metrics/maps.js';

const probe = probeFeatures();

/**
 * One verification of every kind serves the coverage and cleanup tests: every mapping the checks
 * make goes through raw.mmap, so a spy on it lists what must be gone afterwards.
 */
const used: { start: number; end: number }[] = [];
const fdsBefore = readdirSync('/proc/self/fd').length;
const verification = (() => {
  const real = raw.mmap;
  raw.mmap = (addr, len, prot, flags, fd, off) => {
    const got = real(addr, len, prot, flags, fd, off);
    if (typeof got === 'number') used.push({ start: got, end: got + len });
    return got;
  };
  try {
    return runVerification(probe);
  } finally {
    raw.mmap = real;
  }
})();

test('guardbench verify prints the memory kinds it checked and a pass/fail table, and exits 0 on this kernel', () => {
  const r = runCli(['verify']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^memory kinds checked: anon \(private anonymous\), shmem \(a memfd\), file \(\S+ in \S+\)$/m);
  for (const kind of ['anon', 'shmem', 'file']) {
    assert.match(r.stdout, new RegExp(`^pass\\s+guard-madvise/${kind}: traps-sigsegv\\s`, 'm'));
    assert.match(r.stdout, new RegExp(`^pass\\s+guard-process-madvise/${kind}: process-madvise-bytes\\s`, 'm'));
    assert.match(r.stdout, new RegExp(`^pass\\s+prot-none/${kind}: traps-sigsegv\\s`, 'm'));
  }
  assert.match(r.stdout, /\d+ passed, 0 failed, \d+ skipped/);
  assert.doesNotMatch(r.stdout, /^FAIL/m);
});

test('every check runs per memory kind, and the kinds cover guard-semantics items as the selftest variants do', () => {
  const { results, failed, kinds } = verification;
  assert.deepEqual(failed, {});
  assert.deepEqual(kinds, ['anon', 'shmem', 'file']);
  const common = [1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 17, 27, 28, 30];
  const byKind: Record<string, number[]> = {
    anon: [...common, 15, 29], shmem: [...common, 23, 24, 25, 29], file: [...common, 20, 21, 23, 24],
  };
  for (const strategy of ['guard-madvise', 'guard-process-madvise']) {
    for (const kind of kinds) {
      const passed = results.filter((r: CheckResult) => r.strategy === strategy && r.memory === kind && r.ok && !r.skipped);
      const items = new Set(passed.flatMap((r) => r.items));
      // 5 (process_madvise's byte count) is process_madvise's alone; on shared kinds process_madvise
      // runs the checks of the call (traps, byte count, pagemap), madvise the rest, as in the selftest
      const want = strategy === 'guard-madvise' ? byKind[kind]! : kind === 'anon' ? [...byKind.anon!, 5] : [1, 5, 27, 28];
      for (const item of want) assert.ok(items.has(item), `${strategy}/${kind}: item ${item} not passed`);
    }
  }
  for (const r of results) assert.equal(r.check, `${r.strategy}/${r.memory}: ${r.check.split(': ')[1]}`);
  // A skip names the kernel's reason, never a bare version: the only one here is a file collapse.
  for (const r of results.filter((x) => x.skipped)) assert.match(r.detail, /MADV_COLLAPSE refuses this file range even without a guard/, r.check);
});

test('verification unmaps everything it mapped and closes every descriptor it opened', () => {
  assert.ok(used.length > 60, `only ${used.length} mappings seen`);
  const left = readMaps().filter((e) => used.some((u) => e.start < u.end && e.end > u.start));
  assert.deepEqual(left, []);
  assert.equal(readdirSync('/proc/self/fd').length, fdsBefore);
});

test('a silent no-op install fails both marker strategies on every kind: failed rows, not numbers', () => {
  const out = scratchDir();
  const r = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', 'noop-install', '--',
    'run', '--quick', '--workload', 'allocator-arenas', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const run = parseRun(readFileSync(join(out, 'run.json'), 'utf8'));
  for (const strategy of ['guard-madvise', 'guard-process-madvise']) {
    const rows = run.rows.filter((x) => x.strategy === strategy);
    assert.ok(rows.length > 0, `${strategy} has rows`);
    for (const row of rows) {
      assert.equal(row.status, 'failed', `${strategy}/${row.metric}`);
      assert.equal(row.value, null);
      assert.match(row.reason ?? '', /failed verification/);
    }
    const traps = run.verify.find((v) => v.check === `${strategy}/anon: traps-sigsegv`);
    assert.equal(traps?.ok, false, `${strategy}: traps-sigsegv should fail: ${traps?.detail}`);
    // munmap-clears must see the guard before it checks that munmap took it away
    const munmap = run.verify.find((v) => v.check === `${strategy}/anon: munmap-clears`);
    assert.equal(munmap?.ok, false, `${strategy}: munmap-clears should fail: ${munmap?.detail}`);
  }
  assert.ok(run.verify.filter((v) => v.check.startsWith('prot-none/')).every((v) => v.ok), 'prot-none still verifies');
  for (const strategy of ['no-guard', 'prot-none']) {
    assert.ok(run.rows.some((x) => x.strategy === strategy && x.status === 'ok' && x.stats), `${strategy} measured`);
  }
});

test('guardbench verify exits 1 when guards are no-ops, failing every check that needs one; 0 with skips when the kernel lacks them', () => {
  const noop = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', 'noop', '--', 'verify']);
  assert.equal(noop.code, 1, noop.stdout);
  assert.match(noop.stdout, /^FAIL\s+guard-madvise\/anon: traps-sigsegv\s+the guard page: a read should fault, the child exited 0/m);
  for (const kind of ['anon', 'shmem', 'file']) {
    for (const check of ['munmap-clears', 'pagemap-bit58-exact', 'pagemap-scan-exact', 'gu-flag-split-merge', 'collapse-keeps-or-refuses']) {
      assert.match(noop.stdout, new RegExp(`^FAIL\\s+guard-madvise/${kind}: ${check}\\s`, 'm'), `${kind}: ${check}`);
    }
  }
  // Nothing that needs a guard is skipped, least of all for a kernel version: the install "worked".
  assert.doesNotMatch(noop.stdout, /^skip\s+guard-/m);
  const old = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', 'einval', '--', 'verify']);
  assert.equal(old.code, 0, old.stdout);
  assert.match(old.stdout, /^skip\s+guard-madvise\/anon: traps-sigsegv\s+skipped: .*EINVAL.*6\.13/m);
  assert.match(old.stdout, /^pass\s+prot-none\/shmem: traps-sigsegv/m);
  assert.doesNotMatch(old.stdout, /^FAIL/m);
});
