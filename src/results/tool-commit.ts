/**
 * The git commit of the guardbench checkout that made a run, so two runs that disagree can be told
 * apart by harness as well as by kernel. Read straight from .git (no git binary needed); null when
 * guardbench does not run from a git checkout (an npm install, a tarball).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HASH = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Where git keeps the checkout's HEAD, and where its branches: both .git in a plain clone; in a
 * `git worktree` (and a submodule) .git is a file naming the HEAD's directory, whose `commondir`
 * names the repository that holds the branches.
 */
function gitDirs(root: string): { head: string; common: string } | null {
  const dotGit = join(root, '.git');
  const pointer = read(dotGit);
  if (pointer === null) return { head: dotGit, common: dotGit };
  const gitDir = /^gitdir: (.+)$/m.exec(pointer)?.[1]?.trim();
  if (!gitDir) return null;
  const head = resolve(root, gitDir);
  const common = read(join(head, 'commondir'))?.trim();
  return { head, common: common ? resolve(head, common) : head };
}

/** The commit HEAD names in the checkout at `root`, or null. */
export function headCommit(root: string = REPO_ROOT): string | null {
  const dirs = gitDirs(root);
  if (!dirs) return null;
  const head = read(join(dirs.head, 'HEAD'))?.trim();
  if (!head) return null;
  if (HASH.test(head)) return head;
  const ref = /^ref: (refs\/[^\s]+)$/.exec(head)?.[1];
  if (!ref || ref.includes('..')) return null;
  for (const dir of new Set([dirs.head, dirs.common])) {
    const loose = read(join(dir, ref))?.trim();
    if (loose && HASH.test(loose)) return loose;
  }
  // A ref that git has packed lives in packed-refs as "<hash> <ref>".
  for (const line of (read(join(dirs.common, 'packed-refs')) ?? '').split('\n')) {
    const [hash, name] = line.trim().split(' ');
    if (name === ref && hash && HASH.test(hash)) return hash;
  }
  return null;
}
