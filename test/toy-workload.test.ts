/**
 * A workload the readers have never heard of: declared here in one file's worth of code, measured
 * by the real runner on the real kernel, then compared, charted, reported and shown in history by
 * the real CLI. Nothing in src/ names it; every reader takes its metrics' meaning from the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlan, planPoints, type Profiles } from '../src/runner/plan.js';
import { PointAccumulator, passBudget, workloadSpec } from '../src/runner/runner.js';
import { runPasses } from '../src/runner/passes.js';
import { Progress } from '../src/runner/progress.js';
import { RunWriter } from '../src/results/run-writer.js';
import { parseRun, type Profile, type Run } from '../src/results/schema.js';
import { probeFeatures } from '../src/probe/features.js';
import { captureEnv } from '../src/probe/env.js';
import { makeStrategies } from '../src/strategies/index.js';
import { count, defineWorkload, kernelMemory, latency } from '../src/workloads/types.js';
import { timeInstall } from '../src/workloads/arena.js';
import { runCli, scratchDir } from './helpers.js';

// --- the toy workload: this is all a new workload needs -------------------------------------
const toy = defineWorkload<{ [key: string]: number; guards: number }>({
  name: 'toy-guards',
  description: 'a toy: guard every other page of one small arena',
  strategies: ['prot-none', 'guard-madvise'],
  positiveAxes: ['guards'],
  questions: [{ id: 'install', text: 'What does guarding every other page cost?' }],
  metrics: [
    latency('install', 'ns/guard', 'install the guards', { answers: 'install' }),
    count('widgets', 'count', 'lower', 'a count that should not grow', { answers: 'install' }),
    kernelMemory('scratch_bytes', 'scratch', 'bytes/guard', 'process', 'a made-up kernel-memory figure per guard'),
  ],
  run(ctx) {
    timeInstall(ctx, { regions: ctx.params.guards, slotBytes: 4096, guardBytes: 4096 });
    if (!ctx.countsWanted) return;
    ctx.record('widgets', 3);
    ctx.record('scratch_bytes', ctx.strategy.name === 'prot-none' ? 400 : 32, { resolution: 1 });
  },
});
// ----------------------------------------------------------------------------------------------

const toyProfile = (name: Profile) => ({
  name, description: 'toy', budget: { timeMs: 20, minIterations: 6, warmupIterations: 1 }, passes: 2, workloads: { 'toy-guards': { guards: [256] } },
});
const PROFILES: Profiles = { quick: toyProfile('quick'), default: toyProfile('default'), full: toyProfile('full'), trail: toyProfile('trail') };

async function measureToy(dir: string): Promise<Run> {
  const plan = buildPlan({ profile: 'quick', workloads: ['toy-guards'], strategies: [], overrides: {} }, PROFILES, [toy]);
  const probe = probeFeatures();
  const writer = new RunWriter(dir, { profile: 'quick', argv: ['toy'], env: captureEnv(probe), startedAt: new Date() });
  writer.setWorkloads(plan.workloads.map((w) => workloadSpec(w.workload)));
  const strategies = makeStrategies(probe);
  const points = planPoints(plan).map((p) => new PointAccumulator({ workload: p.workload, strategy: strategies[p.strategy], params: p.params }));
  const budget = passBudget(plan.profile.budget, plan.profile.passes);
  const stopped = await runPasses({ points, passes: plan.profile.passes, probe, budget, failedVerification: {}, writer, progress: new Progress('quiet', 0) });
  writer.finish(stopped === null);
  return parseRun(readFileSync(writer.jsonPath, 'utf8'));
}

test('a new workload is compared, charted, reported and shown in history with no edit to any reader', { skip: !probeFeatures().features.guardInstall && 'needs guard markers' }, async () => {
  const dir = scratchDir('guardbench-toy-');
  const run = await measureToy(join(dir, 'base'));
  assert.ok(run.rows.some((r) => r.workload === 'toy-guards' && r.metric === 'install' && r.status === 'ok' && r.stats));
  assert.deepEqual(run.workloads?.map((w) => w.name), ['toy-guards']);

  // The same run, but each marker now costs 50% more kernel memory and one more widget.
  const worse = structuredClone(run);
  worse.id = `${run.id}-worse`;
  worse.startedAt = new Date(Date.parse(run.startedAt) + 1000).toISOString();
  for (const r of worse.rows) {
    if (r.strategy === 'guard-madvise' && r.metric === 'scratch_bytes') r.value = 48;
    if (r.strategy === 'guard-madvise' && r.metric === 'widgets') r.value = 4;
  }
  const worsePath = join(dir, 'worse.json');
  writeFileSync(worsePath, JSON.stringify(worse));

  const cmp = runCli(['compare', join(dir, 'base'), worsePath, '--out', join(dir, 'cmp')]);
  assert.equal(cmp.code, 1, cmp.stderr);
  assert.match(cmp.stdout, /\| toy-guards \| guard-madvise \| [^|]* \| scratch_bytes \| 32 bytes\/guard \| 48 bytes\/guard \|[^\n]*rose \(beyond ±1\.6, a process-wide counter's noise; lower is better\)/);
  assert.match(cmp.stdout, /\| toy-guards \| guard-madvise \| [^|]* \| widgets \| 3 count \| 4 count \|[^\n]*rose \(exact; lower is better\)/);
  assert.match(cmp.stdout, /\*\*2 regressed beyond 5%: /);

  const report = runCli(['report', join(dir, 'base'), '--format', 'md,png,html']);
  assert.equal(report.code, 0, report.stderr);
  const md = readFileSync(join(dir, 'base', 'report.md'), 'utf8');
  assert.match(md, /### toy-guards/);
  assert.match(md, /\| toy-guards \| install \(per guard\) \|[^\n]*\| [\d,.]+ [nµm]?s · [^|]*(faster|slower|≈ prot-none)/);
  assert.match(md, /\|  \| kernel memory \(bytes\/guard\) \|[^\n]*\| 32 · /, 'the kernel-memory figure is set beside prot-none\'s');
  assert.ok(existsSync(join(dir, 'base', 'charts', 'toy-guards-install.png')));
  assert.ok(existsSync(join(dir, 'base', 'charts', 'toy-guards-memory.png')));
  const html = readFileSync(join(dir, 'base', 'report.html'), 'utf8');
  assert.match(html, /toy-guards/);
  assert.match(html, /scratch the guards add/, 'the kernel memory names its own label on a closer look');

  const history = runCli(['history', join(dir, 'base'), worsePath, '--markdown']);
  assert.equal(history.code, 0, history.stderr);
  assert.match(history.stdout, /### toy-guards · install \(ns\/guard\)/);
  assert.match(history.stdout, /### toy-guards · widgets \(count\)/);
});
