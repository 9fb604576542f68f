/**
 * The console summary of a fixed quick run (the committed baseline, read with today's specs): short, its figures in the unit
 * their size calls for, errnos by name, one line per workload for its noisy latencies, no word said
 * twice in a row, and the paths of the run and its reports last.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRun } from '../src/results/schema.js';
import { renderConsoleSummary } from '../src/report/console.js';
import { workloadShapes } from '../src/analysis/shapes.js';
import { WORKLOADS } from '../src/workloads/index.js';
import { workloadSpec } from '../src/runner/runner.js';
import { ROOT } from './helpers.js';

const DIR = join(ROOT, 'results', 'baselines', 'amd-epyc-2cpu-vm-375bf0b9');
// Read with today's metric specs and questions, as a quick run made now carries them.
const saved = parseRun(readFileSync(join(DIR, readdirSync(DIR).find((f) => f.endsWith('.json'))!), 'utf8'));
const run = { ...saved, workloads: WORKLOADS.map(workloadSpec) };
const files = { json: '/r/run.json', csv: '/r/run.csv', reports: ['/r/report.md', '/r/report.html', '/r/charts/a.png', '/r/charts/b.png'] };
const summary = renderConsoleSummary(run, files);
const lines = summary.split('\n');

test('a quick run\'s summary is short and ends with where the run and its reports went', () => {
  assert.ok(lines.length < 80, `${lines.length} lines`);
  assert.deepEqual(lines.slice(-2), ['run written to /r/run.json and /r/run.csv', 'reports: /r/report.md, /r/report.html, 2 PNG charts']);
});

test('figures in ns, µs or ms by their size, errnos by name, nothing said twice', () => {
  assert.match(summary, /^ {2}fork \(per fork\)\s+9\.69 ms\s+3\.23 ms · 3\.0x faster/m);
  assert.match(summary, /^ {2}install \(per guard\)\s+3\.28 µs\s+1\.76 µs · 1\.87x faster\s+185 ns · 18x faster/m);
  assert.match(summary, /^ {2}stop_errno\s+ENOMEM\s+none\s+none/m);
  assert.doesNotMatch(summary, /\b(\w+) \1\b/, 'a word repeated');
  assert.doesNotMatch(summary, /\b1 VMAs\b|0\.00024|\d{1,3}(,\d{3}){2,} ns/);
});

test('one line per workload on its noisy latencies, with the threshold reports and compare share', () => {
  const header = lines.findIndex((l) => l.startsWith('Noisy figures (margin of error over 10%'));
  assert.ok(header > 0, summary);
  const noisy = lines.slice(header + 1).filter((l) => /^ {2}[a-z-]+: \d+ of \d+ latencies noisy/.test(l));
  const names = noisy.map((l) => l.trim().split(':')[0]);
  assert.equal(new Set(names).size, names.length, 'a workload listed twice');
  for (const n of names) assert.ok(workloadShapes(run).some((s) => s.name === n), n);
});
