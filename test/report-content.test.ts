/**
 * What the reports say, from the model and Markdown directly: verdicts on the cover letter's claims
 * follow the figures, new workloads and sweeps render without code changes, strings from a run are
 * escaped, optional sections (FFI floor, census) appear when the run has them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRun, type Run } from '../src/results/schema.js';
import { buildReportModel } from '../src/report/model.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { mdEscape } from '../src/render/markdown.js';
import { checkClaims } from '../src/report/claims.js';
import { chartsForRun } from '../src/report/charts.js';
import { censusView } from '../src/report/census.js';
import { renderReports } from '../src/report/index.js';
import { jsonForScript } from '../src/render/page-shell.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './helpers.js';
import { HOSTILE_KERNEL, allWorkloadsRun, defaultSizedRun, hostileRun, quickRun, sweepRun } from './fixtures/report-synthetic.js';
import { gainsOverProtNone } from '../src/analysis/gains.js';
import { GITHUB_COMMENT_LIMIT } from '../src/report/markdown.js';

/** The quick run with process_madvise's batched install set to `ns` per guard (rme unchanged). */
function withBatchedInstall(ns: number): Run {
  const run = quickRun();
  for (const r of run.rows) {
    if (r.workload === 'madvise-batches' && r.strategy === 'guard-process-madvise' && r.metric === 'install' && r.params.batch === 1024) {
      r.value = ns;
      r.stats = { ...r.stats!, median: ns, mean: ns, p99: ns * 1.03 };
    }
  }
  return checkRun(run);
}

test('claims: the quick run confirms the speed-up and the VMA saving, and weakens the memory claim', () => {
  const [speed, vmas, memory] = checkClaims(quickRun(), null);
  assert.equal(speed!.verdict, 'confirms');
  assert.equal(speed!.ratio, '19x ±1.7%');
  assert.equal(vmas!.verdict, 'confirms');
  assert.match(vmas!.why, /census/);
  // Arenas: 32 B/region of page tables against 414 B of VMA slab; thread stacks: a 4 KiB page-table page per stack.
  assert.equal(memory!.verdict, 'weakens');
  assert.match(memory!.ratio, /13x less/);
  assert.match(memory!.ratio, /6\.0x more/);
});

test('claims: a 3x speed-up weakens the ~5x claim and none contradicts it', () => {
  assert.equal(checkClaims(withBatchedInstall(3242 / 3), null)[0]!.verdict, 'weakens');
  assert.equal(checkClaims(withBatchedInstall(3242 / 0.8), null)[0]!.verdict, 'contradicts');
  const md = renderMarkdown(buildReportModel(withBatchedInstall(3242 / 0.8)));
  assert.match(md, /\*\*❌ contradicts\*\*/);
  assert.match(md, /process_madvise was not faster here/);
});

test('claims: a run without a guard-install timing says what it did not measure; any workload that times mapping with guards counts', () => {
  const run = quickRun();
  run.rows = run.rows.filter((r) => r.workload === 'ceiling');
  assert.equal(checkClaims(run, null)[0]!.verdict, 'not measured');
  // thread-stacks' create (map a stack and guard it) is mapping memory with guards: the claim is tested on it.
  const stacks = quickRun();
  stacks.rows = stacks.rows.filter((r) => r.workload === 'thread-stacks');
  const [speed] = checkClaims(stacks, null);
  assert.notEqual(speed!.verdict, 'not measured');
  assert.match(speed!.measured[0]!, /^thread-stacks/);
});

test('a workload the reporters do not know renders with its own section, charts and tables', () => {
  const run = sweepRun();
  const ids = chartsForRun(run).map((c) => c.id);
  assert.ok(ids.includes('fork-fork'), ids.join(', '));
  assert.ok(ids.includes('fork-vmas'), ids.join(', '));
  // Several stack counts: create cost against the count, one chart per other combination (threads x reuse).
  assert.deepEqual(ids.filter((i) => i.startsWith('thread-stacks-create-vs-stacks')).length, 4);
  const md = renderMarkdown(buildReportModel(run));
  assert.match(md, /### fork\n/);
  assert.match(md, /\| fork \| guards=16,384 \| 1\.50x faster ±2\.1% \| 1\.53x faster ±2\.1% \|/);
  assert.match(md, /\| fork \(guards=1,024\) \| VMAs added \(count\) \| 2,048 \| 0 \| 0 \| – \|/);
  assert.match(md, /!\[[^\]]*\]\(charts\/fork-fork\.png\)/);
  assert.ok(md.length < 65000, `sweep report is ${md.length} characters`);
});

test('every chart is plain JSON: what png.ts draws is what report.html embeds', () => {
  for (const spec of chartsForRun(sweepRun())) {
    assert.deepEqual(JSON.parse(JSON.stringify(spec.config)), spec.config, `${spec.id} holds a non-JSON value`);
  }
});

test('strings from the run are escaped in Markdown', () => {
  const md = renderMarkdown(buildReportModel(hostileRun()));
  assert.ok(!md.includes('<img'), 'raw <img in report.md');
  assert.ok(!md.includes('<script'), 'raw <script in report.md');
  assert.ok(!md.includes('<svg'), 'raw <svg in report.md');
  assert.ok(!md.includes('<b '), 'raw <b in report.md');
  assert.ok(!md.includes('[link](javascript:'), 'a link from the run survived');
  assert.ok(md.includes('\\[link\\](javascript:alert(4))'));
  assert.ok(md.includes(mdEscape(HOSTILE_KERNEL)));
  assert.equal(mdEscape('a|b `c` *d* [e](f) <g> & vma_slab_bytes _x_'),
    'a\\|b \\`c\\` \\*d\\* \\[e\\](f) &lt;g&gt; &amp; vma_slab_bytes \\_x\\_');
});

test('JSON for a script block cannot close it', () => {
  const text = jsonForScript({ s: '</script><script>alert(1)</script>', t: 'a & b \u2028' });
  assert.ok(!text.includes('<') && !text.includes('>') && !text.includes('&') && !text.includes('\u2028'));
  assert.deepEqual(JSON.parse(text), { s: '</script><script>alert(1)</script>', t: 'a & b \u2028' });
});

test('the FFI floor is shown when the run measured it', () => {
  const run = quickRun();
  assert.match(renderMarkdown(buildReportModel(run)), /did not record its FFI floor/);
  (run.env as Record<string, unknown>).ffi = { labsNs: 31.5, getppidNs: 412.25, loopCalls: 16384 };
  const md = renderMarkdown(buildReportModel(checkRun(run)));
  assert.match(md, /\*\*FFI floor:\*\* 31\.5 ns per call \(labs\), 412 ns per system call \(getppid\)/);
  assert.match(md, /Batching 1024 guards per call \(madvise-batches, guards=16,384\) is 11x faster than one madvise\(\) per guard/);
});

test('a run whose census section is malformed is not a run: one line names the section', () => {
  const run = quickRun();
  (run as Record<string, unknown>).census = { schema: 'guardbench.census/v1', processes: 12, protNoneGuardVmas: 345 };
  assert.throws(() => checkRun(run), /not a guardbench\.run\/v1 document: \/census/);
  assert.equal(censusView(quickRun()), null);
});

test('a real census (this machine, taken by guardbench census) renders and its share is set beside the 13% claim', async () => {
  const run = quickRun();
  (run as Record<string, unknown>).census = JSON.parse(readFileSync(new URL('./fixtures/report-census.json', import.meta.url), 'utf8'));
  const census = censusView(checkRun(run));
  assert.ok(census);
  assert.deepEqual(census.share && [census.share.lower.toFixed(1), census.share.upper.toFixed(1)], ['5.2', '6.3']);
  const vmas = checkClaims(run, census)[1]!;
  assert.match(vmas.measured.join('\n'), /this machine \(census\): 107 of 2,046 VMAs/);
  assert.match(vmas.why, /markers would remove 5\.2-6\.3% of all VMAs, less than the 13% on idle Android/);
  const md = renderMarkdown(buildReportModel(run, census));
  assert.ok(md.includes(census.markdown!.trim()), 'the census Markdown is not in the report');
  assert.ok(md.length < 65000);
});

test('a format that fails does not stop the others; the outcome names it and lists what was written', async () => {
  const dir = scratchDir('guardbench-report-fail-');
  writeFileSync(join(dir, 'charts'), 'a file where the charts directory should go');
  const outcome = await renderReports(quickRun(), dir);
  assert.deepEqual(outcome.missing.map((m) => [m.format, m.kind]), [['png', 'failed']]);
  assert.match(outcome.missing[0]!.reason, /^png report failed: /);
  assert.deepEqual(outcome.files.map((f) => f.slice(dir.length + 1)), ['report.md', 'report.html']);
  assert.ok(existsSync(join(dir, 'report.md')) && existsSync(join(dir, 'report.html')));
});

test('the Markdown report of a default-profile-sized run opens with the headline table and fits a GitHub comment', () => {
  const run = defaultSizedRun();
  assert.ok(run.rows.length > 600, `${run.rows.length} rows`);
  const md = renderMarkdown(buildReportModel(run, censusView(run)));
  assert.ok(md.length < GITHUB_COMMENT_LIMIT, `report.md is ${md.length} characters`);
  const headline = md.indexOf('| workload | figure | prot-none | guard-madvise | guard-process-madvise | no-guard |');
  assert.ok(headline > 0 && headline < md.indexOf('**Environment:**'), 'the headline table comes before everything else');
  // A run lists only the checks of the memory kinds its points use, and says so (guardbench verify lists every kind's).
  assert.match(md, /All 35 checks passed on anon memory, the kinds this run's points use \(guardbench verify checks every kind\); report\.html lists them\./);
});

test('a detection method that cannot see a strategy\'s guards gives no speed-up over prot-none', () => {
  const run = allWorkloadsRun();
  const detect = (r: Run) => gainsOverProtNone(r).filter((g) => g.row.workload === 'detect');
  assert.deepEqual(detect(run), []);
  assert.ok(gainsOverProtNone(run).some((g) => g.row.workload === 'allocator-arenas'), 'other workloads keep their gains');
  // The same rows with every method expected to find every guard: now the strategies do the same work, and are compared.
  const seeing = allWorkloadsRun();
  for (const r of seeing.rows) if (r.workload === 'detect' && r.expected !== undefined) r.expected = r.params.guards as number;
  assert.equal(detect(seeing).length, 6);
  const md = renderMarkdown(buildReportModel(run));
  assert.match(md, /### detect\n\n<sub>guards=100<\/sub>\n\n- Timings here are not compared with prot-none's/);
});
