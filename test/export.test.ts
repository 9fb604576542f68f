/**
 * guardbench export: a real quick run of this kernel, exported in both formats through the CLI,
 * validates against JSON Schemas written from each format's documentation
 * (test/fixtures/schemas/); the metric specs sort figures by their better direction; only measured
 * rows travel; names stay the same from run to run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { runCli, scratchDir } from './helpers.js';
import { parseRun, type Run } from '../src/results/schema.js';
import { specOf } from '../src/analysis/specs.js';
import { toBmf, type Bmf } from '../src/export/bmf.js';
import { toGithubActionBenchmark, type CustomBenchmark } from '../src/export/github-action-benchmark.js';
import { benchmarkName } from '../src/export/names.js';
import { QUICK_RUN_PATH, allWorkloadsRun, quickRun } from './fixtures/report-synthetic.js';

const schema = (name: string): object => JSON.parse(readFileSync(new URL(`./fixtures/schemas/${name}.schema.json`, import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true });
const validBmf = ajv.compile(schema('bmf'));
const validCustom = ajv.compile(schema('github-action-benchmark'));
const errorsOf = (v: { errors?: unknown }) => String(JSON.stringify(v.errors ?? null)).slice(0, 600);

const dir = scratchDir('guardbench-export-');
const made = runCli(['run', '--quick', '--out', join(dir, 'run'), '--report', 'none', '--quiet']);
const RUN = join(dir, 'run', 'run.json');

function measured(run: Run) {
  return run.rows.filter((r) => r.status === 'ok' && r.value !== null);
}

test('a real quick run exports to BMF that validates against the BMF schema', () => {
  assert.equal(made.code, 0, made.stderr);
  const run = parseRun(readFileSync(RUN, 'utf8'));
  const r = runCli(['export', RUN, '--format', 'bmf']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`testbed ${run.env.testbed!.name} \\(Bencher: --testbed ${run.env.testbed!.name}\\)`));
  const bmf = JSON.parse(r.stdout) as Bmf;
  assert.ok(validBmf(bmf), errorsOf(validBmf));
  // Every measured row, and nothing else, is one figure.
  const figures = Object.values(bmf).flatMap((b) => Object.values(b));
  assert.equal(figures.length, measured(run).length);
  assert.ok(run.rows.some((x) => x.status !== 'ok'), 'the quick run skips some rows (no-guard has no install)');
  for (const [name, measures] of Object.entries(bmf)) {
    for (const [measure, m] of Object.entries(measures)) {
      assert.match(measure, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${name}: measure ${measure} is not a slug`);
      if (m.lower_value !== undefined) assert.ok(m.lower_value <= m.value && m.value <= m.upper_value!, `${name} ${measure}: ${JSON.stringify(m)}`);
    }
  }
  // Latencies carry the median ± its margin of error; exact counts no bounds.
  const install = bmf['allocator-arenas/prot-none/churn=1024,guardBytes=4096,regions=16384,slotBytes=12288']!['install-ns-guard']!;
  const row = run.rows.find((x) => x.workload === 'allocator-arenas' && x.strategy === 'prot-none' && x.metric === 'install')!;
  assert.equal(install.value, row.value);
  assert.ok(Math.abs(install.upper_value! - row.value! * (1 + row.stats!.rme / 100)) < 1e-6);
  assert.deepEqual(Object.keys(bmf['allocator-arenas/prot-none/churn=1024,guardBytes=4096,regions=16384,slotBytes=12288']!['vma-delta-count']!), ['value']);
  // --out writes the same document.
  const file = join(dir, 'bmf.json');
  const w = runCli(['export', RUN, '--format', 'bmf', '--out', file]);
  assert.equal(w.code, 0, w.stderr);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), bmf);
});

test('a real quick run exports to github-action-benchmark\'s two files, sorted by the run\'s metric specs', () => {
  assert.equal(made.code, 0, made.stderr);
  const run = parseRun(readFileSync(RUN, 'utf8'));
  const out = join(dir, 'gab');
  const r = runCli(['export', RUN, '--format', 'github-action-benchmark', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const smaller = JSON.parse(readFileSync(join(out, 'smaller-is-better.json'), 'utf8')) as CustomBenchmark[];
  const bigger = JSON.parse(readFileSync(join(out, 'bigger-is-better.json'), 'utf8')) as CustomBenchmark[];
  assert.ok(validCustom(smaller), errorsOf(validCustom));
  assert.ok(validCustom(bigger), errorsOf(validCustom));
  const ok = measured(run);
  const by = (better: string) => ok.filter((x) => specOf(run, x).better === better);
  assert.equal(bigger.length, by('higher').length);
  assert.equal(smaller.length, by('lower').length + by('expected').filter((x) => x.expected !== undefined).length);
  assert.ok(bigger.some((b) => / ops_per_s$/.test(b.name)), 'throughput is bigger-is-better');
  assert.ok(smaller.some((b) => / install$/.test(b.name) && b.range?.startsWith('± ')), 'latencies are smaller-is-better with their range');
  // detect's "found" counts: the distance from what the kernel should give, 0 on this kernel.
  const found = smaller.filter((b) => /_found off expected$/.test(b.name));
  assert.ok(found.length >= 9, `${found.length} detection figures`);
  for (const f of found) assert.equal(f.value, 0, f.name);
  // Figures with no direction (an errno, the CPUs) are left out.
  for (const b of [...smaller, ...bigger]) assert.doesNotMatch(b.name, / (stop_errno|cpus|predicted_regions)$/);
  assert.equal(new Set([...smaller, ...bigger].map((b) => b.name)).size, smaller.length + bigger.length, 'names are unique');
});

test('benchmark names are the same whatever order a run lists its parameters in', () => {
  const row = { workload: 'w', strategy: 's', params: { b: 2, a: 'x', c: true } };
  assert.equal(benchmarkName(row), 'w/s/a=x,b=2,c=true');
  assert.equal(benchmarkName({ ...row, params: { c: true, a: 'x', b: 2 } }), 'w/s/a=x,b=2,c=true');
  // Two runs of the same profile name the same benchmarks and measures.
  const names = (run: Run) => Object.entries(toBmf(run)).flatMap(([b, ms]) => Object.keys(ms).map((m) => `${b} ${m}`)).sort();
  const again = allWorkloadsRun();
  for (const r of again.rows) r.params = Object.fromEntries(Object.entries(r.params).reverse());
  assert.deepEqual(names(again), names(allWorkloadsRun()));
});

test('a run made before specs were stored exports through the legacy specs', () => {
  const run = quickRun();
  assert.equal(run.workloads, undefined);
  assert.ok(validBmf(toBmf(run)), errorsOf(validBmf));
  const gab = toGithubActionBenchmark(run);
  assert.ok(validCustom(gab.smallerIsBetter), errorsOf(validCustom));
  assert.equal(gab.biggerIsBetter.length, 0);
  const r = runCli(['export', QUICK_RUN_PATH, '--format', 'github-action-benchmark', '--out', join(dir, 'legacy')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /records no testbed/);
  assert.ok(existsSync(join(dir, 'legacy', 'smaller-is-better.json')));
  assert.ok(!existsSync(join(dir, 'legacy', 'bigger-is-better.json')), 'an empty file would make the action fail');
});

test('a run with no measured row has nothing to export: exit 2, one line', () => {
  const run = quickRun();
  for (const r of run.rows) {
    r.status = 'skipped';
    r.reason = 'not on this kernel';
  }
  const file = join(dir, 'all-skipped.json');
  writeFileSync(file, JSON.stringify(run));
  const r = runCli(['export', file, '--format', 'bmf']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no measured row to export/);
});

test('the schemas reject what the formats do not allow, so the checks above check something', () => {
  assert.equal(validBmf({ 'a/b': { 'm-ns': { lower_value: 1 } } }), false, 'a metric without its value');
  assert.equal(validBmf({ 'a/b': { 'm-ns': { value: '1' } } }), false, 'a value that is not a number');
  assert.equal(validBmf({ 'a/b': { ['m'.repeat(65)]: { value: 1 } } }), false, 'a measure name over 64 characters');
  assert.equal(validCustom([]), false, 'an empty file');
  assert.equal(validCustom([{ name: 'x', value: 1 }]), false, 'an entry without its unit');
  assert.equal(validCustom([{ name: 'x', unit: 'ns', value: 1, range: 3 }]), false, 'a range that is not text');
});
