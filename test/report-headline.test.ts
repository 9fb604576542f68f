/**
 * Headlines by rule: every workload's headline figures are the ones that answer its questions, and
 * every latency where markers win or lose by 2x against prot-none on the committed baseline answers
 * one. The at-a-glance table of a fixed quick run (the committed baseline, read with the metric
 * specs it was saved with and with today's) shows the losses beside the wins, in prot-none-first
 * order, with figures below their counter's resolution shown as 0 and units chosen per magnitude.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRun, type Run } from '../src/results/schema.js';
import { WORKLOADS } from '../src/workloads/index.js';
import { workloadSpec } from '../src/runner/runner.js';
import { workloadShapes } from '../src/analysis/shapes.js';
import { LARGE_GAIN_FACTOR, markerGainFactor } from '../src/analysis/headline-rule.js';
import { headlineTable } from '../src/report/headline-table.js';
import { errnoName, formatNs, shownValue } from '../src/report/figures.js';
import type { Cell, ReportTable } from '../src/report/cells.js';
import { ROOT } from './helpers.js';

const BASELINE_DIR = join(ROOT, 'results', 'baselines', 'amd-epyc-2cpu-vm-375bf0b9');

function committedBaseline(): Run {
  const file = readdirSync(BASELINE_DIR).find((f) => f.endsWith('.json'))!;
  return parseRun(readFileSync(join(BASELINE_DIR, file), 'utf8'));
}

/** The baseline's figures read with today's metric specs and questions, as a quick run made now carries them. */
function withTodaysSpecs(run: Run): Run {
  return { ...run, workloads: WORKLOADS.map(workloadSpec) };
}

/** The rows of the table as [workload, figure, ...cells], the workload filled in on every row. */
function rowsOf(t: ReportTable): Cell[][] {
  let workload = '';
  return t.rows.map((r) => {
    workload = r[0]!.text || workload;
    return [{ text: workload }, ...r.slice(1)];
  });
}

function has(t: ReportTable, workload: string, figure: RegExp): Cell[] | undefined {
  return rowsOf(t).find((r) => r[0]!.text.startsWith(workload) && figure.test(r[1]!.text));
}

test('every metric answers questions its workload asks, and every question is answered', () => {
  for (const w of WORKLOADS) {
    const ids = new Set((w.questions ?? []).map((q) => q.id));
    for (const m of w.metrics) {
      for (const a of m.answers ?? []) assert.ok(ids.has(a), `${w.name}/${m.metric} answers '${a}', which ${w.name} does not ask`);
      assert.equal(m.headline, (m.answers ?? []).length > 0, `${w.name}/${m.metric}: a headline is exactly a figure that answers a question`);
    }
    for (const id of ids) assert.ok(w.metrics.some((m) => m.answers?.includes(id)), `${w.name} asks '${id}' and no metric answers it`);
  }
});

test('every latency where markers win or lose by 2x against prot-none on the committed baseline answers a question', () => {
  const run = committedBaseline();
  const large: string[] = [];
  for (const shape of workloadShapes(run)) {
    const w = WORKLOADS.find((x) => x.name === shape.name)!;
    for (const m of shape.metrics.filter((x) => x.kind === 'latency')) {
      for (const point of shape.points) {
        const factor = markerGainFactor(run, shape, m.metric, point);
        if (factor < LARGE_GAIN_FACTOR) continue;
        large.push(`${shape.name}/${m.metric}`);
        const spec = w.metrics.find((x) => x.metric === m.metric)!;
        assert.ok(spec.headline, `${shape.name}/${m.metric} at ${point.key}: markers ${factor.toFixed(1)}x from prot-none, yet no question of ${shape.name} is answered by it`);
      }
    }
  }
  // The baseline's big gains and losses: thread-stack teardown (3.5x slower), arena teardown, fork, scaling's own page tables...
  for (const name of ['thread-stacks/teardown', 'allocator-arenas/teardown', 'teardown/teardown', 'fork/fork', 'scaling/cycle']) {
    assert.ok(large.includes(name), `${name} should be 2x from prot-none on the baseline`);
  }
});

for (const [label, read] of [['the specs it was saved with', committedBaseline], ["today's specs", () => withTodaysSpecs(committedBaseline())]] as const) {
  test(`the at-a-glance table of the committed quick baseline (${label}) shows the large losses beside the wins`, () => {
    const t = headlineTable(read())!;
    assert.deepEqual(t.header.slice(0, 3), ['workload', 'figure', 'prot-none'], 'prot-none first');
    assert.equal(t.header.at(-1), 'no-guard', 'the unguarded floor last');
    const stackTeardown = has(t, 'thread-stacks', /^teardown/);
    assert.ok(stackTeardown, 'thread-stacks teardown');
    const madvise = stackTeardown[t.header.indexOf('guard-madvise')]!;
    assert.match(madvise.text, /µs · 3\.\dx slower$/);
    assert.equal(madvise.tone, 'loss');
    // Read at pageTables=own: said in the row, or in the workload's label when no row is read elsewhere.
    const ownTables = rowsOf(t).find((r) => r[0]!.text.startsWith('scaling') && r[1]!.text.startsWith('cycle')
      && /pageTables=own/.test(`${r[0]!.text} ${r[1]!.text}`));
    assert.ok(ownTables, 'scaling with page tables of its own');
    assert.equal(ownTables[t.header.indexOf('guard-madvise')]!.tone, 'loss');
    const teardown = has(t, 'teardown', /^teardown/);
    assert.ok(teardown, 'teardown latency');
    assert.equal(teardown[t.header.indexOf('guard-madvise')]!.tone, 'win');
    const fork = has(t, 'fork', /^fork/);
    assert.ok(fork, 'fork latency');
    assert.match(fork[t.header.indexOf('prot-none')]!.text, /^\d+(\.\d+)? ms$/, 'a fork is read in ms');
    // No figure below its counter's resolution is shown as a stray fraction.
    for (const r of t.rows) for (const c of r) assert.doesNotMatch(c.text, /^-|^0\.000/, `a figure shown as ${c.text}`);
    const perStack = has(t, 'thread-stacks', /VMAs per stack/)!;
    assert.equal(perStack[t.header.indexOf('guard-madvise')]!.text, '≈ 0');
    assert.match(perStack[t.header.indexOf('guard-madvise')]!.note!, /one shared among the 4,096 stacks/);
  });
}

test("today's specs put a question on each headline row, and the ceiling's errno by name", () => {
  const t = headlineTable(withTodaysSpecs(committedBaseline()))!;
  const teardown = has(t, 'thread-stacks', /^teardown/)!;
  assert.equal(teardown[1]!.note, 'What does it add to freeing one?');
  assert.ok(has(t, 'scaling', /^cycle \(per op\)$/), 'scaling at shared page tables, the question asked at the main point');
  const errno = has(t, 'ceiling', /^stop_errno$/)!;
  assert.equal(errno[t.header.indexOf('prot-none')]!.text, 'ENOMEM');
});

test('figures: units per magnitude, errno names, resolution', () => {
  assert.equal(formatNs(573), '573 ns');
  assert.equal(formatNs(2054), '2.05 µs');
  assert.equal(formatNs(9_687_715), '9.69 ms');
  assert.equal(errnoName(12), 'ENOMEM');
  assert.equal(errnoName(0), 'none');
  const slab = shownValue(-14, { unit: 'bytes/stack', kind: 'bytes' }, 16);
  assert.equal(slab.text, '0');
  assert.match(slab.note!, /-14 bytes\/stack.*±16/);
  assert.equal(shownValue(407, { unit: 'bytes/stack', kind: 'bytes' }, 16).text, '407');
  assert.equal(shownValue(12, { unit: 'errno', kind: 'count' }).text, 'ENOMEM');
  assert.equal(shownValue(1 / 4096, { unit: 'count/stack', kind: 'count' }).text, '≈ 0');
});
