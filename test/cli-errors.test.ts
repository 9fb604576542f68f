/** Bad input gets one clear line and exit 2, never a stack trace, and nothing is measured. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOneLineError, runCli, scratchDir } from './helpers.js';

const dir = scratchDir();
const aFile = join(dir, 'not-a-dir');
writeFileSync(aFile, 'x');

const cases: { name: string; args: string[]; pattern: RegExp }[] = [
  { name: 'unknown workload', args: ['run', '--workload', 'nope'], pattern: /unknown workload 'nope'/ },
  { name: 'unknown strategy', args: ['run', '--strategy', 'mprotect'], pattern: /unknown strategy 'mprotect'/ },
  { name: 'negative regions', args: ['run', '--regions', '-5'], pattern: /--regions: -5 must be at least 1/ },
  { name: 'non-integer regions', args: ['run', '--regions', 'many'], pattern: /--regions: 'many' is not an integer/ },
  { name: '--out into a file', args: ['run', '--quick', '--out', aFile], pattern: /is a file, not a directory/ },
  { name: 'unknown flag', args: ['run', '--frobnicate'], pattern: /frobnicate/ },
  { name: 'unknown command', args: ['frobnicate'], pattern: /unknown command 'frobnicate'/ },
  { name: 'two profiles', args: ['run', '--quick', '--full'], pattern: /choose one profile/ },
  { name: 'batch above UIO_MAXIOV', args: ['run', '--workload', 'madvise-batches', '--batch', '2048'], pattern: /UIO_MAXIOV/ },
  { name: 'unaligned slot', args: ['run', '--workload', 'allocator-arenas', '--slotBytes', '1000'], pattern: /multiple of the 4096-byte page/ },
];

for (const c of cases) {
  test(`bad input: ${c.name} -> one line, exit 2`, () => {
    const r = runCli(c.args);
    assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
    assert.ok(isOneLineError(r.stderr), `not one line: ${JSON.stringify(r.stderr)}`);
    assert.match(r.stderr, c.pattern);
  });
}

test('--help explains the run options and exits 0', () => {
  const r = runCli(['run', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--workload NAME/);
  assert.match(r.stdout, /--regions V/);
});

test('probe prints every feature it tried', () => {
  const r = runCli(['probe']);
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['guardInstall', 'processMadvise', 'pidfdSelf', 'pagemapGuardBit', 'pagemapScanGuard', 'smapsGuardFlag']) {
    assert.match(r.stdout, new RegExp(`${f}\\s+(yes|no)`));
  }
});
