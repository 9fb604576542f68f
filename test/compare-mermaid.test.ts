/**
 * The Mermaid charts in compare.md, which GitHub draws inside the pull-request comment and the job
 * summary: every block renders with the `mermaid` package itself (its own dist file, loaded into
 * headless Chromium; no network) to an SVG with bars of both runs, hostile strings from a run cannot
 * break a block, latencies are charted only when comparable, and the comment stays under GitHub's limit.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { checkRun, type Run } from '../src/results/schema.js';
import { compareRuns } from '../src/analysis/comparison.js';
import { renderCompareMarkdown } from '../src/compare/markdown.js';
import { SPLIT_RATIO } from '../src/compare/mermaid.js';
import { mermaidText } from '../src/render/mermaid.js';
import { GITHUB_COMMENT_LIMIT } from '../src/report/markdown.js';
import { fitComment, markerLine } from '../scripts/pr-comment.js';
import { allWorkloadsRun, defaultSizedRun } from './fixtures/report-synthetic.js';
import { onTestbed } from './fixtures/testbed.js';

const MERMAID_DIST = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
const HOSTILE_RELEASE = '6.19"] \n```\n%%{init: {"theme": "dark"}}%% <img src=x onerror=alert(1)> `x` #quot; [a](b);';
const HOSTILE_STRATEGY = 'evil"]\nbar [9, 9]\n```';

let browser: Browser;
let page: Page;
const requests: string[] = [];
const errors: string[] = [];

before(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  page.on('request', (r) => { if (!r.url().startsWith('about:')) requests.push(r.url()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
  await page.addScriptTag({ path: MERMAID_DIST });
  await page.evaluate('mermaid.initialize({ startOnLoad: false, securityLevel: "strict" })');
});

after(async () => {
  await browser?.close();
});

/** A copy of `run` whose latencies are `factor` times slower and whose VMA counts rose by one. */
function slower(run: Run, factor: number): Run {
  const copy = structuredClone(run);
  for (const r of copy.rows) {
    if (r.value === null) continue;
    if (r.stats) {
      r.value *= factor;
      for (const k of ['mean', 'median', 'p75', 'p99', 'min', 'max', 'sd'] as const) r.stats[k] *= factor;
    } else if (r.metric === 'vma_delta' && r.strategy === 'prot-none') r.value += 1;
  }
  return checkRun(copy);
}

/** The ```mermaid blocks of a Markdown text, without their fences. */
function mermaidBlocks(md: string): string[] {
  return [...md.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

interface Rendered {
  ok: boolean;
  error?: string;
  /** lengths of the bars of each series (horizontal bars: their width) */
  base: number[];
  current: number[];
  fills: string[];
  text: string;
}

async function render(block: string, id: string): Promise<Rendered> {
  return page.evaluate(`(async function () {
    try {
      var result = await mermaid.render(${JSON.stringify(id)}, ${JSON.stringify(block)});
      var holder = document.createElement('div');
      holder.innerHTML = result.svg;
      document.getElementById('out').appendChild(holder);
      function bars(i) { return Array.from(holder.querySelectorAll('g.bar-plot-' + i + ' rect')).map(function (r) { return Number(r.getAttribute('width')); }); }
      var fills = Array.from(new Set(Array.from(holder.querySelectorAll('g[class*="bar-plot"] rect')).map(function (r) { return r.getAttribute('fill'); })));
      return { ok: true, base: bars(0), current: bars(1), fills: fills, text: holder.textContent };
    } catch (e) {
      return { ok: false, error: String(e && e.message || e), base: [], current: [], fills: [], text: '' };
    }
  })()`);
}

test('every Mermaid block of the compare Markdown of two quick runs renders to an SVG with bars of both runs', async () => {
  const base = onTestbed(allWorkloadsRun());
  const current = onTestbed(slower(allWorkloadsRun(), 1.15));
  const md = renderCompareMarkdown(compareRuns(base, current));
  const blocks = mermaidBlocks(md);
  // Latencies (thread-stacks create at 2 points, allocator-arenas install and churn, madvise-batches install) and counts (vma_delta).
  assert.ok(blocks.length >= 8, `${blocks.length} charts`);
  assert.match(md, /### Headline figures, base against current/);
  assert.ok(md.indexOf('```mermaid') < md.indexOf('<details>\n<summary>Unchanged'), 'the charts come before the folded tables');
  const titles: string[] = [];
  for (const [i, block] of blocks.entries()) {
    const r = await render(block, `chart${i}`);
    assert.ok(r.ok, `block ${i} failed: ${r.error}\n${block}`);
    assert.ok(r.base.some((w) => w > 0), `block ${i}: no base bar\n${block}`);
    assert.ok(r.current.some((w) => w > 0), `block ${i}: no current bar\n${block}`);
    // Each pair's placeholder draws nothing: as many visible bars as pairs with a figure above 0.
    assert.deepEqual(r.fills.sort(), ['#0072B2', '#9e9e9e'], `block ${i}: colours ${r.fills.join(', ')}`);
    titles.push(r.text.split('·')[0]!);
  }
  assert.ok(blocks.some((b) => b.includes('allocator-arenas install')), 'a latency chart');
  assert.ok(blocks.some((b) => b.includes('VMAs') || b.includes('vma_delta')), 'a count chart');
  // The current run is 15% slower: its bar is 15% longer than the base's, pair by pair.
  const arenas = await render(blocks.find((b) => b.includes('allocator-arenas install'))!, 'arenas');
  const ratios = arenas.current.filter((w) => w > 0).map((w, i) => w / arenas.base.filter((x) => x > 0)[i]!);
  for (const r of ratios) assert.ok(Math.abs(r - 1.15) < 0.02, `bar ratio ${r}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, []);
});

test('latencies further apart than the split ratio go to charts of their own, so the small bars show', () => {
  const base = onTestbed(allWorkloadsRun());
  const md = renderCompareMarkdown(compareRuns(base, onTestbed(slower(allWorkloadsRun(), 1.0))));
  const latencies = mermaidBlocks(md).filter((b) => /y-axis "ns\//.test(b));
  // allocator-arenas churn: prot-none 15,152 ns/op, guard-process-madvise 406.
  assert.ok(latencies.some((b) => /title "allocator-arenas churn \(1 of 2\)"/.test(b)), 'no chart was split');
  for (const block of latencies) {
    const bars = /^ {2}bar \[(.*)\]$/gm;
    const values = [...block.matchAll(bars)].flatMap((m) => m[1]!.split(', ').map(Number)).filter((v) => v > 0);
    assert.ok(Math.max(...values) / Math.min(...values) <= SPLIT_RATIO, `one chart spans ${Math.max(...values)} to ${Math.min(...values)}:\n${block}`);
  }
});

test('hostile strings from a run cannot break a block: they render as text or are dropped', async () => {
  const base = onTestbed(allWorkloadsRun());
  const current = onTestbed(slower(allWorkloadsRun(), 1.1));
  current.env.kernel.release = HOSTILE_RELEASE;
  for (const r of current.rows) if (r.workload === 'allocator-arenas' && r.strategy === 'guard-madvise') r.strategy = HOSTILE_STRATEGY;
  for (const r of base.rows) if (r.workload === 'allocator-arenas' && r.strategy === 'guard-madvise') r.strategy = HOSTILE_STRATEGY;
  const md = renderCompareMarkdown(compareRuns(base, checkRun(current)));
  const blocks = mermaidBlocks(md);
  assert.ok(blocks.length >= 8);
  // Fences balance: the hostile text opened or closed none.
  assert.equal((md.match(/^```/gm) ?? []).length, 2 * blocks.length);
  for (const [i, block] of blocks.entries()) {
    const r = await render(block, `hostile${i}`);
    assert.ok(r.ok, `block ${i} failed: ${r.error}\n${block}`);
    assert.ok(!/%%\{|<img|`|#quot;/.test(block), `block ${i} carries markup:\n${block}`);
    assert.equal(block.match(/^ {2}bar /gm)?.length, 2, `block ${i} has other series:\n${block}`);
  }
  assert.ok(blocks.some((b) => b.includes('evil bar 9, 9')), 'the hostile strategy is shown as text');
  assert.equal(mermaidText('a"b\nc`d#e%f;g<h>i&j[k]l{m}n\\o'), 'a b c d e f g h i j k l m n o');
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, []);
});

test('latencies of two testbeds are not charted, counts are', () => {
  const md = renderCompareMarkdown(compareRuns(onTestbed(allWorkloadsRun(), 'lab-a'), onTestbed(slower(allWorkloadsRun(), 1.1), 'lab-b')));
  const blocks = mermaidBlocks(md);
  assert.ok(blocks.length > 0);
  assert.ok(blocks.every((b) => !/ns\//.test(b)), 'a latency chart across testbeds');
  assert.match(md, /Latencies are not charted: /);
});

test('the PR comment of a default-sized comparison stays under GitHub\'s limit and keeps its charts', () => {
  const base = onTestbed(defaultSizedRun());
  const md = renderCompareMarkdown(compareRuns(base, onTestbed(slower(defaultSizedRun(), 1.2))));
  // What scripts/pr-comment.ts posts: the marker line, then the body fitted to the limit.
  const comment = `${markerLine('guardbench-compare')}\n${fitComment(md, GITHUB_COMMENT_LIMIT - 100, 'https://example.invalid/run')}`;
  assert.ok(comment.length < GITHUB_COMMENT_LIMIT, `${comment.length} characters`);
  assert.ok(mermaidBlocks(comment).length >= 8, 'the charts survive the fitting');
});

test('Mermaid titles name no release (the section says both once), labels carry the figures, equal counts are not charted', async () => {
  const base = onTestbed(allWorkloadsRun());
  const current = onTestbed(allWorkloadsRun());
  current.env.kernel.release = '6.19.0-fc-v12345';
  const md = renderCompareMarkdown(compareRuns(base, current));
  const blocks = mermaidBlocks(md);
  assert.ok(blocks.length > 0);
  for (const b of blocks) {
    assert.doesNotMatch(/^ {2}title .*$/m.exec(b)![0], /6\.19|fc-v|6\.18/, b);
    // Every category label ends in its figure: "prot-none · base 3,439".
    const labels = /^ {2}x-axis \[(.*)\]$/m.exec(b)![1]!.split('", "');
    assert.ok(labels.every((l) => /· (base|current) [\d,.]+"?$/.test(l)), labels.join(' | '));
  }
  assert.match(md, /grey the base run \(6\.18[^)]*\), blue the current run \(6\.19\.0-fc-v12345\)/);
  // Same counts in both runs: no exact chart (the latencies, timed twice alike, still are).
  assert.ok(blocks.every((b) => /y-axis "ns\//.test(b)), 'an exact chart of identical counts');
  assert.doesNotMatch(md, /VMAs and other exact headline figures/);
  const r = await render(blocks[0]!, 'valued');
  assert.ok(r.ok, r.error);
});
