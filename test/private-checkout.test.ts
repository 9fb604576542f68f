/**
 * The tests pass wherever a user clones: a checkout in a directory other users cannot enter (cloned
 * into /root, mode 700) used to fail the two tests that run guardbench as `nobody` with "Cannot find
 * module …/bin/guardbench.js". Here the project is laid out that way for real and those tests run
 * from inside it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, runNode, scratchDir } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const isCheckout = spawnSync('git', ['-C', ROOT, 'rev-parse', '--is-inside-work-tree'], { encoding: 'utf8' }).stdout?.trim() === 'true';

/**
 * The files a clone of this checkout would hold, as they are in the work tree now (tracked and new,
 * not ignored): a `git clone` would test the last commit instead of the code under test.
 */
function layOutClone(dest: string): void {
  const files = execFileSync('git', ['-C', ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
    .split('\0').filter((f) => f && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(join(ROOT, f), join(dest, f));
  }
  // One install shared with the checkout, as `npm ci` would make it: reinstalling takes a minute.
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dest, 'node_modules'));
}

test('cloned into a directory only root can enter, the tests that run guardbench as nobody pass from there', {
  skip: (!isRoot && 'needs root to drop to nobody') || (!isCheckout && 'not a git checkout: nothing to clone'),
}, () => {
  const clone = join(scratchDir('guardbench-private-'), 'guardbench');
  mkdirSync(clone, { mode: 0o700 });
  chmodSync(clone, 0o700);
  layOutClone(clone);

  // The situation the tests must cope with: nobody cannot load guardbench from the clone itself.
  const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
  const direct = runNode([join(clone, 'bin/guardbench.js'), '--version'], { cwd: '/', uid: nobody, gid: nobody, env: { PATH: process.env.PATH } });
  assert.notEqual(direct.code, 0, 'nobody could read the mode-700 clone: this test would prove nothing');
  assert.match(direct.stderr, /Cannot find module|EACCES|permission denied/i);

  // The nested runner must not inherit this runner's child protocol (NODE_TEST_CONTEXT).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-name-pattern=non-root',
    'test/robustness.test.ts', 'test/census.test.ts'], { cwd: clone, encoding: 'utf8', env: { ...env, CI: '1' }, timeout: 170_000 });
  const summary = r.stdout.split('\n').filter((l) => /^# (pass|fail|skipped) /.test(l)).join(', ');
  assert.equal(r.status, 0, `${summary}\n${r.stdout.slice(-3000)}${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /^# pass 2$/m, summary);
  assert.match(r.stdout, /^# fail 0$/m, summary);
  assert.match(r.stdout, /^ok \d+ - a non-root user gets every figure they can read/m);
  assert.match(r.stdout, /^ok \d+ - a non-root user gets a census of what it may read/m);
});
