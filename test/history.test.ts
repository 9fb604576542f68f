/** Kernel release ordering, and `guardbench history` over runs of several kernels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, isOneLineError, runCli, scratchDir } from './helpers.js';
import { compareKernelReleases, parseKernelRelease } from '../src/analysis/kernel-version.js';
import { parseRun, type Run } from '../src/results/schema.js';
import type { Trend } from '../src/analysis/trend.js';

test('kernel releases order as released: 6.9 < 6.13 < 6.18-rc1 < 6.18 < 6.18.1', () => {
  const expected = ['6.9', '6.13', '6.18-rc1', '6.18', '6.18.1'];
  for (let i = 0; i + 1 < expected.length; i++) {
    assert.ok(compareKernelReleases(expected[i]!, expected[i + 1]!) < 0, `${expected[i]} < ${expected[i + 1]}`);
    assert.ok(compareKernelReleases(expected[i + 1]!, expected[i]!) > 0, `${expected[i + 1]} > ${expected[i]}`);
  }
  const shuffled = ['6.18.1', '6.18-rc1', '6.13', '6.18', '6.9'];
  assert.deepEqual([...shuffled].sort(compareKernelReleases), expected);
  // A plain string sort gets this wrong twice: that is why the comparator exists.
  assert.notDeepEqual([...shuffled].sort(), expected);
});

test('release candidates by number, distro builds and unparseable releases', () => {
  const sorted = ['not-a-kernel', '6.18.44-fc-v782', '6.18-rc10', '5.15.0-91-generic', '6.18-rc3', '6.18.0-rc2', '6.13.0-rc1+', '6.18.44', '6.9.0-1-amd64']
    .sort(compareKernelReleases);
  assert.deepEqual(sorted, ['5.15.0-91-generic', '6.9.0-1-amd64', '6.13.0-rc1+', '6.18.0-rc2', '6.18-rc3', '6.18-rc10', '6.18.44', '6.18.44-fc-v782', 'not-a-kernel']);
  assert.equal(compareKernelReleases('6.18', '6.18.0'), 0);
  assert.deepEqual(parseKernelRelease('6.18-rc3'), { major: 6, minor: 18, patch: 0, rc: 3, local: '', text: '6.18-rc3' });
  assert.equal(parseKernelRelease('6.18.44-fc-v782')!.local, '-fc-v782');
  assert.equal(parseKernelRelease('linux'), null);
});

const FIXTURE = new URL('./fixtures/quick-run.json', import.meta.url).pathname;

/** A copy of the quick run as if made on `kernel`, guard-madvise installs taking `installNs`. */
function runOn(kernel: string, installNs: number, startedAt: string): Run {
  const run = parseRun(readFileSync(FIXTURE, 'utf8'));
  run.env.kernel.release = kernel;
  run.id = `${startedAt}-${kernel}`;
  run.startedAt = startedAt;
  for (const row of run.rows) {
    if (row.workload === 'madvise-batches' && row.strategy === 'guard-madvise' && row.metric === 'install') row.value = installNs;
  }
  return run;
}

test('history orders runs by kernel release, skips non-runs found in a directory, writes its files', () => {
  const dir = scratchDir('guardbench-history-');
  const runs = join(dir, 'runs');
  mkdirSync(join(runs, 'b'), { recursive: true });
  // Written in an order that neither file names nor start times would put right.
  writeFileSync(join(runs, 'a.json'), JSON.stringify(runOn('6.18.1', 1500, '2026-01-01T00:00:00Z')));
  writeFileSync(join(runs, 'b', 'run.json'), JSON.stringify(runOn('6.9.0-1-amd64', 3000, '2026-03-01T00:00:00Z')));
  writeFileSync(join(runs, 'c.json'), JSON.stringify(runOn('6.18-rc3', 2000, '2026-02-01T00:00:00Z')));
  writeFileSync(join(runs, 'compare.json'), JSON.stringify({ schema: 'guardbench.compare/v1' }));
  const out = join(dir, 'out');

  const r = runCli(['history', runs, '--metric', 'install', '--workload', 'madvise-batches', '--markdown', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipped .*compare\.json: not a guardbench\.run\/v1 document/);
  const header = r.stdout.split('\n').find((l) => l.startsWith('| strategy |'))!;
  assert.equal(header, '| strategy | point | 6.9.0-1-amd64 | 6.18-rc3 | 6.18.1 | first → last |');
  const line = r.stdout.split('\n').find((l) => l.startsWith('| guard-madvise | batch=1 |'))!;
  assert.match(line, /\| 3,000 ±0% \| 2,000 ±0% \| 1,500 ±0% \| -50\.0% \|/);
  for (const f of ['history.md', 'history.json', 'history.html', 'charts/history-madvise-batches-install.png']) assert.ok(existsSync(join(out, f)), f);
  const json = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as { columns: { kernel: string }[] };
  assert.deepEqual(json.columns.map((c) => c.kernel), ['6.9.0-1-amd64', '6.18-rc3', '6.18.1']);
});

test('history: a bad file named on the command line is one line and exit 2; a filter matching nothing says what exists', () => {
  const dir = scratchDir('guardbench-history-bad-');
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"schema": "guardbench.run/v1"');
  let r = runCli(['history', FIXTURE, bad]);
  assert.equal(r.code, 2);
  assert.ok(isOneLineError(r.stderr), r.stderr);
  assert.match(r.stderr, /bad\.json: not JSON/);
  r = runCli(['history', FIXTURE, '--metric', 'nope']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no measured rows match the filter \(metrics in these runs: calls, churn, create/);
  r = runCli(['history', join(dir, 'empty-dir-that-does-not-exist')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no such file or directory/);
});

test('history shows each run\'s host speed and warns when the machine, not the kernel, changed speed', () => {
  const dir = scratchDir('guardbench-history-host-');
  const withHost = (run: Run, medianNs: number): Run => {
    (run.env as Record<string, unknown>).hostSpeed = {
      meter: 'labs', loopCalls: 8192, samples: 40, minNs: medianNs * 0.9, p10Ns: medianNs * 0.95, medianNs,
      p90Ns: medianNs * 1.33, maxNs: medianNs * 1.5, spreadPercent: 40,
    };
    return run;
  };
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  writeFileSync(a, JSON.stringify(withHost(runOn('6.17', 1500, '2026-01-01T00:00:00Z'), 37)));
  writeFileSync(b, JSON.stringify(withHost(runOn('6.18', 3000, '2026-02-01T00:00:00Z'), 74)));
  const r = runCli(['history', a, b, '--metric', 'install']);
  assert.equal(r.code, 0, r.stderr);
  // Text wraps at 80 columns: read it as one line.
  r.stdout = r.stdout.replace(/\n {2}| ?\n(?=\S)/g, ' ');
  assert.match(r.stdout, /host speed \(ns per koffi labs\(\) call, median and p90\/p10 spread\): 6\.17 37 ns \(40%\), 6\.18 74 ns \(40%\)/);
  assert.match(r.stdout, /warning: The host ran at different speeds across these runs \(a koffi labs\(\) call took 37-74 ns/);
  const md = runCli(['history', a, b, '--metric', 'install', '--markdown']);
  assert.match(md.stdout, /\| 6\.18 \| [^|]+ \| quick \| 74 ns \(40%\) \|/);
  // The same speed in both runs: the table still shows it, and no warning is raised.
  writeFileSync(b, JSON.stringify(withHost(runOn('6.18', 3000, '2026-02-01T00:00:00Z'), 38)));
  assert.doesNotMatch(runCli(['history', a, b, '--metric', 'install']).stdout, /different speeds/);
});

test('history over real runs on old kernels (QEMU fixtures) and this host\'s kind: skipped strategies are shown as skipped', () => {
  const v61 = join(ROOT, 'test/fixtures/runs/linux-6.1-tcg-arenas.json');
  const v612 = join(ROOT, 'test/fixtures/runs/linux-6.12-tcg-arenas.json');
  const r = runCli(['history', FIXTURE, v61, '--workload', 'allocator-arenas']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /oldest kernel first: 6\.1\.0-\d+-amd64, 6\.18\./);
  // The run without a testbed and the emulated one keep their latencies apart; their counts share a table.
  const tables = r.stdout.split('\n\n');
  assert.ok(tables.some((t) => /^allocator-arenas - install \(ns\/guard\), testbed not recorded/.test(t)));
  assert.ok(tables.some((t) => /^allocator-arenas - install \(ns\/guard\), testbed\s+qemu-tcg-\S+\s+\(emulated CPU\)/.test(t)));
  const vmas = tables.find((t) => t.startsWith('allocator-arenas - vma_delta (count)'))!;
  for (const strategy of ['guard-madvise', 'guard-process-madvise']) {
    assert.match(vmas, new RegExp(`^${strategy}\\s+skipped\\s+0\\s`, 'm'), vmas);
  }
  assert.match(r.stdout.replace(/\n {2}/g, ' '), /6\.1\.0-\d+-amd64 skipped guard-madvise, guard-process-madvise: .*EINVAL.*6\.13/);
  const both = runCli(['history', v612, v61]);
  assert.equal(both.code, 0, both.stderr);
  assert.match(both.stdout, /oldest kernel first: 6\.1\.0-\d+-amd64, 6\.12\.\d+/);
  assert.match(both.stdout.replace(/\n {2}/g, ' '), /Every run skipped guard-madvise, guard-process-madvise: .*EINVAL/);
  assert.match(both.stdout, /^prot-none\s+32,767\s+32,767\s/m);
});

test('history over native and emulated runs never sets their latencies side by side nor first -> last across them, and names the testbeds', () => {
  const runs = join(ROOT, 'test/fixtures/runs');
  const r = runCli(['history', runs, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Trend;
  assert.deepEqual(doc.testbeds.map((t) => [t.columns.length, t.emulated]), [[2, true], [2, false], [1, false]]);
  const latencies = doc.series.filter((s) => s.spec.noise === 'timed');
  assert.ok(latencies.length > 0);
  for (const s of latencies) {
    const cols = s.cells.flatMap((c, i) => (c ? [i] : []));
    assert.ok(s.testbed && cols.every((i) => s.testbed!.columns.includes(i)), `${s.key} spans testbeds`);
  }
  const counts = doc.series.filter((s) => s.spec.noise === 'exact' && s.cells.filter(Boolean).length > 2);
  assert.ok(counts.length > 0 && counts.every((s) => s.testbed === null), 'counts span every run');
  const text = runCli(['history', runs]).stdout;
  assert.match(text.replace(/\n {2}/g, ' '), /The runs come from 3 testbeds; latencies are shown per testbed/);
  for (const table of text.split('\n\n').filter((t) => /\(ns\/[a-z]+\)/.test(t.split('\n')[0]!))) {
    const header = table.split('\n').find((l) => l.startsWith('strategy'))!;
    assert.ok(!(header.includes('6.1.0') && header.includes('6.18.44')), `a latency table mixes testbeds:\n${table}`);
  }
  for (const line of text.split('\n')) assert.ok(line.length <= 80 && /^[\x20-\x7e]*$/.test(line), line);
  // The charts keep them apart too: one latency chart per testbed, counts in one chart.
  const out = join(scratchDir('guardbench-history-testbeds-'), 'out');
  assert.equal(runCli(['history', runs, '--workload', 'allocator-arenas', '--out', out]).code, 0);
  const charts = readdirSync(join(out, 'charts')).sort();
  assert.ok(charts.includes('history-allocator-arenas-install-amd-epyc-2cpu-vm-375bf0b9.png'), charts.join(', '));
  assert.ok(charts.some((c) => /^history-allocator-arenas-install-qemu-tcg/.test(c)), charts.join(', '));
  assert.ok(!charts.includes('history-allocator-arenas-install.png'));
  assert.ok(charts.includes('history-allocator-arenas-vma-delta.png'), charts.join(', '));
});

test('history finds baselines kept per testbed, one directory down', () => {
  const r = runCli(['history', join(ROOT, 'results', 'baselines'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { columns: { path?: string; id?: string }[] };
  assert.ok(doc.columns.length >= 1, 'the committed baseline of this testbed is a column');
});
