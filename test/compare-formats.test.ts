/**
 * compare's formats over the one comparison model, on real runs of this machine and of two kernels
 * under QEMU (fixtures): the text format fits a mail (80 columns, ASCII, verdict first), compare.json
 * carries reasons as data, a toy format needs nothing but the interface, and what compare judged is
 * said before anything else. Nothing here measures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRun } from '../src/results/read.js';
import type { Run } from '../src/results/schema.js';
import { compareRuns, type Verdict } from '../src/analysis/comparison.js';
import type { CompareFormat } from '../src/compare/format.js';
import { COMPARE_FORMATS, loadCompareFormat } from '../src/compare/formats.js';
import { compareDoc } from '../src/compare/html.js';
import { comparisonJson } from '../src/compare/json.js';
import { buildCompareModel, type CompareModel } from '../src/compare/model.js';
import { reasonText } from '../src/compare/reasons.js';
import { renderCompareText } from '../src/compare/text.js';
import { verdictLine } from '../src/compare/words.js';
import { mdEscape } from '../src/render/markdown.js';
import { textTable, wrapText } from '../src/render/text-table.js';
import { parseRunArgs } from '../src/commands/run.js';
import { runCli, scratchDir } from './helpers.js';

const fixture = (name: string) => new URL(`./fixtures/runs/${name}`, import.meta.url).pathname;
const HOST_1 = fixture('this-host-quick-1.json');
const HOST_2 = fixture('this-host-quick-2.json');
const TCG_61 = fixture('linux-6.1-tcg-arenas.json');
const TCG_612 = fixture('linux-6.12-tcg-arenas.json');
const ELSEWHERE = fixture('renamed-testbed-quick.json');
const BASELINE = new URL('../results/baselines/amd-epyc-2cpu-vm-375bf0b9/6.18.44-fc-v1045.json', import.meta.url).pathname;

const model = (base: string, current: string): CompareModel => buildCompareModel(compareRuns(readRun(base), readRun(current)));

/** Every line at most 80 columns, only printable ASCII. */
function assertMailable(text: string): void {
  for (const [i, line] of text.split('\n').entries()) {
    assert.ok(line.length <= 80, `line ${i + 1} is ${line.length} columns: ${line}`);
    assert.match(line, /^[\x20-\x7e]*$/, `line ${i + 1} is not plain ASCII: ${line}`);
  }
}

test('compare --format text of two quick runs: 80 columns, ASCII, the verdict line first, then regressions, what could not be judged, and the rest', () => {
  const r = runCli(['compare', HOST_1, HOST_2, '--format', 'text']);
  assert.equal(r.code, 1, r.stderr);
  assertMailable(r.stdout);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^guardbench compare: 6\.18\.44/);
  assert.match(lines[1]!, /^1 regressed beyond 5%: \d+ of 56 latencies judged \(to \d+%\)/);
  const at = (heading: RegExp) => lines.findIndex((l) => heading.test(l));
  const order = [/^Regressed \(1\)$/, /^Improved \(\d+\)$/, /^Largest moves that could not be judged/, /^Not compared/, /^Unchanged \(\d+\)$/].map(at);
  assert.ok(order.every((i) => i > 0), String(order));
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'sections in the order a mail reader wants them');
  // A judged change is marked; the numbers are whole (never cut), the change is of the medians shown
  // and the reason under the row gives the statistic judged.
  const regressed = lines.slice(order[0]! + 1, order[1]!).join('\n');
  assert.match(regressed, /guard-madvise pageTables=own\s+32,110\s+36,247\s+\+12\.9%\s+\*/);
  assert.match(regressed, /call-normalised median \+26\.9%/);
});

test('compare --format text of two kernels under QEMU: counts judged across them, latencies refused with the reason', () => {
  const text = renderCompareText(model(TCG_61, TCG_612));
  assertMailable(text);
  // 6.1 -> 6.12: the VMA slab a PROT_NONE guard costs grew (340 -> 391 B per region), beyond the counter's noise;
  // no-guard's page tables read -0.75 B per region on 6.12: below zero, so noise, not judged.
  assert.match(text.split('\n')[1]!, /^1 regressed beyond 5%: 4 latencies not compared, 5 of 6 counts and bytes;/);
  assert.match(text, /prot-none\s+340\s+391\s+\+14\.8%\s+\*/);
  assert.match(text, /Latencies not comparable \(\d+\)\n {2}- \d+ rows: emulated CPU \(QEMU TCG\)/);
  assert.doesNotMatch(text, /Largest moves/, 'no latency is a move that could have been judged');
});

test('the default format is Markdown when stdout is not a terminal; a bad --format is one line and exit 2', () => {
  const md = runCli(['compare', HOST_1, HOST_2]);
  assert.match(md.stdout, /^## guardbench compare\n\n\*\*1 regressed beyond 5%: /);
  const bad = runCli(['compare', HOST_1, HOST_2, '--format', 'pdf']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format: 'pdf' is not a compare format \(text, md, html, json\)/);
  const quiet = runCli(['compare', HOST_1, HOST_2, '--quiet']);
  assert.equal(quiet.stdout.trim(), verdictLine(model(HOST_1, HOST_2)));
});

test('compare.json carries reasons as data: the gate and numbers of a regression, a noisy row and an incomparable row', () => {
  const json = comparisonJson(model(HOST_1, HOST_2));
  assert.equal(json.schema, 'guardbench.compare/v2');
  assert.ok(json.rows.every((r) => !('why' in r)), 'no sentences');
  assert.ok(json.warnings.length > 0 && json.warnings.every((w) => typeof w === 'object' && 'kind' in w), 'warnings are data too');
  const regressed = json.rows.find((r) => r.verdict === 'regressed')!;
  assert.equal(regressed.reason.gate, 'latency-moved');
  const f = 'latency' in regressed.reason ? regressed.reason.latency! : null;
  assert.ok(f && f.statistic === 'callNormalisedMedian' && f.p < f.alpha && f.change > f.threshold && f.detectable <= f.maxDetectable, JSON.stringify(f));
  const noisy = json.rows.find((r) => r.verdict === 'noisy' && r.reason.gate === 'latency-significance')!;
  assert.ok('latency' in noisy.reason && noisy.reason.latency!.p >= noisy.reason.latency!.alpha);
  const elsewhere = comparisonJson(model(HOST_1, ELSEWHERE));
  const incomparable = elsewhere.rows.find((r) => r.verdict === 'incomparable')!;
  assert.deepEqual(incomparable.reason, { gate: 'testbeds', detail: 'different testbeds: amd-epyc-2cpu-vm-375bf0b9 and guardbench-elsewhere' });
  assert.equal(json.scope.latencies, 56);
  assert.ok(json.scope.latenciesJudged > 0 && json.scope.latenciesJudged < 56);
});

test('Markdown, HTML and text word one reason from the same data, long and short', async () => {
  const m = model(HOST_1, HOST_2);
  const row = m.comparison.rows.find((r) => r.verdict === 'regressed')!;
  const long = reasonText(row, 'long');
  const short = reasonText(row, 'short');
  assert.ok(short.length < long.length);
  assert.ok((await loadCompareFormat('md')).render(m).includes(mdEscape(long)));
  const page = compareDoc(m).tables.find((t) => t.title.startsWith('Regressed'))!;
  assert.equal(page.rows[0]!.at(-1), short);
  assert.equal(page.rowTitle![0], long);
  assert.ok(renderCompareText(m).replace(/\n\s+/g, ' ').includes(long));
});

test('a toy format is one object behind the interface: the model is all it needs', () => {
  // --- the toy format: this is all a new format needs (plus one line in src/compare/formats.ts) ---
  const toy: CompareFormat = {
    name: 'verdict-csv',
    file: 'compare.csv',
    render: (m) => ['workload,strategy,metric,verdict,gate', ...m.comparison.rows.map((r) => [r.workload, r.strategy, r.metric, r.verdict, r.reason.gate].join(','))].join('\n'),
  };
  // ---------------------------------------------------------------------------------------------------
  const m = model(HOST_1, HOST_2);
  const csv = toy.render(m).split('\n');
  assert.equal(csv.length, m.comparison.rows.length + 1);
  assert.ok(csv.includes('scaling,guard-madvise,cycle,regressed,latency-moved'));
  assert.deepEqual(COMPARE_FORMATS, ['text', 'md', 'html', 'json']);
});

test('against the committed 10-run baseline: no row that cannot see the threshold reads unchanged; ipis_per_op is never improved or regressed', () => {
  const base = readRun(BASELINE);
  // A fresh run stands in: the baseline's own most typical run with the background interrupts gone.
  const current = structuredClone(readRun(HOST_2)) as Run;
  for (const r of current.rows) if (r.metric === 'ipis_per_op' && r.value !== null) r.value = 0;
  const m = buildCompareModel(compareRuns(base, current));
  const rows = m.comparison.rows;
  for (const r of rows.filter((x) => x.verdict === 'unchanged' && x.spec.noise === 'timed')) {
    assert.ok(r.detectable !== null && r.detectable <= 0.25, `${r.workload}/${r.strategy}/${r.metric} unchanged at ${r.detectable}`);
  }
  const ipis = rows.filter((r) => r.metric === 'ipis_per_op' && r.delta !== 0);
  assert.ok(ipis.length > 0);
  for (const r of ipis) {
    assert.equal(r.verdict, 'changed');
    assert.deepEqual(r.reason, { gate: 'no-direction', background: true });
  }
  assert.match(verdictLine(m), /\d+ of 56 latencies judged/);
  const text = renderCompareText(m);
  assertMailable(text);
  assert.ok(m.unjudgedMoves.length > 0 && m.unjudgedMoves.every((r, i, a) => i === 0 || Math.abs(a[i - 1]!.change!) >= Math.abs(r.change!)));
});

test('text-table: a width limit wraps the prose columns with a hanging indent and never cuts a figure', () => {
  const table = textTable(['what', 'value'], [['guard-process-madvise pageTables=own workers=2', '10,410,930'], ['short', '1']], {
    align: ['left', 'right'], wrap: [true, false], maxWidth: 30,
  });
  const lines = table.split('\n');
  assert.ok(lines.every((l) => l.length <= 30), table);
  assert.ok(table.includes('10,410,930'));
  assert.match(lines[2]!, /^ {2}\S/, 'a continuation line is indented');
  assert.deepEqual(wrapText('guard-process-madvise', 10), ['guard-', 'process-', 'madvise']);
  // Without a limit, nothing changes.
  assert.equal(textTable(null, [['a', '1'], ['bb', '22']]), ' a   1\nbb  22');
});

test('compare --out writes every format the registry has', () => {
  const out = join(scratchDir('guardbench-compare-formats-'), 'out');
  const r = runCli(['compare', HOST_1, HOST_2, '--out', out, '--quiet']);
  assert.equal(r.code, 1, r.stderr);
  assertMailable(readFileSync(join(out, 'compare.txt'), 'utf8'));
  assert.equal(JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')).schema, 'guardbench.compare/v2');
  const counts = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')).counts as Record<Verdict, number>;
  assert.equal(counts.regressed, 1);
});

test('--format on every command that renders: run takes it, --report stays its alias, both at once is a usage error', () => {
  const reports = (argv: string[]) => {
    const args = parseRunArgs(['--quick', ...argv]);
    return args === 'help' ? null : args.reports;
  };
  assert.deepEqual(reports(['--format', 'md,html']), ['md', 'html']);
  assert.deepEqual(reports(['--report', 'md,html']), ['md', 'html']);
  assert.deepEqual(reports(['--format', 'none']), []);
  assert.throws(() => reports(['--format', 'md', '--report', 'md']), /--format and --report are one flag/);
  const history = runCli(['history', HOST_1, '--format', 'pdf']);
  assert.equal(history.code, 2);
  assert.match(history.stderr, /--format: 'pdf' is not a history format \(text, md, json\)/);
});

test('a counter figure read below zero is noisy, never improved: the counter moved by more than the figure', () => {
  const base = readRun(HOST_1);
  const current = structuredClone(readRun(HOST_2)) as Run;
  const row = current.rows.find((r) => r.workload === 'loader-gap' && r.metric === 'vma_slab_bytes' && r.strategy === 'no-guard')!;
  row.value = -19361;
  const r = compareRuns(base, current).rows.find((x) => x.workload === 'loader-gap' && x.metric === 'vma_slab_bytes' && x.strategy === 'no-guard')!;
  assert.equal(r.verdict, 'noisy');
  assert.deepEqual(r.reason, { gate: 'counter-negative', counter: 'system', side: 'current' });
  assert.match(reasonText(r), /read below zero in the current run/);
});
