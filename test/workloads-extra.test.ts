/**
 * The workloads beyond the card on the real kernel: detect finds exactly the guards a child holds,
 * ceiling stops where vm.max_map_count says and leaves the VMA count where it was, teardown and
 * fork hold the VMAs theory says, scaling runs its workers together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPoint } from '../src/runner/runner.js';
import { probeFeatures } from '../src/probe/features.js';
import { makeStrategies } from '../src/strategies/index.js';
import { countVmas, countVmasIn, countVmasInSpans } from '../src/metrics/vmas.js';
import { mmap, mprotect, munmap } from '../src/sys/libc.js';
import { PROT_NONE, PROT_READ } from '../src/sys/constants.js';
import type { Params, Row, StrategyName } from '../src/results/schema.js';
import type { Workload } from '../src/workloads/types.js';
import { workloadByName } from '../src/workloads/index.js';
import { maxMapCount } from '../src/workloads/headroom.js';
import { allowedCpus } from '../src/sys/affinity.js';
import { v8PagedHeapBytes } from '../src/metrics/heap.js';

const probe = probeFeatures();
const strategies = makeStrategies(probe);
const budget = { timeMs: 0, minIterations: 2, warmupIterations: 0 };
const MARKERS: StrategyName[] = ['guard-madvise', 'guard-process-madvise'];

function point(name: string, strategy: StrategyName, params: Params, timing = budget): Map<string, Row> {
  const workload = workloadByName(name) as Workload;
  const rows = runPoint({ workload, strategy: strategies[strategy], params }, { probe, budget: timing });
  const failed = rows.filter((r) => r.status === 'failed');
  assert.deepEqual(failed, [], `${name}/${strategy} failed`);
  return new Map(rows.map((r) => [r.metric, r]));
}

const value = (rows: Map<string, Row>, metric: string): number | null => rows.get(metric)?.value ?? null;

for (const guards of [1, 1000, 100000]) {
  test(`detect finds exactly ${guards} of ${guards} markers by pagemap and by PAGEMAP_SCAN, none in maps`, () => {
    for (const strategy of MARKERS) {
      const rows = point('detect', strategy, { guards });
      assert.equal(value(rows, 'installed'), guards);
      assert.equal(value(rows, 'pagemap_found'), guards, `${strategy} pagemap`);
      assert.equal(value(rows, 'scan_found'), guards, `${strategy} PAGEMAP_SCAN`);
      assert.equal(value(rows, 'maps_found'), 0, `${strategy}: markers are not VMAs`);
      // pagemap reads 8 bytes for each page of the 2-pages-per-guard arena, at least
      assert.ok(value(rows, 'pagemap_bytes')! >= guards * 2 * 8);
      for (const m of ['maps', 'pagemap', 'scan']) assert.ok(rows.get(m)?.stats, `${strategy}: ${m} timed`);
    }
  });
}

test('detect: PROT_NONE guards show in maps and not in page tables; too many for vm.max_map_count are skipped', () => {
  const rows = point('detect', 'prot-none', { guards: 1000 });
  assert.equal(value(rows, 'maps_found'), 1000);
  assert.equal(value(rows, 'pagemap_found'), 0);
  assert.equal(value(rows, 'scan_found'), 0);
  const over = point('detect', 'prot-none', { guards: 100000 });
  assert.equal(over.get('scan')?.status, 'skipped');
  assert.match(over.get('scan')?.reason ?? '', /vm\.max_map_count/);
});

test('ceiling: PROT_NONE stops within 1% of what vm.max_map_count predicts, and the VMA count comes back', () => {
  const max = maxMapCount();
  assert.ok(max !== null && max > 1000);
  point('ceiling', 'prot-none', { limit: 1_000_000 }); // let Node settle its own heap first
  // Node's heap may map or unmap a VMA of its own during a point; a leak would show every time.
  const deltas: number[] = [];
  for (let attempt = 0; attempt < 3 && !deltas.includes(0); attempt++) {
    const vmasBefore = countVmas();
    const rows = point('ceiling', 'prot-none', { limit: 1_000_000 });
    deltas.push(countVmas() - vmasBefore);
    // The growth runs in a child process, which predicts from its own VMA count.
    const predicted = value(rows, 'predicted_regions')!;
    assert.ok(predicted > (max - 2000) / 2, `predicted ${predicted} for vm.max_map_count ${max}`);
    const regions = value(rows, 'regions')!;
    assert.ok(Math.abs(regions - predicted) <= predicted * 0.01, `${regions} regions, predicted ${predicted}`);
    assert.equal(value(rows, 'stop_errno'), 12, 'ENOMEM');
    assert.ok(Math.abs(value(rows, 'vmas_at_stop')! - max) <= 2, `stopped at ${value(rows, 'vmas_at_stop')} VMAs`);
  }
  assert.ok(deltas.includes(0), `VMA count changed by ${deltas.join(', ')}`);
});

test('ceiling: markers go past the PROT_NONE ceiling to the bound, adding no VMA', () => {
  const limit = 2 * (maxMapCount() ?? 65530);
  for (const strategy of MARKERS) {
    const rows = point('ceiling', strategy, { limit });
    assert.equal(value(rows, 'regions'), limit);
    assert.equal(value(rows, 'stop_errno'), 0, 'the bound stopped it');
    assert.equal(rows.get('predicted_regions')?.status, 'skipped');
    assert.ok(value(rows, 'vmas_at_stop')! < 2000);
    // one 4 KiB PTE page per 256 guards (512 PTEs, every other page guarded), give or take Node
    const perRegion = value(rows, 'page_table_bytes')!;
    assert.ok(perRegion > 12 && perRegion < 24, `${perRegion} page-table bytes per region`);
  }
});

test('teardown and fork: PROT_NONE guards are VMAs (2 per guard), markers are not', () => {
  const teardownParams = { regions: 512, slotBytes: 4096, guardBytes: 4096 };
  assert.equal(value(point('teardown', 'prot-none', teardownParams), 'vmas_unmapped'), 1024);
  const forkParams = { regions: 512, slotBytes: 12288, guardBytes: 4096 };
  assert.equal(value(point('fork', 'prot-none', forkParams), 'vma_delta'), 1023);
  for (const strategy of MARKERS) {
    assert.equal(value(point('teardown', strategy, teardownParams), 'vmas_unmapped'), 1);
    const fork = point('fork', strategy, forkParams);
    assert.equal(value(fork, 'vma_delta'), 0);
    assert.ok(value(fork, 'fork')! > 0);
  }
});

/**
 * The page tables a forking process holds for its markers, as theory gives them: 4096 guards 16 KiB
 * apart span 64 MiB, so 32 PTE pages (33 when the arena straddles a 2 MiB boundary, one more if it
 * straddles a 1 GiB one and needs a PMD page of its own): 32-34 bytes a region. VmPTE counts the
 * whole process, so the row carries the counter's resolution (16 KiB of other page tables, here
 * 4 B a region) and the expected figure, 128 KiB, dwarfs it; at 512 regions the figure was 16 KiB,
 * the noise itself, and a fresh clone once read 0. What is left is V8 mapping or freeing heap pages
 * (a page-table page each, when scattered) inside the sampling window: when its paged heap moved
 * during the point, the point is measured again, up to three times.
 */
test('fork: markers cost the forking process a PTE page per 2 MiB they span, PROT_NONE none', () => {
  const forkParams = { regions: 4096, slotBytes: 12288, guardBytes: 4096 };
  for (const strategy of ['prot-none', ...MARKERS] as const) {
    const [low, high] = strategy === 'prot-none' ? [0, 0] : [32, 34];
    const readings: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const heapBefore = v8PagedHeapBytes();
      const row = point('fork', strategy, forkParams).get('page_table_bytes')!;
      const heapMoved = v8PagedHeapBytes() !== heapBefore;
      const resolution = row.resolution ?? 0;
      assert.ok(resolution > 0 && resolution <= 4, `${strategy}: resolution ${resolution} B a region`);
      readings.push(`${row.value} B/region${heapMoved ? " (V8's heap moved)" : ''}`);
      if (row.value! >= low - resolution && row.value! <= high + resolution) break;
      const why = `${strategy}: ${readings.join(', ')}; theory ${low}-${high} B ± ${resolution}`;
      assert.ok(heapMoved && attempt < 3, why);
    }
  }
});

test('scaling: workers run and count together, for 1 and 2 workers', () => {
  for (const workers of [1, 2]) {
    for (const strategy of ['prot-none', 'guard-madvise'] as const) {
      const timing = { timeMs: 50, minIterations: 10, warmupIterations: 2 };
      const rows = point('scaling', strategy, { workers, stackBytes: 256 * 1024, guardBytes: 4096, pinWorkers: true }, timing);
      const rate = value(rows, 'ops_per_s')!;
      assert.ok(rate > 1000, `${strategy} x${workers}: ${rate} ops/s`);
      assert.ok(Math.abs(value(rows, 'ops_per_s_per_worker')! * workers - rate) < 1e-6 * rate);
      assert.equal(value(rows, 'cpus'), allowedCpus().length);
      // the round timing and the fixed window measure the same rate, within a factor of 5 on a busy machine
      const fromCycle = 1e9 / value(rows, 'cycle')!;
      assert.ok(fromCycle / rate < 5 && rate / fromCycle < 5, `cycle says ${fromCycle} ops/s, window ${rate}`);
    }
  }
});

test('VMAs over several spans are counted from one read of maps, each once', () => {
  const page = 4096;
  // Three spans of 4 pages, read-only pages between them so nothing merges across; the second
  // page of each span PROT_NONE: 3 VMAs a span.
  const base = mmap(14 * page);
  try {
    const spans = [0, 5, 10].map((p) => ({ start: base + p * page, end: base + (p + 4) * page }));
    for (const s of spans) mprotect(s.start + page, page, PROT_NONE);
    for (const p of [4, 9]) mprotect(base + p * page, page, PROT_READ);
    assert.deepEqual(spans.map((s) => countVmasIn(s.start, s.end)), [3, 3, 3]);
    assert.equal(countVmasInSpans(spans), 9);
    assert.equal(countVmasInSpans([...spans].reverse()), 9, 'in any order');
    assert.equal(countVmasInSpans([{ start: base + page, end: base + 2 * page }]), 1, 'the PROT_NONE page alone');
    // One VMA reaching into two spans is one VMA.
    assert.equal(countVmasInSpans([{ start: base + 2 * page, end: base + 3 * page }, { start: base + 3 * page, end: base + 4 * page }]), 1);
    assert.equal(countVmasInSpans([]), 0);
  } finally {
    munmap(base, 14 * page);
  }
});
