/**
 * Other kernels for real. The old-kernel path: `guardbench kernel run` boots the kernel named by
 * GUARDBENCH_TEST_KERNEL (an image file, or a root: .ci/run fetches Debian's current 6.1) in QEMU and
 * checks what test/old-kernel.test.ts imitates with seccomp. A second kernel with markers,
 * GUARDBENCH_TEST_KERNEL_MARKERS (.ci/run fetches the newest series of Debian's archive), is checked
 * for features as their releases say, verify on anon, shmem and file memory (on the guest's scratch
 * disk), 2n-1 VMAs and measured file-backed marker rows, and compared with the 6.1 guest.
 * Features, statuses, counts and bytes are asserted, never timings: under TCG the CPU is emulated.
 * Without the kernels (a developer's machine) the tests here skip and say why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, scratchDir } from './helpers.js';
import { parseRun, type Run } from '../src/results/schema.js';
import { findOnPath, kvmUsable } from '../src/kernel/host-tools.js';
import { readKernelImage, resolveKernelArgument } from '../src/kernel/image.js';
import { FEATURE_SINCE } from '../src/probe/features.js';

const REGIONS = 1024;
const GUEST_TIMEOUT_MS = 20 * 60_000;

/** The image a variable names (an image file or an unpacked root), or why the tests on it cannot run. */
function testKernel(variable: string, fetchedBy: string): { image: string } | { skip: string } {
  const given = process.env[variable];
  if (!given) return { skip: `${variable} is not set (${fetchedBy})` };
  if (!existsSync(given)) return { skip: `${variable}=${given} does not exist` };
  if (!findOnPath('qemu-system-x86_64')) return { skip: 'qemu-system-x86_64 is not installed' };
  try {
    return { image: resolveKernelArgument(given).image };
  } catch (e) {
    return { skip: `${variable}=${given}: ${(e as Error).message}` };
  }
}

const kernel = testKernel('GUARDBENCH_TEST_KERNEL', '.ci/run fetches Debian\'s 6.1 and sets it');
const skip = 'skip' in kernel ? kernel.skip : false;
if (skip) console.log(`kernel-vm tests on an old kernel skipped: ${skip}`);
const image = 'image' in kernel ? kernel.image : '';
// the guest falls back to TCG when KVM cannot run it: the run's own testbed says which it was
const accel = kvmUsable() ? 'kvm' : 'tcg';
/** The accelerator a session ran its guest with: TCG after a KVM that could not run it. */
function usedAccel(stderr: string): 'kvm' | 'tcg' {
  return accel === 'kvm' && !/KVM cannot run this guest here/.test(stderr) ? 'kvm' : 'tcg';
}
const markersKernel = testKernel('GUARDBENCH_TEST_KERNEL_MARKERS', '.ci/run fetches the newest series of Debian\'s archive and sets it');
const markersSkip = 'skip' in markersKernel ? markersKernel.skip : false;
if (markersSkip) console.log(`kernel-vm tests on a kernel with markers skipped: ${markersSkip}`);

let guestRun: { run: Run; dir: string } | null = null;

test('guardbench kernel run on an old kernel: guard strategies skipped with the reason, PROT_NONE measured', { skip, timeout: GUEST_TIMEOUT_MS }, () => {
  const dir = join(scratchDir('guardbench-vm-'), 'run');
  const started = Date.now();
  // --append gives the guest this host's THP setting (Debian's kernels default to always)
  const r = runCli(['kernel', 'run', image, '--out', dir, '--append', 'transparent_hugepage=madvise',
    '--', '--quick', '--workload', 'allocator-arenas', '--regions', String(REGIONS)], { timeout: GUEST_TIMEOUT_MS });
  console.log(`guest session: ${((Date.now() - started) / 1000).toFixed(0)} s; ${r.stderr.trim().split('\n').join(' | ')}`);
  assert.equal(r.code, 0, `${r.stderr}\n${r.stdout.slice(-2000)}`);
  assert.match(r.stderr, new RegExp(`under QEMU with ${accel.toUpperCase()}`));
  const used = usedAccel(r.stderr);

  const run = parseRun(readFileSync(join(dir, 'run.json'), 'utf8'));
  guestRun = { run, dir };
  assert.equal(run.complete, true);
  assert.equal(run.env.kernel.release, readKernelImage(image).release);
  assert.equal(run.env.thp, 'madvise', 'the appended kernel parameter reached the guest');

  // probe: every guard feature absent, each with its reason
  const reasons = (run.env as { featureReasons?: Record<string, string> }).featureReasons ?? {};
  for (const [feature, present] of Object.entries(run.env.features)) {
    assert.equal(present, false, `${feature} on ${run.env.kernel.release}`);
    assert.ok((reasons[feature] ?? '').length > 0, `${feature} has a reason`);
  }
  assert.match(reasons.guardInstall ?? '', /EINVAL.*6\.13/);
  assert.match(reasons.processMadvise ?? '', /EINVAL.*6\.13/);

  // verify: the PROT_NONE checks ran and passed, the marker strategies' checks were skipped
  const verify = run.verify as (typeof run.verify[number] & { strategy: string; skipped: boolean })[];
  const protNone = verify.filter((v) => v.strategy === 'prot-none');
  assert.ok(protNone.length >= 6, `${protNone.length} prot-none checks`);
  for (const v of protNone) assert.ok(v.ok && !v.skipped, `${v.check}: ${v.detail}`);
  const markers = verify.filter((v) => v.strategy.startsWith('guard-'));
  assert.ok(markers.length > 0);
  for (const v of markers) assert.ok(v.skipped, `${v.check} should be skipped on ${run.env.kernel.release}`);

  // the run: skipped rows with the reason for markers, real PROT_NONE counts (2n-1 VMAs for n guards)
  for (const strategy of ['guard-madvise', 'guard-process-madvise']) {
    const rows = run.rows.filter((x) => x.strategy === strategy);
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.equal(row.status, 'skipped');
      assert.match(row.reason ?? '', /EINVAL.*6\.13/);
    }
  }
  const vmas = run.rows.find((x) => x.strategy === 'prot-none' && x.metric === 'vma_delta');
  assert.equal(vmas?.status, 'ok');
  assert.equal(vmas?.value, 2 * REGIONS - 1);
  const slab = run.rows.find((x) => x.strategy === 'prot-none' && x.metric === 'vma_slab_bytes');
  assert.equal(slab?.status, 'ok');
  assert.ok((slab?.value ?? 0) > 0, 'VMA slab bytes per PROT_NONE guard measured in the guest');

  // the guest kernel's command line carried the accelerator, which is how the run knows it was in QEMU
  assert.equal(run.env.testbed?.accelerator, used);
  assert.equal(run.env.testbed?.identity.emulated, used === 'tcg');
  const console_ = readFileSync(join(dir, 'kernel-console.log'), 'utf8');
  assert.match(console_, new RegExp(`Command line: .*guardbench\\.accel=${used}\\b`));
  assert.equal(existsSync(join(dir, '.guest-job.sh')), false, 'the job file is not kept with the run');
});

let hostRun: string | null = null;

test('history over the old kernel\'s run and a host run: kernels in order, skipped strategies shown as skipped', { skip, timeout: 5 * 60_000 }, () => {
  assert.ok(guestRun, 'needs the guest run of the test before');
  const host = join(scratchDir('guardbench-vm-host-'), 'run');
  const h = runCli(['run', '--quick', '--workload', 'allocator-arenas', '--regions', String(REGIONS), '--out', host, '--quiet']);
  assert.equal(h.code, 0, h.stderr);
  hostRun = host;
  const r = runCli(['history', host, guestRun.dir, '--metric', 'install', '--metric', 'vma_delta']);
  assert.equal(r.code, 0, r.stderr);
  const oldRelease = guestRun.run.env.kernel.release;
  const hostRelease = parseRun(readFileSync(join(host, 'run.json'), 'utf8')).env.kernel.release;
  assert.match(r.stdout, new RegExp(`oldest kernel first: ${oldRelease.replace(/[.+]/g, '\\$&')}, ${hostRelease.replace(/[.+]/g, '\\$&')}`));
  for (const strategy of ['guard-madvise', 'guard-process-madvise']) {
    const line = r.stdout.split('\n').find((l) => l.startsWith(strategy) && l.includes('skipped'));
    assert.ok(line, `${strategy} shown as skipped on ${oldRelease}:\n${r.stdout}`);
  }
  // history's text wraps at 80 columns, continuation lines indented: read the warning as one line.
  assert.match(r.stdout.replace(/\n {2}/g, ' '), new RegExp(`${oldRelease.replace(/[.+]/g, '\\$&')} skipped guard-madvise, guard-process-madvise: .*EINVAL`));
  const vmaLine = r.stdout.split('\n').find((l) => l.startsWith('prot-none') && l.includes((2 * REGIONS - 1).toLocaleString('en-US')));
  assert.ok(vmaLine, `prot-none VMA counts on both kernels:\n${r.stdout}`);
});

test('a kernel whose 9p is neither a module nor built in: the guest names it, one line, exit 2', { skip, timeout: 10 * 60_000 }, () => {
  // A modules directory that claims everything is built in: the initramfs loads nothing and the
  // guest cannot mount the host's root, as with a kernel built without CONFIG_9P_FS.
  const modules = join(scratchDir('guardbench-vm-modules-'), 'modules');
  mkdirSync(modules);
  writeFileSync(join(modules, 'modules.builtin'), ['virtio_pci', '9pnet_virtio', '9p'].map((m) => `kernel/x/${m}.ko\n`).join(''));
  const r = runCli(['kernel', 'run', image, '--modules', modules, '--out', join(scratchDir(), 'never')], { timeout: 10 * 60_000 });
  assert.equal(r.code, 2, r.stderr);
  // progress lines first (booting, powered off), then the one line that names what is missing
  assert.match(r.stderr.trim().split('\n').pop() ?? '', /^guardbench kernel: 9p: the guest cannot mount the host's root.*CONFIG_9P_FS/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('compare of the host run against the guest run: counts and bytes judged, latencies of another testbed not', { skip, timeout: 5 * 60_000 }, () => {
  assert.ok(guestRun && hostRun, 'needs the runs of the tests before');
  const out = scratchDir('guardbench-vm-compare-');
  const r = runCli(['compare', hostRun, guestRun.dir, '--out', out]);
  // 1 when the slab bytes per guard differ past their noise the wrong way: a verdict, not a failure
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  const rows = (JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as { rows: { strategy: string; metric: string; verdict: string }[] }).rows;
  const protNone = (metric: string) => rows.find((x) => x.strategy === 'prot-none' && x.metric === metric)?.verdict;
  assert.equal(protNone('install'), 'incomparable');
  assert.equal(protNone('vma_delta'), 'unchanged', 'the same 2n-1 VMAs on both kernels');
  assert.ok(['unchanged', 'improved', 'regressed', 'changed', 'noisy', 'inconclusive'].includes(protNone('vma_slab_bytes') ?? ''), `slab bytes judged: ${protNone('vma_slab_bytes')}`);
});

/** A release's MAJOR.MINOR as one comparable number (7.3 -> 7003). */
function seriesNumber(release: string): number {
  const [major, minor] = release.split(/[.-]/).map(Number) as [number, number];
  return major * 1000 + minor;
}

let markersRun: { run: Run; dir: string } | null = null;

test('guardbench kernel run on a kernel with markers: features as their releases say, verify on anon, shmem and file, file-backed marker rows measured', { skip: markersSkip, timeout: GUEST_TIMEOUT_MS }, () => {
  const root = process.env.GUARDBENCH_TEST_KERNEL_MARKERS!;
  const dir = join(scratchDir('guardbench-vm-markers-'), 'run');
  const started = Date.now();
  const r = runCli(['kernel', 'run', root, '--out', dir, '--append', 'transparent_hugepage=madvise',
    '--', '--quick', '--workload', 'allocator-arenas', '--regions', String(REGIONS), '--memory', 'anon,shmem,file'], { timeout: GUEST_TIMEOUT_MS });
  console.log(`guest session with markers: ${((Date.now() - started) / 1000).toFixed(0)} s; ${r.stderr.trim().split('\n').join(' | ')}`);
  assert.equal(r.code, 0, `${r.stderr}\n${r.stdout.slice(-2000)}`);
  assert.match(r.stderr, /scratch disk: ext4 on a virtio block device/, 'the guest mounted its scratch disk');

  const run = parseRun(readFileSync(join(dir, 'run.json'), 'utf8'));
  markersRun = { run, dir };
  const release = run.env.kernel.release;
  assert.equal(release, readKernelImage(resolveKernelArgument(root).image).release);
  assert.equal(run.env.testbed?.accelerator, usedAccel(r.stderr));

  // every feature present exactly when the kernel is at least the release that brought it
  const reasons = (run.env as { featureReasons?: Record<string, string> }).featureReasons ?? {};
  for (const [feature, since] of Object.entries(FEATURE_SINCE)) {
    const expected = seriesNumber(release) >= seriesNumber(since);
    assert.equal((run.env.features as Record<string, boolean>)[feature], expected, `${feature} (since ${since}) on ${release}: ${reasons[feature] ?? ''}`);
  }
  assert.equal(run.env.features.guardFile, true, 'file-backed guards probed on the scratch disk');

  // verify: checks ran on each memory kind, and every one that ran passed
  const verify = run.verify as (typeof run.verify[number] & { strategy: string; memory?: string; skipped: boolean })[];
  for (const memory of ['anon', 'shmem', 'file']) {
    const ran = verify.filter((v) => (v.memory ?? 'anon') === memory && !v.skipped);
    assert.ok(ran.some((v) => v.strategy === 'guard-madvise'), `guard-madvise checks ran on ${memory}`);
    for (const v of ran) assert.ok(v.ok, `${v.check} on ${release}: ${v.detail}`);
  }

  // 2n-1 VMAs for n PROT_NONE guards on every kind; markers add none and are measured on file memory
  const rowsOf = (strategy: string, metric: string, memory: string) =>
    run.rows.filter((x) => x.strategy === strategy && x.metric === metric && ((x.params as { memory?: string }).memory ?? 'anon') === memory);
  for (const memory of ['anon', 'shmem', 'file']) {
    const vmas = rowsOf('prot-none', 'vma_delta', memory);
    assert.equal(vmas.length, 1, `one prot-none vma_delta row on ${memory}`);
    assert.equal(vmas[0]!.value, 2 * REGIONS - 1, `prot-none VMAs on ${memory}`);
  }
  const fileMarkers = run.rows.filter((x) => x.strategy === 'guard-madvise' && (x.params as { memory?: string }).memory === 'file');
  assert.ok(fileMarkers.length > 0);
  for (const row of fileMarkers) assert.equal(row.status, 'ok', `${row.metric} on file memory: ${row.reason ?? ''}`);
  assert.equal(rowsOf('guard-madvise', 'vma_delta', 'file')[0]?.value, 0, 'markers on file memory add no VMA');
});

test('compare of the 6.1 guest against the guest with markers: counts and bytes judged, latencies refused', { skip: (skip || markersSkip) && `${skip || markersSkip}`, timeout: 5 * 60_000 }, () => {
  assert.ok(guestRun && markersRun, 'needs both guest runs of the tests before');
  const out = scratchDir('guardbench-vm-compare-kernels-');
  const r = runCli(['compare', guestRun.dir, markersRun.dir, '--out', out]);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  const rows = (JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as { rows: { strategy: string; metric: string; verdict: string; params?: Record<string, unknown> }[] }).rows;
  const anon = (strategy: string, metric: string) =>
    rows.find((x) => x.strategy === strategy && x.metric === metric && ((x.params?.memory as string | undefined) ?? 'anon') === 'anon')?.verdict;
  assert.equal(anon('prot-none', 'vma_delta'), 'unchanged', 'the same 2n-1 VMAs on both kernels');
  assert.ok(['unchanged', 'improved', 'regressed', 'changed', 'noisy'].includes(anon('prot-none', 'vma_slab_bytes') ?? ''), `slab bytes judged: ${anon('prot-none', 'vma_slab_bytes')}`);
  for (const metric of ['install', 'churn', 'teardown']) assert.equal(anon('prot-none', metric), 'incomparable', `${metric}: emulated latencies are never judged`);
});
