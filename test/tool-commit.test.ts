/** A run names the guardbench commit that made it, read from .git without a git binary. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { headCommit } from '../src/results/tool-commit.js';
import { scratchDir } from './helpers.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function fakeCheckout(files: Record<string, string>): string {
  const root = scratchDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, '.git', path, '..'), { recursive: true });
    writeFileSync(join(root, '.git', path), text);
  }
  return root;
}

test('this checkout: the commit git itself names', () => {
  const fromGit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  assert.equal(headCommit(), fromGit);
});

test('a loose ref, a packed ref, a detached HEAD; null where there is no commit to name', () => {
  assert.equal(headCommit(fakeCheckout({ HEAD: 'ref: refs/heads/main\n', 'refs/heads/main': `${A}\n` })), A);
  assert.equal(headCommit(fakeCheckout({ HEAD: 'ref: refs/heads/main\n', 'packed-refs': `# pack-refs\n${B} refs/heads/main\n` })), B);
  assert.equal(headCommit(fakeCheckout({ HEAD: `${A}\n` })), A);
  assert.equal(headCommit(fakeCheckout({ HEAD: 'ref: refs/heads/unborn\n' })), null);
  assert.equal(headCommit(fakeCheckout({ HEAD: 'ref: refs/../../etc/passwd\n' })), null);
  assert.equal(headCommit(scratchDir()), null);
});

test('a git worktree: .git is a file naming the worktree\'s HEAD, the branch lives in the common repository', () => {
  const repo = fakeCheckout({ 'refs/heads/topic': `${A}\n`, 'packed-refs': `${B} refs/heads/packed\n`, 'worktrees/w/commondir': '../..\n' });
  const worktree = scratchDir();
  writeFileSync(join(worktree, '.git'), `gitdir: ${join(repo, '.git/worktrees/w')}\n`);
  writeFileSync(join(repo, '.git/worktrees/w/HEAD'), 'ref: refs/heads/topic\n');
  assert.equal(headCommit(worktree), A);
  writeFileSync(join(repo, '.git/worktrees/w/HEAD'), 'ref: refs/heads/packed\n');
  assert.equal(headCommit(worktree), B);
  writeFileSync(join(worktree, '.git'), 'not a pointer\n');
  assert.equal(headCommit(worktree), null);
});
