/**
 * The kernel trail on fixed runs (real runs of this machine: 6.12 and 6.16 in TCG guests, this
 * host's 6.18 natively): columns in release order, change points named at the release where they
 * appear and only beyond a figure's noise, the slab bytes per guard taken apart by cache, the
 * feature probe held against the feature history, latencies never across testbeds, and the
 * report rebuilt by the CLI, its HTML opened in real Chromium.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildTrail, type TrailFigure } from '../src/analysis/trail.js';
import { releaseHas } from '../src/analysis/feature-check.js';
import { changePoints, splitTransients, type TrailCell } from '../src/analysis/trail-figures.js';
import { readRun } from '../src/results/read.js';
import type { Run } from '../src/results/schema.js';
import { FEATURE_HISTORY } from '../src/results/feature-history.js';
import { renderTrailMarkdown } from '../src/trail/markdown.js';
import { isOneLineError, runCli, scratchDir, ROOT } from './helpers.js';
import { launchChromium, openDrawn } from './browser.js';

const FIXTURES = join(ROOT, 'test/fixtures');
const TCG_612 = join(FIXTURES, 'runs/linux-6.12-tcg-arenas.json');
const TCG_616 = join(FIXTURES, 'trail/linux-6.16.12-tcg.json');
const NATIVE_618 = join(FIXTURES, 'trail/linux-6.18.44-native.json');

const input = (path: string, run: Run = readRun(path)) => ({ path, run });
const clone = (run: Run): Run => structuredClone(run);

function figure(figures: readonly TrailFigure[], group: string, label: string): TrailFigure {
  const f = figures.find((x) => x.group === group && x.label === label);
  assert.ok(f, `no figure ${group} / ${label}`);
  return f;
}

/** The 6.16 run as if made on a later kernel whose vm_area_struct grew by `grow` bytes. */
function laterKernel(base: Run, release: string, grow: number): Run {
  const run = clone(base);
  run.id = `${run.id}-later`;
  run.startedAt = '2027-01-01T00:00:00Z';
  run.env.kernel.release = release;
  const vma = run.env.slabCaches!.vm_area_struct!;
  run.env.slabCaches!.vm_area_struct = { ...vma, objSize: vma.objSize + grow };
  for (const row of run.rows) {
    if (row.metric !== 'vma_slab_bytes' || row.value === null || !row.slabObjects) continue;
    row.value += (row.slabObjects.vm_area_struct ?? 0) * grow;
  }
  return run;
}

test('columns stand in kernel release order, each labelled with how it ran', () => {
  const trail = buildTrail([input(NATIVE_618), input(TCG_616), input(TCG_612)]);
  assert.deepEqual(trail.columns.map((c) => c.label), ['6.12.117 (TCG)', '6.16.12 (TCG)', '6.18.44 (native)']);
  assert.deepEqual(trail.columns.map((c) => c.accel), ['tcg', 'tcg', 'native']);
});

test('markers arriving are named at the first kernel that has them, grouped per strategy', () => {
  const trail = buildTrail([input(TCG_612), input(TCG_616)]);
  const at616 = trail.changes.filter((c) => c.column === 1).map((c) => c.text);
  assert.ok(at616.some((t) => /^features guardInstall, guardRemove, processMadvise, .*pagemapScanGuard: no → yes$/.test(t)), at616.join('\n'));
  assert.ok(at616.some((t) => /^guard-madvise: \d+ figures skipped → measured$/.test(t)), at616.join('\n'));
  const vmas = figure(trail.figures, 'allocator-arenas · vma_delta (count)', 'guard-madvise · memory=anon');
  assert.deepEqual(vmas.changes.map((c) => [c.column, c.states?.from, c.states?.to]), [[1, 'skipped', 'ok']]);
  assert.equal(vmas.cells[1]!.value, 0, 'markers add no VMA to the arena');
  const protNone = figure(trail.figures, 'allocator-arenas · vma_delta (count)', 'prot-none · memory=anon');
  assert.deepEqual(protNone.cells.map((c) => c.value), [32767, 32767], '2n-1 VMAs for 16384 guards on both');
  assert.deepEqual(protNone.changes, [], 'an exact count that stays put has no change point');
});

test('a slab change beyond the resolution is a change point, and the cache that made it is named with its price per guard', () => {
  const base = readRun(TCG_616);
  const later = laterKernel(base, '6.17.13+deb13-amd64', 8);
  const trail = buildTrail([input(TCG_616, base), input('later.json', later)]);
  const slab = figure(trail.figures, 'allocator-arenas · vma_slab_bytes (bytes/region)', 'prot-none · memory=anon');
  assert.equal(slab.changes.length, 1);
  assert.equal(slab.changes[0]!.column, 1);
  assert.ok(Math.abs(slab.changes[0]!.delta! - 8 * 1.99) < 0.5, `delta ${slab.changes[0]!.delta}`);
  const moved = trail.slab!.changes.flatMap((c) => c.caches);
  assert.equal(moved.length, 1);
  assert.match(moved[0]!.what, /^vm_area_struct object size (\d+) → \1?\d+ B$/);
  const objects = later.rows.find((r) => r.metric === 'vma_slab_bytes' && r.strategy === 'prot-none' && r.params.memory === undefined && r.workload === 'allocator-arenas')!.slabObjects!.vm_area_struct!;
  assert.ok(objects > 1.9 && objects <= 2, `about two VMAs per interior guard, got ${objects}`);
  assert.ok(Math.abs(moved[0]!.bytesPerUnit! - objects * 8) < 1e-9, `the guard's VMAs x 8 B, got ${moved[0]!.bytesPerUnit}`);
  assert.ok(trail.changes.some((c) => c.column === 1 && /vm_area_struct object size .*: \+15\.\d+ B per region/.test(c.text)), trail.changes.map((c) => c.text).join('\n'));
});

test('a slab move within the counter\'s resolution is no change point', () => {
  const base = readRun(TCG_616);
  const later = clone(base);
  later.id = `${later.id}-wobble`;
  later.env.kernel.release = '6.17.13+deb13-amd64';
  const row = later.rows.find((r) => r.metric === 'vma_slab_bytes' && r.strategy === 'prot-none' && r.params.memory === undefined)!;
  row.value! += row.resolution! * 0.9;
  const trail = buildTrail([input(TCG_616, base), input('wobble.json', later)]);
  assert.deepEqual(figure(trail.figures, 'allocator-arenas · vma_slab_bytes (bytes/region)', 'prot-none · memory=anon').changes, []);
});

test('a counter that leaves and comes straight back on the next kernel is a transient, not a change', () => {
  const cell = (value: number): TrailCell => ({ state: 'ok', value, text: String(value), resolution: 1 });
  const split = (values: number[]) => {
    const cells = values.map(cell);
    return splitTransients(cells, changePoints(cells, false, true));
  };
  const blip = split([32, 40, 32, 32]);
  assert.deepEqual(blip.changes, [], 'neither the excursion nor its return is a change');
  assert.deepEqual(blip.transients.map((c) => [c.column, c.from, c.to]), [[1, '32', '40']]);
  const lasting = split([32, 40, 40, 40]);
  assert.deepEqual(lasting.changes.map((c) => c.column), [1]);
  assert.deepEqual(lasting.transients, []);
  const last = split([32, 32, 40]);
  assert.deepEqual(last.changes.map((c) => c.column), [2], 'the last kernel cannot be checked and keeps its change');
  const walk = split([32, 40, 48]);
  assert.deepEqual(walk.changes.map((c) => c.column), [1, 2], 'a value that moves on again is no excursion');
});

test('a counter read below zero beyond its resolution is noise, never a change point (a busy host freed memory in the window)', () => {
  const cells = [822, -8636, 780].map((value): TrailCell => ({ state: 'ok', value, text: String(value), resolution: 64 }));
  assert.deepEqual(changePoints(cells, false, true), []);
  const within = [0, -6, 8].map((value): TrailCell => ({ state: 'ok', value, text: String(value), resolution: 16 }));
  assert.deepEqual(changePoints(within, false, true), [], 'a reading within the resolution of zero is no change either');
  const exact = [3, -1].map((value): TrailCell => ({ state: 'ok', value, text: String(value) }));
  assert.equal(changePoints(exact, true, true).length, 1, 'an exact count is judged whatever its sign');
});

test('the slab bytes per guard are explained by cache on every run that recorded the caches', () => {
  const trail = buildTrail([input(TCG_612), input(TCG_616), input(NATIVE_618)]);
  const [old, tcg, native] = trail.slab!.perColumn;
  assert.equal(old!.shares, null, 'a run made before the caches were recorded says so');
  for (const column of [tcg!, native!]) {
    const vma = column.shares!.find((s) => s.cache === 'vm_area_struct')!;
    assert.ok(vma.objects > 1.9 && vma.objects <= 2, `two VMAs per interior PROT_NONE guard, got ${vma.objects}`);
    const sum = column.shares!.filter((s) => s.cache !== 'vma_lock').reduce((a, s) => a + s.bytes, 0);
    assert.ok(Math.abs(sum - column.total!) < 1e-6, 'the parts add up to the figure');
  }
  assert.match(renderTrailMarkdown(trail), /\| vm_area_struct \| not recorded \| 1\.\d\d × \d+ B \| 1\.\d\d × \d+ B \|/);
});

test('the feature probe is held against the feature history: a backport and a read-only guest are flagged with their reasons', () => {
  const trail = buildTrail([input(TCG_616), input(NATIVE_618)]);
  const texts = trail.featureMismatches.map((m) => m.text);
  assert.ok(texts.some((t) => /^smapsGuardFlag found on 6\.18\.44.*older than 6\.19/.test(t)), texts.join('\n'));
  assert.ok(texts.some((t) => /^guardFile not found on 6\.16\.12.*EROFS/.test(t)), texts.join('\n'));
  const gu = figure(trail.figures, 'features', 'smapsGuardFlag');
  assert.equal(gu.cells[1]!.verdict, 'earlier');
  assert.equal(gu.cells[1]!.text, 'yes ⚠');
  // unchecked releases are shown but never counted as mismatches
  assert.ok(!texts.some((t) => t.startsWith('pidfdSelf')));
  assert.ok(FEATURE_HISTORY.every((f) => /^\d+\.\d+$/.test(f.since) && f.source.length > 20));
  assert.equal(releaseHas('6.19.14+deb13-amd64', '6.19'), true);
  assert.equal(releaseHas('6.18.44-fc-v1300', '6.19'), false);
  assert.equal(releaseHas('7.0.13+deb13-amd64', '6.19'), true);
});

test('a change set against a kernel of another testbed says so: it may be the testbed\'s, not the kernel\'s', () => {
  const trail = buildTrail([input(TCG_616), input(NATIVE_618)]);
  const at618 = trail.changes.filter((c) => c.column === 1);
  assert.ok(at618.length > 0);
  for (const c of at618) assert.match(c.text, /\[also the testbed changed: tcg → native\]$/, c.text);
  const same = buildTrail([input(TCG_612), input(TCG_616)]);
  assert.ok(same.changes.every((c) => !c.text.includes('testbed changed')), 'two TCG guests of this host are one testbed');
});

test('latencies stand side by side only within one testbed that is not an emulated CPU', () => {
  const native = readRun(NATIVE_618);
  const other = clone(native);
  other.id = `${other.id}-b`;
  other.env.kernel.release = '6.19.0-fc';
  const trail = buildTrail([input(TCG_612), input(TCG_616), input(NATIVE_618, native), input('b.json', other)]);
  assert.equal(trail.latency.length, 1);
  assert.deepEqual(trail.latency[0]!.columns.map((i) => trail.columns[i]!.accel), ['native', 'native']);
  assert.ok(trail.latency[0]!.rows.length > 0);
  assert.equal(trail.latencyNotes.filter((n) => /emulated CPU/.test(n)).length, 2);
  // no latency ever becomes a change point: figures are counts and bytes only
  assert.ok(trail.figures.every((f) => !/ns\//.test(f.unit)));
});

test('an incomplete run and an older run of the same kernel are left out, and said so', () => {
  const base = readRun(TCG_616);
  const older = clone(base);
  older.id = `${older.id}-old`;
  older.startedAt = '2020-01-01T00:00:00Z';
  const broken = clone(base);
  broken.id = `${broken.id}-broken`;
  broken.complete = false;
  const trail = buildTrail([input('old.json', older), input(TCG_616, base), input('broken.json', broken)]);
  assert.equal(trail.columns.length, 1);
  assert.equal(trail.columns[0]!.runId, base.id);
  assert.deepEqual(trail.leftOut.map((l) => l.path).sort(), ['broken.json', 'old.json']);
});

let browser: Browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

test('guardbench kernel trail report DIR writes trail.md, trail.html and trail.json, and the page renders', async () => {
  const dir = scratchDir('guardbench-trail-');
  for (const f of [TCG_612, TCG_616, NATIVE_618]) {
    const sub = join(dir, f.split('/').pop()!.replace('.json', ''));
    mkdirSync(sub);
    cpSync(f, join(sub, 'run.json'));
  }
  const r = runCli(['kernel', 'trail', 'report', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^3 kernels from 6\.12\.117 \(TCG\) to 6\.18\.44 \(native\)/);
  for (const name of ['trail.md', 'trail.html', 'trail.json']) assert.ok(existsSync(join(dir, name)), name);
  const md = readFileSync(join(dir, 'trail.md'), 'utf8');
  assert.match(md, /## What changed along the trail\n\n- \*\*6\.16\.12 \(TCG\)\*\*: features guardInstall, guardRemove, /);
  // verify outcomes counted per memory kind: 6.16 skips the 4 anon checks of later features (smaps gu, collapse)
  assert.match(md, /\| verify · anon \| 6 pass, 29 skip \| 37 pass, 4 skip \| 41 pass \|/);
  assert.match(md, /\| verify · file \| not run \| 29 skip \| 28 pass, 1 skip \|/);
  const json = JSON.parse(readFileSync(join(dir, 'trail.json'), 'utf8'));
  assert.equal(json.document, 'guardbench.trail');
  assert.equal(json.columns.length, 3);
  assert.equal(json.columns[0].run, undefined, 'columns name their runs, they do not carry them');

  const opened = await openDrawn(browser, join(dir, 'trail.html'), { unfold: true });
  assert.deepEqual(opened.errors, []);
  assert.deepEqual(opened.requests, []);
  const headings = await opened.page.locator('table thead th').allTextContents();
  assert.ok(headings.includes('6.16.12 (TCG)'), headings.join(' | '));
  assert.ok(await opened.page.getByText('What changed along the trail').count() > 0);
  await opened.page.close();
});

test('bad input to kernel trail: one line, exit 2', () => {
  const empty = scratchDir('guardbench-trail-empty-');
  for (const args of [
    ['kernel', 'trail', 'report', join(empty, 'nope')],
    ['kernel', 'trail', 'report', empty],
    ['kernel', 'trail', 'report'],
    ['kernel', 'trail', '6.x'],
    ['kernel', 'trail', '--', '--out', empty],
    ['kernel', 'trail', '--', '--quick'],
    ['kernel', 'trail', '--accel', 'warp'],
  ]) {
    const r = runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(isOneLineError(r.stderr), `${args.join(' ')}: ${r.stderr}`);
  }
});
