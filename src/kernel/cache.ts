/**
 * Where guest sessions keep what they build: initramfs images (one per kernel) and the project
 * tarball of a session. Outside the repository, so nothing built is ever committed.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** $XDG_CACHE_HOME/guardbench, else ~/.cache/guardbench. */
export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'guardbench');
}
