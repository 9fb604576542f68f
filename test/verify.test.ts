/**
 * verify on the real kernel: every check passes here, a guard made a silent no-op by seccomp fails
 * its strategy (rows failed, not measured), an old kernel (EINVAL) skips instead of failing, and
 * the checks leave no mapping behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runNode, scratchDir } from './helpers.js';
import { parseRun } from '../src/results/schema.js';
import { probeFeatures } from '../src/probe/features.js';
import { runVerification, type CheckResult } from '../src/verify/index.js';
import { raw } from '../src/sys/libc.js';
import { readMaps } from '../src/metrics/maps.js';

const probe = probeFeatures();

test('guardbench verify prints a pass/fail table and exits 0 on this kernel', () => {
  const r = runCli(['verify']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^pass\s+guard-madvise: traps-sigsegv\s/m);
  assert.match(r.stdout, /^pass\s+guard-process-madvise: process-madvise-bytes\s/m);
  assert.match(r.stdout, /^pass\s+prot-none: traps-sigsegv\s/m);
  assert.match(r.stdout, /\d+ passed, 0 failed, \d+ skipped/);
  assert.doesNotMatch(r.stdout, /^FAIL/m);
});

test('the checks cover guard-semantics items 1-3, 5-12, 15, 27, 28 for both marker strategies', () => {
  const { results, failed } = runVerification(probe);
  assert.deepEqual(failed, {});
  for (const strategy of ['guard-madvise', 'guard-process-madvise']) {
    const passed = results.filter((r: CheckResult) => r.strategy === strategy && r.ok && !r.skipped);
    const items = new Set(passed.flatMap((r) => r.items));
    // 5 (process_madvise's byte count) is process_madvise's alone
    const want = [1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 15, 27, 28, ...(strategy === 'guard-process-madvise' ? [5] : [])];
    for (const item of want) assert.ok(items.has(item), `${strategy}: item ${item} not passed`);
  }
});

test('a silent no-op install fails both marker strategies: failed rows, not numbers', () => {
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
    const traps = run.verify.find((v) => v.check === `${strategy}: traps-sigsegv`);
    assert.equal(traps?.ok, false, `${strategy}: traps-sigsegv should fail: ${traps?.detail}`);
    // munmap-clears passes even with no guard at all: a check that asserts an absence cannot fail here
    const failedChecks = run.verify.filter((v) => v.check.startsWith(`${strategy}: `) && !v.ok);
    assert.ok(failedChecks.length >= 8, `${strategy}: only ${failedChecks.length} checks failed`);
  }
  assert.ok(run.verify.filter((v) => v.check.startsWith('prot-none: ')).every((v) => v.ok), 'prot-none still verifies');
  for (const strategy of ['no-guard', 'prot-none']) {
    assert.ok(run.rows.some((x) => x.strategy === strategy && x.status === 'ok' && x.stats), `${strategy} measured`);
  }
});

test('guardbench verify exits 1 when guards are no-ops, 0 with checks skipped when the kernel lacks them', () => {
  const noop = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', 'noop', '--', 'verify']);
  assert.equal(noop.code, 1, noop.stdout);
  assert.match(noop.stdout, /^FAIL\s+guard-madvise: traps-sigsegv\s+the guard page: a read should fault, the child exited 0/m);
  const old = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', 'einval', '--', 'verify']);
  assert.equal(old.code, 0, old.stdout);
  assert.match(old.stdout, /^skip\s+guard-madvise: traps-sigsegv\s+skipped: .*EINVAL.*6\.13/m);
  assert.match(old.stdout, /^pass\s+prot-none: traps-sigsegv/m);
  assert.doesNotMatch(old.stdout, /^FAIL/m);
});

test('verification unmaps everything it mapped', () => {
  const used: { start: number; end: number }[] = [];
  const real = raw.mmap;
  raw.mmap = (addr, len, prot, flags, fd, off) => {
    const got = real(addr, len, prot, flags, fd, off);
    if (typeof got === 'number') used.push({ start: got, end: got + len });
    return got;
  };
  try {
    runVerification(probe);
  } finally {
    raw.mmap = real;
  }
  assert.ok(used.length > 20, `only ${used.length} mappings seen`);
  const left = readMaps().filter((e) => used.some((u) => e.start < u.end && e.end > u.start));
  assert.deepEqual(left, []);
});
