/**
 * The conventions scripts rely on, on the real CLI: every command answers --help, `help <command>`
 * and --version; results go to stdout and progress to stderr (so `run --json | jq` works); --quiet
 * silences progress only; exit codes follow one table, and an internal error is 3, never the 1 of a
 * regression.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_NAMES } from '../src/cli.js';
import { EXIT } from '../src/commands/exit-codes.js';
import { parseRun } from '../src/results/schema.js';
import { ROOT, isOneLineError, runCli, runNode, scratchDir, type CliResult } from './helpers.js';
import { onTestbed } from './fixtures/testbed.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

test('every command answers --help, help <command> and --version', () => {
  assert.ok(COMMAND_NAMES.length >= 8, `commands: ${COMMAND_NAMES.join(', ')}`);
  const jobs = COMMAND_NAMES.flatMap((name) => [[name, '--help'], ['help', name], [name, '--version']]);
  // One child process runs the CLI's main() over the whole table (test/fixtures/cli-table.ts).
  const table = runNode(['--import', 'tsx', join(ROOT, 'test/fixtures/cli-table.ts'), JSON.stringify(jobs)]);
  assert.equal(table.code, 0, table.stderr);
  const results = new Map((JSON.parse(table.stdout) as (CliResult & { argv: string[] })[]).map((r) => [r.argv.join(' '), r]));
  assert.equal(results.size, jobs.length);
  for (const name of COMMAND_NAMES) {
    const help = results.get(`${name} --help`)!;
    assert.equal(help.code, 0, `${name} --help: ${help.stderr}`);
    assert.match(help.stdout, new RegExp(`^usage: guardbench ${name}\\b`), `${name} --help prints its own usage`);
    assert.match(help.stdout, /^exit codes:$/m, `${name} --help lists its exit codes`);
    assert.match(help.stdout, /^ {2}3 +internal error/m, name);
    assert.equal(help.stderr, '', `${name} --help writes nothing to stderr`);
    const viaHelp = results.get(`help ${name}`)!;
    assert.equal(viaHelp.code, 0, `help ${name}: ${viaHelp.stderr}`);
    assert.equal(viaHelp.stdout, help.stdout, `help ${name} prints what ${name} --help prints`);
    const version = results.get(`${name} --version`)!;
    assert.equal(version.code, 0, `${name} --version: ${version.stderr}`);
    assert.equal(version.stdout, `guardbench ${VERSION}\n`, `${name} --version`);
  }
});

test('the top level: help lists every command and the exit codes, --version reads package.json, unknown help topics exit 2', () => {
  const help = runCli(['help']);
  assert.equal(help.code, 0);
  for (const name of COMMAND_NAMES) assert.match(help.stdout, new RegExp(`^ {2}${name} `, 'm'));
  for (const code of ['0', '1', '2', '3', '4', '130/143']) assert.match(help.stdout, new RegExp(`^ {2}${code} +\\S`, 'm'), `exit code ${code}`);
  assert.equal(runCli(['--version']).stdout, `guardbench ${VERSION}\n`);
  assert.equal(runCli(['compare', '--version']).stdout, `guardbench ${VERSION}\n`);
  const baseline = runCli(['help', 'baseline']);
  assert.equal(baseline.code, 0, baseline.stderr);
  assert.match(baseline.stdout, /^usage: guardbench baseline save/);
  const unknown = runCli(['help', 'frobnicate']);
  assert.equal(unknown.code, EXIT.usage);
  assert.ok(isOneLineError(unknown.stderr), unknown.stderr);
});

test('the documentation lists the same exit codes (docs/output-formats.md)', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'output-formats.md'), 'utf8');
  for (const code of Object.values(EXIT)) {
    assert.match(doc, new RegExp(`^\\| \`${code}\``, 'm'), `exit-code table row for ${code}`);
  }
});

const FIXTURE = join(ROOT, 'test/fixtures/quick-run.json');

test('history --json prints the trend document that --out writes as history.json', () => {
  const out = scratchDir();
  const r = runCli(['history', FIXTURE, '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { schema: string; series: unknown[] };
  assert.equal(doc.schema, 'guardbench.history/v1');
  assert.ok(doc.series.length > 0);
  assert.deepEqual(doc, JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')));
  assert.equal(runCli(['history', FIXTURE, '--json', '--markdown']).code, EXIT.usage);
});

test('baseline list --json and pick --json describe the saved baselines', () => {
  const dir = scratchDir('guardbench-baselines-');
  // The fixture predates testbeds; a baseline is kept per testbed, so give it one.
  const run = join(scratchDir(), 'run.json');
  writeFileSync(run, JSON.stringify(onTestbed(parseRun(readFileSync(FIXTURE, 'utf8')), 'lab-a')));
  const saved = runCli(['baseline', 'save', run, '--dir', dir, '--name', 'lab-box']);
  assert.equal(saved.code, 0, saved.stderr);
  const list = runCli(['baseline', 'list', '--dir', dir, '--json']);
  assert.equal(list.code, 0, list.stderr);
  const expected = {
    path: join(dir, 'lab-a', 'lab-box.json'), id: '2026-11-25T07-08-33Z-6.18.44-fc-v782', testbed: 'lab-a', kernel: '6.18.44-fc-v782',
    profile: 'quick', startedAt: (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { startedAt: string }).startedAt, cpu: 'AMD EPYC', spreadRuns: null,
  };
  assert.deepEqual(JSON.parse(list.stdout), { dir, baselines: [expected] });
  const pick = runCli(['baseline', 'pick', '--dir', dir, '--kernel', '6.19.1', '--testbed', 'lab-a', '--json']);
  assert.equal(pick.code, 0, pick.stderr);
  assert.deepEqual(JSON.parse(pick.stdout), { forKernel: '6.19.1', forTestbed: 'lab-a', sameKernel: false, ...expected });
  assert.match(pick.stderr, /no baseline for 6\.19\.1; using 6\.18\.44-fc-v782/, 'the fallback note stays on stderr');
});

test('run --json prints one JSON document on stdout while progress goes to stderr', () => {
  const out = scratchDir();
  const r = runCli(['run', '--quick', '--json', '--workload', 'madvise-batches', '--guards', '256', '--batch', '1,64', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    schema: string; complete: boolean; interrupted: string | null;
    files: { run: string; csv: string; reports: string[] };
    rows: Record<string, number>;
    results: { workload: string; strategy: string; params: Record<string, unknown>; metric: string; unit: string; value: number }[];
  };
  assert.equal(doc.schema, 'guardbench.run-result/v1');
  assert.equal(doc.complete, true);
  assert.equal(doc.interrupted, null);
  assert.match(r.stderr, /^\[1\/\d+\] pass 1\/\d+ madvise-batches /m, 'progress lines on stderr');
  assert.doesNotMatch(r.stdout, /^\[\d+\/\d+\]/m, 'no progress on stdout');

  assert.equal(doc.files.run, join(out, 'run.json'));
  assert.equal(doc.files.csv, join(out, 'run.csv'));
  for (const f of [doc.files.run, doc.files.csv, ...doc.files.reports]) assert.ok(existsSync(f), f);
  assert.ok(doc.files.reports.some((f) => f.endsWith('report.md')) && doc.files.reports.some((f) => f.endsWith('.png')));

  const run = parseRun(readFileSync(doc.files.run, 'utf8'));
  assert.equal(doc.rows.ok! + doc.rows.skipped! + doc.rows.failed!, run.rows.length);
  const ok = run.rows.filter((x) => x.status === 'ok' && x.value !== null);
  assert.equal(doc.results.length, ok.length);
  assert.deepEqual(doc.results[0], { workload: ok[0]!.workload, strategy: ok[0]!.strategy, params: ok[0]!.params, metric: ok[0]!.metric, unit: ok[0]!.unit, value: ok[0]!.value });
  assert.ok(doc.results.some((x) => x.strategy === 'guard-process-madvise' && x.params.batch === 64 && x.metric === 'install' && x.value > 0));
});

test('--quiet silences progress only: the summary and where the run went still print; --report none writes no reports', () => {
  const out = scratchDir();
  const r = runCli(['run', '--quick', '--quiet', '--report', 'none', '--no-verify', '--workload', 'madvise-batches', '--guards', '256',
    '--batch', '1', '--strategy', 'prot-none', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'nothing on stderr');
  assert.match(r.stdout, new RegExp(`run written to ${join(out, 'run.json')} and ${join(out, 'run.csv')}`));
  assert.match(r.stdout, /madvise-batches/, 'the summary');
  assert.deepEqual(readdirSync(out).sort(), ['run.csv', 'run.json']);
});

test('an unexpected failure is an internal error, exit 3 and one line: the output directory turns immutable mid-run', {
  skip: process.getuid?.() !== 0 && 'chattr +i needs root',
}, async () => {
  const out = scratchDir();
  const child = spawn(process.execPath, [join(ROOT, 'bin/guardbench.js'), 'run', '--quick', '--quiet', '--report', 'none', '--out', out], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += String(d); });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  let locked = false;
  try {
    const deadline = Date.now() + 60_000;
    while (!locked) {
      if (Date.now() > deadline) throw new Error('no rows within 60 s');
      await new Promise((r) => setTimeout(r, 100));
      try {
        if (parseRun(readFileSync(join(out, 'run.json'), 'utf8')).rows.length === 0) continue;
      } catch { continue; /* missing, or being replaced right now */ }
      // Root ignores permission bits; an immutable directory refuses even root a new file.
      execFileSync('chattr', ['+i', out]);
      locked = true;
    }
    const code = await exited;
    assert.equal(code, EXIT.internal, stderr);
    assert.ok(isOneLineError(stderr), JSON.stringify(stderr));
    assert.match(stderr, /^guardbench run: internal error: EPERM/);
    assert.ok(parseRun(readFileSync(join(out, 'run.json'), 'utf8')).rows.length > 0, 'the rows written before stay readable');
  } finally {
    if (locked) execFileSync('chattr', ['-i', out]);
    child.kill('SIGKILL');
  }
});
