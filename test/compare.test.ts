/**
 * `guardbench compare` on a real quick run and doctored copies of it: the exit code, which rows it
 * names, noise handling, environment warnings, and one clear line for every kind of unusable file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOneLineError, runCli, scratchDir } from './helpers.js';
import { labTestbed, onTestbed } from './fixtures/testbed.js';
import { parseRun, type Row, type Run } from '../src/results/schema.js';
import { compareRuns, confirmComparison, DEFAULT_OPTIONS } from '../src/analysis/comparison.js';
import { rowKey } from '../src/analysis/keys.js';
import { estimateNoise } from '../src/analysis/stability.js';
import type { ComparisonJson } from '../src/compare/json.js';
import { reasonText as why } from '../src/compare/reasons.js';
import { runWarningText } from '../src/compare/words.js';

const QUICK_RUN = new URL('./fixtures/quick-run.json', import.meta.url).pathname;
/** The quick-run fixture as recorded on testbed lab-a (it predates testbeds). */
const fixture = (): Run => onTestbed(parseRun(readFileSync(QUICK_RUN, 'utf8'), QUICK_RUN));
const dir = scratchDir('guardbench-compare-');
const FIXTURE = join(dir, 'quick-run.json');
writeFileSync(FIXTURE, JSON.stringify(fixture()));

function save(name: string, run: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(run));
  return path;
}

/** Multiply every latency figure of the chosen rows by `factor` (rme is relative: unchanged). */
function scaleLatency(run: Run, factor: number, pick: (row: Row) => boolean): Run {
  const copy = structuredClone(run);
  for (const row of copy.rows) {
    if (!row.stats || row.value === null || !pick(row)) continue;
    row.value *= factor;
    for (const k of ['mean', 'median', 'p75', 'p99', 'min', 'max', 'sd'] as const) row.stats[k] *= factor;
  }
  return copy;
}

const isGuardMadviseLatency = (r: Row) => r.strategy === 'guard-madvise' && r.stats !== null && r.status === 'ok';

test('a run compared with itself exits 0 and reports nothing regressed', () => {
  const out = join(dir, 'self');
  const r = runCli(['compare', FIXTURE, FIXTURE, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\*\*No regression beyond 5%: \d+ of \d+ latencies judged \(to [\d.]+%\), \d+ of \d+ counts and bytes; verdict rests on [a-z, ]+\*\*/);
  assert.doesNotMatch(r.stdout, /### Regressed/);
  const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as ComparisonJson;
  assert.equal(json.regressed, false);
  assert.equal(json.counts.regressed, 0);
  assert.equal(json.counts.improved, 0);
  assert.ok(json.counts.unchanged > 100, `only ${json.counts.unchanged} unchanged`);
  assert.ok(existsSync(join(out, 'compare.md')));
});

test('guard-madvise 30% slower: exit 1, and exactly the guard-madvise latency rows are named', () => {
  const base = fixture();
  const slower = scaleLatency(base, 1.3, isGuardMadviseLatency);
  const expected = base.rows.filter(isGuardMadviseLatency).map(rowKey).sort();
  assert.ok(expected.length >= 10, 'the fixture has guard-madvise latency rows in every workload');

  const c = compareRuns(base, slower);
  const regressed = c.rows.filter((r) => r.verdict === 'regressed');
  assert.deepEqual(regressed.map(rowKey).sort(), expected);
  for (const r of regressed) assert.ok(Math.abs(r.change! - 0.3) < 1e-9, `${rowKey(r)} change ${r.change}`);

  const out = join(dir, 'slower');
  const r = runCli(['compare', FIXTURE, save('slower.json', slower), '--out', out]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, new RegExp(`\\*\\*${expected.length} regressed beyond 5%: `));
  const section = r.stdout.split('### Regressed')[1]!.split(/###|<details>/)[0]!;
  const named = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| workload') && !l.startsWith('| ---'));
  assert.equal(named.length, expected.length);
  for (const line of named) {
    assert.match(line, /\| guard-madvise \|/);
    assert.match(line, /\+30\.0%/);
  }
  const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as ComparisonJson;
  assert.deepEqual(json.rows.filter((x) => x.verdict === 'regressed').map(rowKey).sort(), expected);
});

test('the same rows 30% faster are improvements, and the exit code stays 0', () => {
  const faster = scaleLatency(fixture(), 1 / 1.3, isGuardMadviseLatency);
  const r = runCli(['compare', FIXTURE, save('faster.json', faster)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /### Improved \(\d+\)/);
  assert.doesNotMatch(r.stdout, /### Regressed/);
});

test('a 2% change on noisy rows is not a regression: it is noisy or inconclusive, never unchanged', () => {
  const base = fixture();
  const noisyRows = base.rows.filter((r) => r.stats && r.stats.rme > 10);
  assert.ok(noisyRows.length >= 2, 'the fixture has rows with rme above 10%');
  const keys = new Set(noisyRows.map(rowKey));
  const c = compareRuns(base, scaleLatency(base, 1.02, (r) => keys.has(rowKey(r))));
  assert.equal(c.regressed, false);
  for (const r of c.rows.filter((x) => keys.has(rowKey(x)))) {
    assert.ok(r.verdict === 'noisy' || r.verdict === 'inconclusive', `${rowKey(r)}: ${r.verdict} (${why(r)})`);
  }
  // The same 2% on quiet rows is within the threshold: unchanged, not noisy, not regressed.
  const quiet = base.rows.filter((r) => r.stats && r.stats.rme < 2).map(rowKey);
  const c2 = compareRuns(base, scaleLatency(base, 1.02, (r) => quiet.includes(rowKey(r))));
  assert.equal(c2.regressed, false);
  for (const r of c2.rows.filter((x) => quiet.includes(rowKey(x)))) assert.equal(r.verdict, 'unchanged', rowKey(r));
});

test('a shift confined to a few slow samples (the mean moves, the median and minimum do not) is noisy', () => {
  const base = fixture();
  const key = rowKey(base.rows.find(isGuardMadviseLatency)!);
  const current = structuredClone(base);
  const row = current.rows.find((r) => rowKey(r) === key)!;
  row.stats!.mean *= 1.3;
  row.stats!.max *= 3;
  const verdict = compareRuns(base, current).rows.find((r) => rowKey(r) === key)!;
  assert.equal(verdict.verdict, 'unchanged', why(verdict));
});

test('a VMA count that rises is a regression with its exact delta; kernel memory per guard that grows beyond its counter\'s noise is one too', () => {
  const base = fixture();
  // Runs since guardbench records each counter's resolution; the fixture predates it.
  for (const r of base.rows) if (r.metric === 'vma_slab_bytes' || r.metric === 'page_table_bytes') r.resolution = 4;
  const current = structuredClone(base);
  const vma = current.rows.find((r) => r.strategy === 'guard-madvise' && r.metric === 'vma_delta' && r.workload === 'madvise-batches')!;
  vma.value = 16384;
  const slab = current.rows.find((r) => r.metric === 'vma_slab_bytes' && r.strategy === 'prot-none')!;
  slab.value = slab.value! * 2;
  const pte = current.rows.find((r) => r.metric === 'page_table_bytes' && r.strategy === 'guard-madvise' && r.workload === 'allocator-arenas')!;
  pte.value = pte.value! * 1.01;
  const c = compareRuns(base, current);
  const vmaVerdict = c.rows.find((r) => rowKey(r) === rowKey(vma))!;
  assert.equal(vmaVerdict.verdict, 'regressed');
  assert.equal(vmaVerdict.delta, 16384);
  const slabVerdict = c.rows.find((r) => rowKey(r) === rowKey(slab))!;
  assert.equal(slabVerdict.verdict, 'regressed', why(slabVerdict));
  assert.match(why(slabVerdict), /system-wide counter's noise; lower is better/);
  // 1% more page tables per guard is within a process-wide counter's noise.
  assert.equal(c.rows.find((r) => rowKey(r) === rowKey(pte))!.verdict, 'unchanged');
  assert.equal(c.counts.regressed, 2);

  const r = runCli(['compare', FIXTURE, save('vma.json', current)]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\| madvise-batches \| guard-madvise \| [^|]* \| vma_delta \| 0 count \| 16,384 count \| \+16,384 \(from 0\)/);
});

test('counts whose better direction is unknown or move with the process are listed, not failed; detection losing guards fails', () => {
  const base = fixture();
  const template = base.rows.find((r) => r.metric === 'vma_delta')!;
  const extra = (workload: string, metric: string, value: number, strategy = 'guard-madvise'): Row => ({ ...template, workload, strategy, params: {}, metric, unit: 'count', value });
  base.rows.push(extra('ceiling', 'vmas_at_stop', 336), { ...extra('ceiling', 'regions', 32535, 'prot-none'), resolution: 100 },
    extra('detect', 'pagemap_found', 64), extra('made-up', 'widgets', 3), extra('fork', 'page_table_bytes', 32));
  const current = structuredClone(base);
  const set = (metric: string, value: number) => { current.rows.find((r) => r.metric === metric && r.params && Object.keys(r.params).length === 0)!.value = value; };
  set('vmas_at_stop', 504);
  set('regions', 32513);
  set('pagemap_found', 0);
  set('widgets', 7);
  set('page_table_bytes', 48);
  const c = compareRuns(base, current);
  const verdict = (metric: string) => c.rows.find((r) => r.metric === metric && Object.keys(r.params).length === 0)!;
  assert.equal(verdict('vmas_at_stop').verdict, 'changed');
  assert.equal(verdict('vmas_at_stop').delta, 168);
  assert.equal(verdict('regions').verdict, 'unchanged', why(verdict('regions')));
  assert.equal(verdict('widgets').verdict, 'changed', 'a metric the run does not describe is never judged');
  assert.equal(verdict('page_table_bytes').verdict, 'changed', 'a counter whose noise the run did not record is never judged');
  assert.equal(verdict('pagemap_found').verdict, 'regressed');
  assert.match(why(verdict('pagemap_found')), /fell \(exact; higher is better\)/);
  assert.equal(c.counts.regressed, 1);
});

test('a row that worked and now fails is a regression; rows only one run has are listed, not judged', () => {
  const base = fixture();
  const current = structuredClone(base);
  const failed = current.rows.find(isGuardMadviseLatency)!;
  Object.assign(failed, { status: 'failed', value: null, stats: null, reason: 'EINVAL from madvise' });
  current.rows = current.rows.filter((r) => r.workload !== 'madvise-batches');
  const c = compareRuns(base, current);
  const v = c.rows.find((r) => rowKey(r) === rowKey(failed))!;
  assert.equal(v.verdict, 'regressed');
  assert.match(why(v), /EINVAL from madvise/);
  assert.ok(c.rows.filter((r) => r.workload === 'madvise-batches').every((r) => r.verdict === 'not-compared'));
  assert.ok(c.warnings.some((w) => w.kind === 'rows-in-one-run' && /only one of the runs/.test(runWarningText(w))));
});

test('a baseline that measured its run-to-run spread keeps a change inside that spread from being a regression', () => {
  const base = fixture();
  const slower = scaleLatency(base, 1.3, isGuardMadviseLatency);
  // Three repeats of the base in which every guard-madvise row wandered by about +-20%.
  const repeats = [1, 1.2, 0.8].map((f) => scaleLatency(base, f, isGuardMadviseLatency));
  const noisyBase = { ...base, baselineNoise: estimateNoise(repeats) } as Run;
  const c = compareRuns(noisyBase, slower);
  assert.equal(c.regressed, false);
  const row = c.rows.find((r) => isGuardMadviseLatency(r.base!))!;
  // A spread of 20% over 3 runs hides any change under 25%: the row is not judged at all.
  assert.equal(row.verdict, 'inconclusive', why(row));
  assert.equal(row.reason.gate, 'latency-detectable');
  assert.ok('latency' in row.reason && row.reason.latency!.runToRun!.cvPercent > 19 && row.reason.latency!.runToRun!.runs === 3);
  assert.match(why(row), /only changes above \d+(\.\d+)?% can be told from noise/);
  // A steady baseline (spread under 1%, ten runs) lets the same 30% through. Three runs would not:
  // a spread estimated from so few, tested as a family of every latency row, resolves nothing under 25%.
  const steady = [1, 1.01, 0.99, 1.005, 0.995, 1.01, 0.99, 1, 1.005, 0.995].map((f) => scaleLatency(base, f, isGuardMadviseLatency));
  const c2 = compareRuns({ ...base, baselineNoise: estimateNoise(steady) } as Run, slower);
  assert.equal(c2.counts.regressed, base.rows.filter(isGuardMadviseLatency).length);
  assert.ok(c2.rows.find((r) => r.verdict === 'regressed')!.runToRunCv! < 1);
  const fewRuns = compareRuns({ ...base, baselineNoise: estimateNoise(steady.slice(0, 3)) } as Run, slower);
  assert.equal(fewRuns.counts.regressed, 0);
  const unseen = fewRuns.rows.find((r) => r.verdict === 'inconclusive' && r.strategy === 'guard-madvise')!;
  assert.equal(unseen.reason.gate, 'latency-detectable');
  const t = 'latency' in unseen.reason ? unseen.reason.latency!.runToRun! : null;
  assert.ok(t && t.runs === 3 && Math.abs(t.cvPercent - 1) < 0.05 && t.family > 1 && t.rowAlpha < 0.01, JSON.stringify(t));
  assert.ok(!c2.warnings.some((w) => w.kind === 'no-run-to-run-spread'));
  assert.ok(c.warnings.every((w) => w.kind !== 'no-run-to-run-spread'));
  // Rows the repeats never varied (other strategies) have a spread of 0 and are judged as before.
  const other = c.rows.find((r) => r.kind === 'latency' && r.strategy === 'prot-none' && r.verdict !== 'not-compared')!;
  assert.equal(other.runToRunCv, 0);
  assert.equal(other.verdict, 'unchanged');
  assert.ok(rowKey(other) in (noisyBase as Run).baselineNoise!.cvPercent);
});

test('--confirm: a regression that does not repeat in a second run of the same code becomes noisy', () => {
  const base = fixture();
  const slower = scaleLatency(base, 1.3, isGuardMadviseLatency);
  const once = compareRuns(base, slower);
  const notAgain = confirmComparison(once, [compareRuns(base, base)]);
  assert.equal(notAgain.regressed, false);
  assert.ok(notAgain.rows.filter((r) => r.verdict === 'noisy').some((r) => /did not repeat/.test(why(r))));
  const again = confirmComparison(once, [compareRuns(base, scaleLatency(base, 1.28, isGuardMadviseLatency))]);
  assert.equal(again.counts.regressed, once.counts.regressed);

  const r = runCli(['compare', FIXTURE, save('slower-once.json', slower), '--confirm', FIXTURE]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /did not repeat in/);
});

test('environment differences that matter are named, in the report and on stderr', () => {
  const current = fixture();
  current.env.cpu.model = 'Intel Xeon Platinum 8488C';
  current.env.thp = 'always';
  current.env.features.smapsGuardFlag = false;
  const r = runCli(['compare', FIXTURE, save('other-env.json', current)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /environments differ in cpu model, THP mode, feature smapsGuardFlag/);
  assert.match(r.stdout, /\*\*cpu model\*\*: `AMD EPYC` → `Intel Xeon Platinum 8488C`/);
  assert.match(r.stdout, /\*\*THP mode\*\*: `madvise` → `always`/);
  assert.doesNotMatch(r.stdout, /\*\*kernel\*\*/, 'the kernel did not change');
});

const text = readFileSync(FIXTURE, 'utf8');
const badFiles: { name: string; content: string | Buffer; pattern: RegExp }[] = [
  { name: 'truncated', content: text.slice(0, Math.floor(text.length / 2)), pattern: /truncated\.json: not JSON/ },
  { name: 'non-JSON', content: 'guardbench run finished in 14 s\n', pattern: /non-JSON\.json: not JSON/ },
  { name: 'empty', content: '', pattern: /empty\.json: the file is empty/ },
  { name: 'binary', content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe, 0x00, 0x0a, 0x1b, 0x5b]), pattern: /binary\.json: a binary file, not a run \(not JSON\)/ },
  { name: 'wrong-schema', content: JSON.stringify({ ...JSON.parse(text), schema: 'guardbench.census/v1' }), pattern: /wrong-schema\.json: not a guardbench\.run\/v1 document: \/schema/ },
  { name: 'newer-schema', content: JSON.stringify({ ...JSON.parse(text), schema: 'guardbench.run/v2' }), pattern: /schema guardbench\.run\/v2 is not one this guardbench reads/ },
  { name: 'rows-missing', content: JSON.stringify({ ...JSON.parse(text), rows: undefined }), pattern: /must have required property 'rows'/ },
];

for (const bad of badFiles) {
  test(`unusable input (${bad.name}) gives one clear line and exit 2, as base or as current`, () => {
    const path = join(dir, `${bad.name}.json`);
    writeFileSync(path, bad.content);
    for (const args of [[path, FIXTURE], [FIXTURE, path]]) {
      const r = runCli(['compare', ...args]);
      assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
      assert.ok(isOneLineError(r.stderr), `not one line: ${JSON.stringify(r.stderr)}`);
      assert.match(r.stderr, bad.pattern);
      // Nothing that reached the terminal may be a raw control byte from the file.
      assert.doesNotMatch(r.stderr, /[\x00-\x08\x0b-\x1f\x7f]/);
      assert.equal(r.stdout, '');
    }
  });
}

test('usage errors: wrong number of runs, a missing file, a bad threshold, runs with nothing in common', () => {
  const cases: [string[], RegExp][] = [
    [['compare', FIXTURE], /expected two runs, BASE and CURRENT, got 1/],
    [['compare', FIXTURE, join(dir, 'nope.json')], /nope\.json: no such file/],
    [['compare', FIXTURE, FIXTURE, '--threshold', 'lots'], /--threshold: 'lots' is not a percentage/],
    [['compare', FIXTURE, save('disjoint.json', { ...fixture(), rows: fixture().rows.map((r) => ({ ...r, workload: `other-${r.workload}` })) })], /no measured rows in common/],
  ];
  for (const [args, pattern] of cases) {
    const r = runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.ok(isOneLineError(r.stderr), JSON.stringify(r.stderr));
    assert.match(r.stderr, pattern);
  }
});

test('the host-speed meter of both runs warns when the machine, not the kernel, changed speed', () => {
  const base = fixture();
  const withHost = (run: Run, medianNs: number, spreadPercent: number): Run => {
    const copy = structuredClone(run);
    const p10Ns = medianNs / (1 + spreadPercent / 200);
    (copy.env as Record<string, unknown>).hostSpeed = {
      meter: 'labs', loopCalls: 8192, samples: 40, minNs: p10Ns * 0.95, p10Ns, medianNs,
      p90Ns: p10Ns * (1 + spreadPercent / 100), maxNs: medianNs * 1.5, spreadPercent,
    };
    return copy;
  };
  // Same speed, steady host: nothing to say.
  assert.equal(compareRuns(withHost(base, 50, 4), withHost(base, 52, 5)).warnings.filter((w) => w.kind.startsWith('host-speed')).length, 0);
  // The current run got a CPU half as fast, and moved 40% within itself.
  const warnings = compareRuns(withHost(base, 37, 4), withHost(base, 74, 40)).warnings.map(runWarningText);
  assert.ok(warnings.some((w) => /took 37 ns \(median\) in the base run and 74 ns in the current one \(\+100%\)/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /moved 40% during the current run/.test(w)));
  assert.ok(!warnings.some((w) => /during the base run/.test(w)));
  // Runs from before the meter carry no hostSpeed: no claim either way.
  assert.equal(compareRuns(base, withHost(base, 74, 40)).warnings.filter((w) => w.kind === 'host-speed-shift').length, 0);
});

test('latencies of two testbeds are never compared; counts and bytes are, exactly; --strict makes that exit 4', () => {
  const base = fixture();
  const other = onTestbed(fixture(), 'lab-b');
  for (const r of other.rows) if (r.stats && r.value !== null) r.value *= 3;
  const vma = other.rows.find((r) => r.strategy === 'guard-madvise' && r.metric === 'vma_delta' && r.workload === 'allocator-arenas')!;
  vma.value = 1;
  const c = compareRuns(base, other);
  const latency = c.rows.filter((r) => r.spec.kind === 'latency' && r.base?.status === 'ok' && r.current?.status === 'ok');
  assert.ok(latency.length > 20 && latency.every((r) => r.verdict === 'incomparable'), 'every latency row is incomparable');
  assert.match(why(latency[0]!), /different testbeds: lab-a and lab-b/);
  assert.equal(c.rows.find((r) => rowKey(r) === rowKey(vma))!.verdict, 'regressed', 'a count is judged across testbeds');
  assert.equal(c.counts.regressed, 1);

  const path = save('lab-b.json', other);
  const r = runCli(['compare', FIXTURE, path]);
  assert.equal(r.code, 1, 'the count regressed');
  vma.value = 0;
  const clean = save('lab-b-clean.json', other);
  assert.equal(runCli(['compare', FIXTURE, clean]).code, 0);
  const strict = runCli(['compare', FIXTURE, clean, '--strict']);
  assert.equal(strict.code, 4, strict.stderr);
  assert.match(strict.stdout, /No regression in counts and bytes \(latencies not compared\)/);
});

test('runs that record no testbed compare latencies only when told they come from one machine', () => {
  const base = parseRun(readFileSync(QUICK_RUN, 'utf8'));
  const current = parseRun(readFileSync(QUICK_RUN, 'utf8'));
  const unknown = compareRuns(base, current);
  assert.ok(unknown.rows.filter((r) => r.spec.kind === 'latency' && r.base?.status === 'ok').every((r) => r.verdict === 'incomparable'));
  assert.match(why(unknown.rows.find((r) => r.verdict === 'incomparable')!), /neither run records its testbed/);
  const told = compareRuns(base, current, { ...DEFAULT_OPTIONS, sameTestbed: true });
  assert.equal(told.counts.incomparable, 0);
});

test('a setting of the testbed that changed is named beside every verdict it could explain', () => {
  const base = fixture();
  const current = fixture();
  current.env.testbed = { ...labTestbed('lab-a'), confounders: { ...labTestbed('lab-a').confounders, mitigations: { spectre_v2: 'Vulnerable' } } };
  const slow = current.rows.find((r) => r.strategy === 'guard-madvise' && r.stats && r.metric === 'install' && r.workload === 'allocator-arenas')!;
  for (const k of ['mean', 'median', 'p75', 'p99', 'min', 'max'] as const) slow.stats![k] *= 1.6;
  slow.value = slow.stats!.median;
  const c = compareRuns(base, current);
  const row = c.rows.find((r) => rowKey(r) === rowKey(slow))!;
  assert.equal(row.verdict, 'regressed');
  assert.deepEqual(row.confounders, ['mitigation spectre_v2']);
  assert.equal(c.confounders.length, 1);
  assert.ok(c.rows.filter((r) => r.verdict === 'unchanged').every((r) => r.confounders.length === 0));
  const r = runCli(['compare', FIXTURE, save('mitigations.json', current)]);
  assert.match(r.stdout, /could also be: mitigation spectre_v2 changed/);
  assert.match(r.stdout, /\*\*mitigation spectre_v2\*\*: Mitigation: Retpolines → Vulnerable/);
});

test('every latency verdict says the smallest change it could have seen; a row too noisy for that is not used for pass/fail', () => {
  const c = compareRuns(fixture(), fixture());
  const latency = c.rows.filter((r) => r.spec.kind === 'latency' && r.verdict !== 'not-compared');
  assert.ok(latency.every((r) => r.detectable !== null && r.detectable >= DEFAULT_OPTIONS.threshold));
  const counts = c.rows.filter((r) => r.spec.noise === 'exact' && r.verdict === 'unchanged');
  assert.ok(counts.length > 0 && counts.every((r) => r.detectable === 0));
  const md = runCli(['compare', FIXTURE, FIXTURE]).stdout;
  assert.match(md, /\*\*No regression beyond 5%: \d+ of \d+ latencies judged \(to \d+(\.\d+)?%\)/);
  // A baseline whose runs spread by 10% cannot tell a 30% change from noise at alpha 0.01.
  const base = fixture();
  base.baselineNoise = { runs: 5, ids: ['a', 'b', 'c', 'd', 'e'], cvPercent: Object.fromEntries(base.rows.filter((r) => r.stats).map((r) => [rowKey(r), 10])) };
  const current = fixture();
  const row = current.rows.find((r) => r.strategy === 'guard-madvise' && r.stats && r.metric === 'install' && r.workload === 'allocator-arenas')!;
  for (const k of ['mean', 'median', 'p75', 'p99', 'min', 'max'] as const) row.stats![k] *= 1.3;
  row.value = row.stats!.median;
  const verdict = compareRuns(base, current).rows.find((r) => rowKey(r) === rowKey(row))!;
  assert.ok(verdict.detectable! > 0.25, String(verdict.detectable));
  assert.notEqual(verdict.verdict, 'regressed', why(verdict));
});
