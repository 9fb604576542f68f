/** `guardbench baseline save | list | pick` and the choice of baseline for a kernel. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOneLineError, runCli, scratchDir } from './helpers.js';
import { onTestbed } from './fixtures/testbed.js';
import { parseRun, type Run } from '../src/results/schema.js';
import { chooseBaseline, type BaselineEntry } from '../src/analysis/baselines.js';

const QUICK_RUN = new URL('./fixtures/quick-run.json', import.meta.url).pathname;
/** The quick-run fixture as recorded on testbed lab-a (it predates testbeds). */
const fixture = (): Run => onTestbed(parseRun(readFileSync(QUICK_RUN, 'utf8')));
const FIXTURE = join(scratchDir('guardbench-baseline-fixture-'), 'quick-run.json');
writeFileSync(FIXTURE, JSON.stringify(fixture()));

/** A repeat of the quick run with every latency scaled by `factor` and its own id. */
function repeat(dir: string, name: string, factor: number, change: (r: Run) => void = () => {}): string {
  const run = fixture();
  run.id = `${run.id}-${name}`;
  for (const row of run.rows) {
    if (!row.stats || row.value === null) continue;
    row.value *= factor;
    for (const k of ['mean', 'median', 'p75', 'p99', 'min', 'max', 'sd'] as const) row.stats[k] *= factor;
  }
  change(run);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(run));
  return path;
}

test('baseline save copies a validated run to <dir>/<testbed>/<kernel-release>.json, refuses to overwrite without --force', () => {
  const dir = scratchDir('guardbench-baselines-');
  let r = runCli(['baseline', 'save', FIXTURE, '--dir', dir]);
  assert.equal(r.code, 0, r.stderr);
  const file = join(dir, 'lab-a', '6.18.44-fc-v782.json');
  assert.match(r.stdout, new RegExp(`saved 2026-11-25T07-08-33Z-6.18.44-fc-v782 \\(kernel 6.18.44-fc-v782, quick profile\\) as ${file}`));
  const saved = parseRun(readFileSync(file, 'utf8'), file);
  assert.deepEqual(saved, fixture(), 'the environment and rows are kept exactly');
  assert.deepEqual(readdirSync(join(dir, 'lab-a')), ['6.18.44-fc-v782.json'], 'no temporary file is left behind');

  r = runCli(['baseline', 'save', FIXTURE, '--dir', dir]);
  assert.equal(r.code, 2);
  assert.ok(isOneLineError(r.stderr));
  assert.match(r.stderr, /exists; pass --force to replace it/);
  r = runCli(['baseline', 'save', FIXTURE, '--dir', dir, '--force', '--name', 'lab-box']);
  assert.equal(r.code, 0, r.stderr);
  r = runCli(['baseline', 'list', '--dir', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /lab-box\.json\s+lab-a\s+6\.18\.44-fc-v782\s+quick\s+2026-11-25\s+single run/);
});

test('baseline save of three repeats keeps the most typical one and the run-to-run spread; compare then uses it', () => {
  const dir = scratchDir('guardbench-baselines-noise-');
  const runs = [repeat(dir, 'slow', 1.2), repeat(dir, 'typical', 1.0), repeat(dir, 'fast', 0.85)];
  const out = join(dir, 'baselines');
  const r = runCli(['baseline', 'save', ...runs, '--dir', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /with the run-to-run spread of 3 runs/);
  const saved = JSON.parse(readFileSync(join(out, 'lab-a', '6.18.44-fc-v782.json'), 'utf8')) as Run;
  assert.match(saved.id, /-typical$/);
  assert.equal(saved.baselineNoise!.runs, 3);
  const cv = Object.values(saved.baselineNoise!.cvPercent);
  assert.ok(cv.length > 30 && cv.every((v) => Math.abs(v - cv[0]!) < 1e-6 && v > 10), 'every latency row varied alike, by ~17%');

  // A run 30% slower everywhere is inside that spread: noisy, not regressed.
  const c = runCli(['compare', join(out, 'lab-a', '6.18.44-fc-v782.json'), repeat(dir, 'slower', 1.3), '--quiet']);
  assert.equal(c.code, 0, c.stdout);
  assert.match(c.stdout, /No regression/);
});

test('baseline save refuses what cannot be a baseline, with one line and exit 2', () => {
  const dir = scratchDir('guardbench-baselines-bad-');
  const cases: [string[], RegExp][] = [
    [[repeat(dir, 'a', 1), repeat(dir, 'b', 1)], /three or more repeats/],
    [[repeat(dir, 'cut', 1, (r) => { r.complete = false; })], /interrupted \(complete: false\)/],
    [[repeat(dir, 'k1', 1), repeat(dir, 'k2', 1, (r) => { r.env.kernel.release = '6.19.0'; }), repeat(dir, 'k3', 1)], /kernel 6\.19\.0 differs/],
    [[repeat(dir, 't1', 1), repeat(dir, 't2', 1, (r) => onTestbed(r, 'lab-b')), repeat(dir, 't3', 1)], /testbed lab-b differs from lab-a/],
    [[QUICK_RUN], /records no testbed/],
    [[FIXTURE, '--name', '../escape'], /not a usable baseline name/],
    [[], /needs a run\.json/],
  ];
  for (const [args, pattern] of cases) {
    const r = runCli(['baseline', 'save', ...args, '--dir', join(dir, 'out')]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(isOneLineError(r.stderr), r.stderr);
    assert.match(r.stderr, pattern);
  }
  const r = runCli(['baseline', 'frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown subcommand 'frobnicate'/);
});

function entry(kernel: string, profile = 'quick', startedAt = '2026-01-01T00:00:00Z', testbed = 'lab-a'): BaselineEntry {
  const run = onTestbed(fixture(), testbed);
  run.env.kernel.release = kernel;
  run.profile = profile as Run['profile'];
  run.startedAt = startedAt;
  return { path: `${kernel}-${profile}.json`, run };
}

test('choosing a baseline: the same kernel, else the nearest older release, else the nearest newer', () => {
  const entries = [entry('6.12.5'), entry('6.18'), entry('6.18.44-fc-v782', 'default'), entry('6.19-rc1')];
  assert.equal(chooseBaseline(entries, '6.18.44-fc-v782', 'lab-a')!.path, '6.18.44-fc-v782-default.json');
  assert.equal(chooseBaseline(entries, '6.18.3', 'lab-a')!.path, '6.18-quick.json');
  assert.equal(chooseBaseline(entries, '6.19', 'lab-a')!.path, '6.19-rc1-quick.json');
  assert.equal(chooseBaseline(entries, '6.13', 'lab-a')!.path, '6.12.5-quick.json');
  assert.equal(chooseBaseline(entries, '6.1', 'lab-a')!.path, '6.12.5-quick.json');
  assert.equal(chooseBaseline([], '6.18', 'lab-a'), null);
  // Another machine's baseline is never chosen, however close its kernel.
  assert.equal(chooseBaseline([entry('6.18', 'quick', '2026-01-01T00:00:00Z', 'lab-b')], '6.18', 'lab-a'), null);
  // Of two baselines for one kernel, the one of the run's profile, then the newer.
  const two = [entry('6.18', 'default', '2026-05-01T00:00:00Z'), entry('6.18', 'quick', '2026-01-01T00:00:00Z')];
  assert.equal(chooseBaseline(two, '6.18', 'lab-a', 'quick')!.path, '6.18-quick.json');
  assert.equal(chooseBaseline(two, '6.18', 'lab-a')!.path, '6.18-default.json');
});

test('baseline pick prints the chosen file and says when it is not for this kernel', () => {
  const dir = scratchDir('guardbench-baselines-pick-');
  assert.equal(runCli(['baseline', 'save', FIXTURE, '--dir', dir]).code, 0);
  let r = runCli(['baseline', 'pick', '--dir', dir, '--kernel', '6.18.44-fc-v782', '--testbed', 'lab-a']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), join(dir, 'lab-a', '6.18.44-fc-v782.json'));
  assert.equal(r.stderr, '');
  r = runCli(['baseline', 'pick', '--dir', dir, '--kernel', '6.19.2', '--testbed', 'lab-a']);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /no baseline for 6\.19\.2; using 6\.18\.44-fc-v782/);
  r = runCli(['baseline', 'pick', '--dir', join(dir, 'none')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no baselines of testbed \S+ in/);
  r = runCli(['baseline', 'pick', '--dir', dir, '--testbed', 'lab-b']);
  assert.equal(r.code, 2, 'another testbed\'s baseline is never picked');
});
