/**
 * Nothing measured is lost and nothing crashes: interrupted runs keep a valid partial run.json,
 * unwritable output fails before measuring, a failing workload is recorded and the run goes on,
 * and a non-root user gets every figure they can read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, isOneLineError, runCli, runCliAsNobody, scratchDir } from './helpers.js';
import { parseRun } from '../src/results/schema.js';

const isRoot = process.getuid?.() === 0;

async function interruptAfterFirstRows(signal: NodeJS.Signals): Promise<{ code: number | null; dir: string; stdout: string; stderr: string }> {
  const dir = scratchDir();
  const child = spawn(process.execPath, [join(ROOT, 'bin/guardbench.js'), 'run', '--quick', '--out', dir, '--quiet', '--json'], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += String(d); });
  child.stderr.on('data', (d) => { stderr += String(d); });
  const file = join(dir, 'run.json');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error('no rows within 60 s');
    await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(file)) continue;
    try {
      if (parseRun(readFileSync(file, 'utf8')).rows.length > 0) break;
    } catch { /* being replaced right now: atomic rename makes the next read whole */ }
  }
  child.kill(signal);
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  return { code, dir, stdout, stderr };
}

for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} mid-run leaves a valid run.json with complete: false and the finished rows`, async () => {
    const { code, dir, stdout, stderr } = await interruptAfterFirstRows(signal);
    assert.equal(code, exitCode, stderr);
    const run = parseRun(readFileSync(join(dir, 'run.json'), 'utf8'));
    // --json still prints its document, saying the run is partial and why.
    const doc = JSON.parse(stdout) as { complete: boolean; interrupted: string | null; files: { run: string }; rows: { ok: number } };
    assert.deepEqual([doc.complete, doc.interrupted, doc.files.run], [false, signal, join(dir, 'run.json')]);
    assert.equal(doc.rows.ok, run.rows.filter((r) => r.status === 'ok').length);
    assert.equal(run.complete, false);
    assert.ok(run.finishedAt, 'finishedAt records when it stopped');
    assert.ok(run.rows.length > 0);
    assert.ok(run.rows.some((r) => r.status === 'ok' && r.stats), 'a finished latency row was kept');
    assert.match(stderr, new RegExp(`${signal}: stopped after \\d+ rows`));
    const csv = readFileSync(join(dir, 'run.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, run.rows.length + 1);
  });
}

function withTmpfs(options: string, body: (dir: string) => void): void {
  const dir = scratchDir('guardbench-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  try {
    body(dir);
  } finally {
    execFileSync('umount', [dir]);
  }
}

test('a full disk fails with one line before anything is measured', { skip: !isRoot && 'mounting a tmpfs needs root' }, () => {
  withTmpfs('size=64k', (dir) => {
    writeFileSync(join(dir, 'filler'), Buffer.alloc(60 * 1024));
    // tmpfs rounds to pages: fill whatever is left
    try { writeFileSync(join(dir, 'filler2'), Buffer.alloc(64 * 1024)); } catch { /* full */ }
    const started = Date.now();
    const r = runCli(['run', '--quick', '--out', join(dir, 'out')]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(isOneLineError(r.stderr), r.stderr);
    assert.match(r.stderr, /ENOSPC/);
    assert.ok(Date.now() - started < 10_000, 'failed before measuring');
  });
});

test('a read-only --out fails with one line before anything is measured', { skip: !isRoot && 'mounting a tmpfs needs root' }, () => {
  withTmpfs('ro,size=64k', (dir) => {
    const r = runCli(['run', '--quick', '--out', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(isOneLineError(r.stderr), r.stderr);
    assert.match(r.stderr, /EROFS/);
  });
});

test('a workload that fails is recorded as failed with the error, and the run goes on', () => {
  const dir = scratchDir();
  // 1e8 regions of 16 KiB is 1.5 TiB: mmap refuses it (ENOMEM) on a machine of this size.
  const r = runCli(['run', '--quick', '--workload', 'allocator-arenas', '--workload', 'madvise-batches',
    '--regions', '100000000', '--strategy', 'prot-none', '--out', dir, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const run = parseRun(readFileSync(join(dir, 'run.json'), 'utf8'));
  const arena = run.rows.filter((x) => x.workload === 'allocator-arenas');
  assert.ok(arena.some((x) => x.status === 'failed' && /mmap\(.*ENOMEM/.test(x.reason ?? '')), JSON.stringify(arena[0]));
  assert.ok(run.rows.some((x) => x.workload === 'madvise-batches' && x.status === 'ok' && x.stats));
  assert.equal(run.complete, true);
});

test('a non-root user gets every figure they can read and a reason for the rest', { skip: !isRoot && 'needs root to drop to nobody' }, () => {
  const dir = scratchDir();
  mkdirSync(join(dir, 'out'));
  chmodSync(dir, 0o777);
  chmodSync(join(dir, 'out'), 0o777);
  const r = runCliAsNobody(['run', '--quick', '--workload', 'allocator-arenas', '--regions', '1024', '--out', join(dir, 'out'), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const run = parseRun(readFileSync(join(dir, 'out', 'run.json'), 'utf8'));
  assert.equal(run.env.root, false);
  const slab = run.rows.filter((x) => x.metric === 'vma_slab_bytes');
  assert.ok(slab.length > 0);
  for (const row of slab) {
    assert.equal(row.status, 'skipped');
    assert.match(row.reason ?? '', /root/);
  }
  assert.ok(run.rows.some((x) => x.metric === 'install' && x.strategy === 'guard-madvise' && x.status === 'ok'));
  assert.equal(run.rows.find((x) => x.metric === 'vma_delta' && x.strategy === 'prot-none')?.value, 2047);
});
