/**
 * `guardbench verify --format ktap` as a kernel CI job reads it: the KTAP version line and plans
 * checked by hand, then the whole output parsed by a TAP 14 parser (tap-parser), on the real
 * kernel (passes, a skip) and under the seccomp no-op fixtures (`not ok` lines, never skips),
 * with kselftest's exit codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parser, type Result } from 'tap-parser';
import { runCli, runNode, type CliResult } from './helpers.js';

interface Parsed {
  ok: boolean;
  top: Result[];
  /** each kind's check results, by kind */
  checks: Map<string, Result[]>;
}

function parse(text: string): Parsed {
  const top: Result[] = [];
  const checks = new Map<string, Result[]>();
  let pending: Result[] = [];
  let ok = false;
  const parser = new Parser((final) => {
    ok = final.ok;
  });
  parser.on('child', (child: Parser) => child.on('assert', (r: Result) => pending.push(r)));
  parser.on('assert', (r: Result) => {
    top.push(r);
    checks.set(r.name, pending);
    pending = [];
  });
  parser.end(text);
  return { ok, top, checks };
}

/** The KTAP frame, by hand: version line, plan, then per kind an indented version, header and plan. */
function assertFrame(out: string, kinds: readonly string[]): void {
  const lines = out.split('\n');
  assert.equal(lines[0], 'KTAP version 1');
  const plan = lines.findIndex((l) => /^1\.\.\d+$/.test(l));
  assert.equal(lines[plan], `1..${kinds.length}`);
  assert.ok(lines.slice(1, plan).every((l) => l.startsWith('# ')), 'only diagnostics between version and plan');
  kinds.forEach((kind, i) => {
    const head = lines.indexOf(`    # Subtest: ${kind}`);
    assert.ok(head > plan, `subtest ${kind}`);
    assert.equal(lines[head - 1], '    KTAP version 1');
    const n = Number(/^ {4}1\.\.(\d+)$/.exec(lines[head + 1] ?? '')?.[1]);
    assert.ok(n > 0, `${kind} plan: ${lines[head + 1]}`);
    const end = lines.findIndex((l, k) => k > head && !l.startsWith('    '));
    const results = lines.slice(head + 2, end).filter((l) => /^ {4}(not )?ok \d+ /.test(l));
    assert.equal(results.length, n, `${kind}: ${n} result lines`);
    results.forEach((l, j) => assert.match(l, new RegExp(`^ {4}(not )?ok ${j + 1} (prot-none|guard-madvise|guard-process-madvise) [a-z0-9-]+( # SKIP .+)?$`)));
    const closing = lines.slice(end).find((l) => /^(not )?ok \d+ /.test(l));
    assert.match(closing ?? '', new RegExp(`^(not )?ok ${i + 1} ${kind}( # SKIP .*)?$`), `${kind} result line`);
  });
  for (const l of lines) assert.ok(/^[\x20-\x7e]*$/.test(l), `printable ASCII: ${l}`);
}

function ktap(args: string[], mode?: string): CliResult {
  const cli = ['verify', '--format', 'ktap', '--kselftest-exit', ...args];
  return mode ? runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', mode, '--', ...cli]) : runCli(cli);
}

test('verify --format ktap on this kernel: one subtest per kind, passes and a skip with its reason, kselftest exit 0', () => {
  const r = ktap([]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assertFrame(r.stdout, ['anon', 'shmem', 'file']);
  const p = parse(r.stdout);
  assert.equal(p.ok, true);
  assert.deepEqual(p.top.map((t) => [t.id, t.name, t.ok]), [[1, 'anon', true], [2, 'shmem', true], [3, 'file', true]]);
  for (const [kind, results] of p.checks) {
    assert.ok(results.length > 30, `${kind}: ${results.length} checks`);
    assert.ok(results.every((x) => x.ok), kind);
    assert.ok(results.some((x) => x.name === 'guard-madvise traps-sigsegv' && !x.skip), kind);
  }
  const skip = p.checks.get('file')!.find((x) => x.name === 'guard-madvise collapse-keeps-or-refuses');
  assert.match(String(skip?.skip), /MADV_COLLAPSE refuses this file range without a guard too/);
  assert.match(r.stdout, /^# Totals: pass:\d+ fail:0 xfail:0 xpass:0 skip:1 error:0$/m);
});

test('verify --format ktap with every check skipped: each kind is a SKIP, kselftest exit 4', () => {
  const r = ktap(['--memory', 'anon', '--strategy', 'guard-madvise'], 'einval');
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assertFrame(r.stdout, ['anon']);
  const p = parse(r.stdout);
  assert.equal(p.top[0]?.ok, true);
  assert.match(String(p.top[0]?.skip), /all \d+ checks skipped/);
  for (const x of p.checks.get('anon')!) assert.match(String(x.skip), /EINVAL/, x.name);
});

test('verify --format ktap under the no-op fixtures: not ok lines with the failure as a diagnostic, never a skip, kselftest exit 1', () => {
  for (const mode of ['noop-install', 'noop-remove']) {
    const r = ktap(['--memory', 'shmem'], mode);
    assert.equal(r.code, 1, `${mode}: ${r.stderr}`);
    assertFrame(r.stdout, ['shmem']);
    const p = parse(r.stdout);
    assert.equal(p.ok, false, mode);
    assert.equal(p.top[0]?.ok, false, mode);
    const results = p.checks.get('shmem')!;
    assert.ok(results.every((x) => !x.skip), `${mode}: no skips`);
    const failed = results.filter((x) => !x.ok);
    assert.ok(failed.length > (mode === 'noop-install' ? 25 : 10), `${mode}: ${failed.length} not ok`);
    assert.ok(failed.every((x) => x.name.startsWith('guard-')), `${mode}: only guard strategies fail`);
    // A failure's detail comes as a diagnostic line just before its result.
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => /^ {4}not ok \d+ guard-madvise remove-restores$/.test(l));
    assert.match(lines[at - 1] ?? '', /^ {4}# .*(should|expected)/, mode);
  }
});
