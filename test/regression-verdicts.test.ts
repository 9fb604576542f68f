/**
 * Regression verdicts on real runs of this project's machine (issue "verdicts that tell a kernel's
 * change from the machine's"): the committed baseline of this testbed, saved from 10 back-to-back
 * quick runs, two more quick runs made after it, and one quick run made on the same machine under
 * another testbed name. Nothing here measures: the runs are fixtures, so the verdicts are exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, scratchDir } from './helpers.js';
import { readRun } from '../src/results/read.js';
import type { Row, Run, Stats } from '../src/results/schema.js';
import { compareRuns, confirmComparison, DEFAULT_OPTIONS, MAX_USABLE_DETECTABLE, type Comparison, type RowComparison } from '../src/analysis/comparison.js';
import { rowKey } from '../src/analysis/keys.js';
import { renderCompareMarkdown } from '../src/compare/markdown.js';
import { reasonText as why } from '../src/compare/reasons.js';

const fixture = (name: string) => new URL(`./fixtures/runs/${name}`, import.meta.url).pathname;
const BASELINE = new URL('../results/baselines/amd-epyc-2cpu-vm-375bf0b9/6.18.44-fc-v1045.json', import.meta.url).pathname;
const HOST_1 = fixture('this-host-quick-1.json');
const HOST_2 = fixture('this-host-quick-2.json');
const ELSEWHERE = fixture('renamed-testbed-quick.json');

const dir = scratchDir();
function save(name: string, run: Run): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(run));
  return path;
}

/** The pull-request check's way: compare, then confirm with a second run of the same code. */
function confirmed(base: Run, first: Run, second: Run): Comparison {
  const options = { ...DEFAULT_OPTIONS, confirmations: 1 };
  return confirmComparison(compareRuns(base, first, options), [compareRuns(base, second, options)]);
}

const find = (c: Comparison, row: Row) => c.rows.find((r) => rowKey(r) === rowKey(row))!;
const arenaRow = (run: Run, strategy: string, metric: string) =>
  run.rows.find((r) => r.workload === 'allocator-arenas' && r.strategy === strategy && r.metric === metric)!;

/** Every latency statistic of the row times `factor`: the same runs, with the kernel's work made slower or faster. */
function scaleLatency(row: Row, factor: number): void {
  const stats = row.stats as Stats & Record<string, number>;
  for (const k of ['mean', 'median', 'p75', 'p99', 'min', 'max', 'sd', 'p10', 'trimmedMean', 'hostNormalisedMedian', 'callNormalisedMedian']) {
    if (typeof stats[k] === 'number') stats[k] *= factor;
  }
  row.value = stats.median;
}

test('two real runs of different testbeds: no latency is compared, every count and byte figure is', () => {
  const here = readRun(HOST_1);
  const there = readRun(ELSEWHERE);
  assert.notEqual(here.env.testbed!.name, there.env.testbed!.name);
  const c = compareRuns(here, there);
  const latencies = c.rows.filter((r) => r.kind === 'latency' && r.base?.status === 'ok' && r.current?.status === 'ok');
  assert.ok(latencies.length > 40, `${latencies.length} latency rows`);
  assert.ok(latencies.every((r) => r.verdict === 'incomparable'), 'no latency judged across testbeds');
  assert.match(why(latencies[0]!), /different testbeds/);
  const exact = c.rows.filter((r) => r.kind === 'count' && r.spec.noise === 'exact' && r.spec.better !== 'none' && r.base?.status === 'ok');
  assert.ok(exact.length > 20 && exact.every((r) => r.verdict === 'unchanged'), 'exact counts judged, and equal');
  assert.equal(c.counts.regressed, 0);
  assert.equal(runCli(['compare', HOST_1, ELSEWHERE]).code, 0);
  assert.equal(runCli(['compare', HOST_1, ELSEWHERE, '--strict']).code, 4, 'the strict code says latencies went unjudged');
});

test('against the committed baseline, two later runs of unchanged code regress nothing', () => {
  const c = confirmed(readRun(BASELINE), readRun(HOST_1), readRun(HOST_2));
  assert.equal(c.counts.regressed, 0, c.rows.filter((r) => r.verdict === 'regressed').map((r) => `${r.workload}/${r.strategy}/${r.metric}: ${why(r)}`).join('\n'));
  assert.match(renderCompareMarkdown(c), /No regression/);
});

test('a +15% latency the baseline resolves, +1 VMA and +8 B of page tables per guard regress, each for its reason; -15% improves', () => {
  const base = readRun(BASELINE);
  // The change is injected into copies of the baseline's own run (the most typical of its ten), so
  // the verdict is about the injected change, not about where a later run happened to land.
  const typical: Run = structuredClone(base);
  delete typical.baselineNoise;
  const runs = [typical, structuredClone(typical)] as const;
  // The steadiest latency of this testbed: its smallest detectable change must be under 15%.
  const judged = confirmed(base, runs[0], runs[1]).rows.filter((r): r is RowComparison & { detectable: number } => r.kind === 'latency' && r.detectable !== null);
  const steadiest = [...judged].sort((a, b) => a.detectable - b.detectable)[0]!;
  assert.ok(steadiest.detectable < 0.15, `steadiest latency resolves ${(steadiest.detectable * 100).toFixed(1)}%`);
  assert.ok(steadiest.detectable <= MAX_USABLE_DETECTABLE);

  const inject = (factor: number) => runs.map((run) => {
    const copy = structuredClone(run);
    scaleLatency(copy.rows.find((r) => rowKey(r) === rowKey(steadiest))!, factor);
    return copy;
  });
  const [slow1, slow2] = inject(1.15);
  const regions = Number(arenaRow(slow1!, 'guard-madvise', 'vma_delta').params.regions);
  for (const copy of [slow1!, slow2!]) {
    arenaRow(copy, 'guard-madvise', 'vma_delta').value! += regions;
    arenaRow(copy, 'guard-madvise', 'page_table_bytes').value! += 8;
  }
  const slow = confirmed(base, slow1!, slow2!);
  const latency = find(slow, steadiest.current!);
  assert.equal(latency.verdict, 'regressed', why(latency));
  assert.match(why(latency), /\+15\.0%/);
  assert.match(why(latency), /repeated in 1 more run/);
  const vmas = find(slow, arenaRow(slow1!, 'guard-madvise', 'vma_delta'));
  assert.equal(vmas.verdict, 'regressed', why(vmas));
  assert.match(why(vmas), /rose \(exact; lower is better\)/);
  const pte = find(slow, arenaRow(slow1!, 'guard-madvise', 'page_table_bytes'));
  assert.equal(pte.verdict, 'regressed', why(pte));
  assert.match(why(pte), /beyond ±[\d.]+, a process-wide counter's noise; lower is better/);
  assert.equal(slow.counts.regressed, 3, slow.rows.filter((r) => r.verdict === 'regressed').map((r) => why(r)).join('\n'));

  const [fast1, fast2] = inject(0.85);
  const fast = confirmed(base, fast1!, fast2!);
  assert.equal(find(fast, steadiest.current!).verdict, 'improved');
  assert.equal(fast.counts.regressed, 0);

  // The command says so too, with the CI's exit code for a regression.
  const cli = runCli(['compare', BASELINE, save('slow1.json', slow1!), '--confirm', save('slow2.json', slow2!)]);
  assert.equal(cli.code, 1, cli.stderr);
});

test('a run made while the host itself ran far slower gets no latency verdict, only the reason', () => {
  const base = readRun(BASELINE);
  const [one, two] = [readRun(HOST_1), readRun(HOST_2)].map((run) => {
    const copy = structuredClone(run);
    // The slow state of this host: every timing and the labs meter 80% slower.
    for (const r of copy.rows) if (r.stats) scaleLatency(r, 1.8);
    copy.env.hostSpeed = { ...copy.env.hostSpeed!, medianNs: copy.env.hostSpeed!.medianNs * 1.8 };
    return copy;
  });
  const c = confirmed(base, one!, two!);
  assert.equal(c.counts.regressed, 0);
  assert.ok(c.rows.some((r) => r.verdict === 'noisy' && /withheld: the host itself ran \d+% slower/.test(why(r))));
});
