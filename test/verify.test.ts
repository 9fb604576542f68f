/**
 * verify on the real kernel: every check passes here on every memory kind, a guard made a silent
 * no-op by seccomp fails every check that needs one (rows failed, not measured), a remove made a
 * no-op fails every check that removes a guard, an old kernel (EINVAL) skips instead of failing,
 * and the checks leave no mapping or descriptor behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runNode, scratchDir, subtractRanges, type AddressRange } from './helpers.js';
import { parseRun } from '../src/results/schema.js';
import { probeFeatures } from '../src/probe/features.js';
import { CHECKS, runVerification, type CheckResult } from '../src/verify/index.js';
import { libcFunction, processMadviseNr, raw } from '../src/sys/libc.js';
import { MADV_GUARD_REMOVE } from '../src/sys/constants.js';
import { readMaps } from '../src/metrics/maps.js';
import { main as verifyMain } from '../src/commands/verify.js';
import { UsageError } from '../src/errors.js';

const probe = probeFeatures();

/** The results of `verify --format json`. */
interface VerifyJson { kinds: string[]; kindsWhy: string; results: CheckResult[] }

/**
 * One verification of every kind serves the coverage, cleanup and no-op-remove tests: every
 * mapping the checks make goes through raw.mmap, so a spy on it lists what must be gone
 * afterwards; and every MADV_GUARD_REMOVE they ask for (by madvise, process_madvise, or in a
 * child's chain of calls) is seen by spies on raw.madvise, raw.syscall and raw.makecontext, so the
 * checks that rely on remove are known from what they did, not from a list.
 */
const used: AddressRange[] = [];
const freed: AddressRange[] = [];
const removers = new Set<string>();
const fdsBefore = readdirSync('/proc/self/fd').length;
const verification = (() => {
  let current = '';
  const checks = CHECKS.map((c) => ({
    ...c,
    run(env: Parameters<typeof c.run>[0]) {
      current = `${env.strategy.name}/${env.scratch.kind}: ${c.name}`;
      try {
        return c.run(env);
      } finally {
        current = '';
      }
    },
  }));
  const real = { mmap: raw.mmap, munmap: raw.munmap, mremap: raw.mremap, madvise: raw.madvise, syscall: raw.syscall, makecontext: raw.makecontext };
  const removing = (yes: boolean) => {
    if (yes && current) removers.add(current);
  };
  const madviseFn = libcFunction('madvise');
  raw.mmap = (addr, len, prot, flags, fd, off) => {
    const got = real.mmap(addr, len, prot, flags, fd, off);
    if (typeof got === 'number') used.push({ start: got, end: got + len });
    return got;
  };
  raw.munmap = (addr, len) => {
    const rc = real.munmap(addr, len);
    if (rc === 0) freed.push({ start: addr, end: addr + len });
    return rc;
  };
  // mremap frees what it moves or shrinks away and maps where it moves or grows to.
  raw.mremap = (old, oldLen, newLen, flags, to) => {
    const got = real.mremap(old, oldLen, newLen, flags, to);
    if (typeof got === 'number') {
      freed.push({ start: old, end: old + oldLen });
      used.push({ start: got, end: got + newLen });
    }
    return got;
  };
  raw.madvise = (addr, len, advice) => {
    removing(advice === MADV_GUARD_REMOVE);
    return real.madvise(addr, len, advice);
  };
  raw.syscall = (nr, a1, a2, a3, a4, a5, a6) => {
    removing(nr === processMadviseNr() && a4 === MADV_GUARD_REMOVE);
    return real.syscall(nr, a1, a2, a3, a4, a5, a6);
  };
  raw.makecontext = (ucp, fn, argc, ...args) => {
    removing(fn === madviseFn && args[5] === MADV_GUARD_REMOVE);
    real.makecontext(ucp, fn, argc, ...args);
  };
  try {
    return runVerification(probe, { checks });
  } finally {
    Object.assign(raw, real);
  }
})();
// What the checks mapped and never unmapped, from the spies: Node's own allocations may land in the
// ranges they freed (a 3.3 MiB anonymous mapping did, in a full suite), which maps alone would call a leak.
const neverUnmapped = subtractRanges(used, freed);
const leftMapped = readMaps().filter((e) => neverUnmapped.some((u) => e.start < u.end && e.end > u.start));
const fdsAfter = readdirSync('/proc/self/fd').length;

test('guardbench verify prints the memory kinds it checked and a pass/fail table, and exits 0 on this kernel', () => {
  const r = runCli(['verify']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^memory kinds checked: anon \(private anonymous\), shmem \(a memfd\), file \(\S+ in \S+\), every kind \(no --memory given\)$/m);
  assert.match(r.stdout, /^strategies checked: prot-none, guard-madvise, guard-process-madvise, every strategy that installs a guard/m);
  assert.match(r.stdout, /^anon: \d+ checks, \d+ passed, 0 failed, \d+ skipped$/m);
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
  const common = [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 16, 17, 27, 28, 30];
  const byKind: Record<string, number[]> = {
    anon: [...common, 13, 14, 15, 18, 26, 29],
    shmem: [...common, 18, 19, 20, 22, 23, 24, 25, 29],
    file: [...common, 19, 20, 21, 22, 23, 24],
  };
  for (const strategy of ['guard-madvise', 'guard-process-madvise']) {
    for (const kind of kinds) {
      const passed = results.filter((r: CheckResult) => r.strategy === strategy && r.memory === kind && r.ok && !r.skipped);
      const items = new Set(passed.flatMap((r) => r.items));
      // 5 (process_madvise's byte count) is process_madvise's alone; on shared kinds process_madvise
      // runs the checks of the call (traps, byte count, pagemap), madvise the rest, as in the selftest
      const want = strategy === 'guard-madvise' ? byKind[kind]! : kind === 'anon' ? [...byKind.anon!, 5] : [1, 4, 5, 27, 28];
      for (const item of want) assert.ok(items.has(item), `${strategy}/${kind}: item ${item} not passed`);
    }
  }
  for (const r of results) assert.equal(r.check, `${r.strategy}/${r.memory}: ${r.check.split(': ')[1]}`);
  // A skip names the cause it measured, never a bare version: the only one here is a file collapse,
  // refused without a guard too, for a kernel option read from its configuration, and it keeps
  // what was seen with the guard.
  for (const r of results.filter((x) => x.skipped)) {
    assert.match(r.detail, /MADV_COLLAPSE refuses this file range without a guard too \(\w+; (this kernel is built with(out)? CONFIG_READ_ONLY_THP_FOR_FS|CONFIG_READ_ONLY_THP_FOR_FS unknown)/, r.check);
    assert.match(r.detail, /the guard still trapped/, r.check);
  }
});

test('--memory and --strategy choose what is checked, and the summary says so', () => {
  const r = runCli(['verify', '--memory', 'shmem', '--strategy', 'guard-madvise', '--format', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout) as VerifyJson & { strategies: string[]; strategiesWhy: string };
  assert.deepEqual(out.kinds, ['shmem']);
  assert.equal(out.kindsWhy, 'as --memory asked');
  assert.deepEqual(out.strategies, ['guard-madvise']);
  assert.ok(out.results.length > 20);
  assert.ok(out.results.every((x) => x.memory === 'shmem' && x.strategy === 'guard-madvise'));
});

test('verify refuses an unknown kind, strategy or format with a usage error, before checking anything', async () => {
  for (const bad of [['--memory', 'swap'], ['--memory', 'anon,swap'], ['--strategy', 'no-guard'], ['--format', 'xml'], ['--json', '--format', 'ktap']]) {
    await assert.rejects(verifyMain(bad), (e: Error) => e instanceof UsageError && /unknown|contradict/.test(e.message), bad.join(' '));
  }
});

test('verification unmaps everything it mapped and closes every descriptor it opened', () => {
  assert.ok(used.length > 60, `only ${used.length} mappings seen`);
  assert.deepEqual(leftMapped, []);
  assert.equal(fdsAfter, fdsBefore);
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

function verifyUnder(mode: string): { code: number; out: VerifyJson } {
  const r = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', mode, '--', 'verify', '--format', 'json']);
  return { code: r.code ?? -1, out: JSON.parse(r.stdout) as VerifyJson };
}

const guardChecks = (out: VerifyJson) => out.results.filter((x) => x.strategy !== 'prot-none');

test('a no-op install fails every guard check on every kind: none skips, none passes; the kernel\'s answers read as verdicts', () => {
  const { code, out } = verifyUnder('noop-install');
  assert.equal(code, 1);
  const guarded = guardChecks(out);
  assert.ok(guarded.length > 80, `${guarded.length} guard checks`);
  for (const r of guarded) assert.ok(!r.ok && !r.skipped, `${r.check} should fail: ${r.detail}`);
  for (const r of out.results.filter((x) => x.strategy === 'prot-none')) assert.ok(r.ok && !r.skipped, `${r.check}: ${r.detail}`);
  const traps = out.results.find((x) => x.check === 'guard-process-madvise/anon: traps-sigsegv');
  assert.match(traps?.detail ?? '', /^kernel verdict on the guard-process-madvise install over 1 page: process_madvise advised 0 of 4096 bytes/);
  assert.ok(out.results.every((x) => !x.detail.startsWith('error:')), 'no result blames guardbench');
});

test('a no-op remove fails exactly the guard checks that remove a guard, collapse included, and no other', () => {
  const { code, out } = verifyUnder('noop-remove');
  assert.equal(code, 1);
  assert.ok(removers.size > 40, `${removers.size} checks seen removing a guard`);
  for (const kind of ['anon', 'shmem']) {
    assert.ok(removers.has(`guard-madvise/${kind}: collapse-keeps-or-refuses`));
    const collapse = out.results.find((x) => x.check === `guard-madvise/${kind}: collapse-keeps-or-refuses`);
    assert.match(collapse?.detail ?? '', /the former guard page after remove, before MADV_COLLAPSE is tried without it: a write should succeed, the child SIGSEGV/);
  }
  for (const r of guardChecks(out)) {
    if (removers.has(r.check)) assert.ok(!r.ok && !r.skipped, `${r.check} removes a guard and should fail: ${r.detail}`);
    else assert.ok(r.ok && !r.skipped, `${r.check} never removes a guard and should pass: ${r.detail}`);
  }
});

test('guardbench verify exits 1 when guards are no-ops, failing every check that needs one; 0 with skips when the kernel lacks them', () => {
  const noop = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', 'noop', '--', 'verify']);
  assert.equal(noop.code, 1, noop.stdout);
  assert.match(noop.stdout, /^FAIL\s+guard-madvise\/anon: traps-sigsegv\s+the guard page: a read should fault, the child exited 0/m);
  // Nothing that needs a guard is skipped, least of all for a kernel version: the install "worked".
  assert.doesNotMatch(noop.stdout, /^skip\s+guard-/m);
  const old = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', 'einval', '--', 'verify']);
  assert.equal(old.code, 0, old.stdout);
  assert.match(old.stdout, /^skip\s+guard-madvise\/anon: traps-sigsegv\s+skipped: .*EINVAL.*6\.13/m);
  assert.match(old.stdout, /^pass\s+prot-none\/shmem: traps-sigsegv/m);
  assert.doesNotMatch(old.stdout, /^FAIL/m);
});
