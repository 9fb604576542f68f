/**
 * The git commit of the guardbench checkout that made a run, so two runs that disagree can be told
 * apart by harness as well as by kernel. Read straight from .git (no git binary needed); null when
 * guardbench does not run from a git checkout (an npm install, a tarball).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** The commit HEAD names in the checkout at `root`, or null. */
export function headCommit(root: string = REPO_ROOT): string | null {
  const gitDir = join(root, '.git');
  const head = read(join(gitDir, 'HEAD'))?.trim();
  if (!head) return null;
  if (HASH.test(head)) return head;
  const ref = /^ref: (refs\/[^\s]+)$/.exec(head)?.[1];
  if (!ref || ref.includes('..')) return null;
  const loose = read(join(gitDir, ref))?.trim();
  if (loose && HASH.test(loose)) return loose;
  // A ref that git has packed lives in packed-refs as "<hash> <ref>".
  for (const line of (read(join(gitDir, 'packed-refs')) ?? '').split('\n')) {
    const [hash, name] = line.trim().split(' ');
    if (name === ref && hash && HASH.test(hash)) return hash;
  }
  return null;
}
