/**
 * The project, packed for the guest. Node and the project could be read straight through the 9p
 * root share, but 9p pays a round trip per file: `guardbench --help` took 38 s that way under TCG,
 * against 4-6 s to stream one tarball into the guest's tmpfs and run from there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './cache.js';
import { findTar } from './host-tools.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What `guardbench run` needs; .git's HEAD and refs so the guest's run names the same commit. */
const PROJECT_PATHS = ['package.json', 'tsconfig.json', 'bin', 'src', 'bench', 'node_modules', '.git/HEAD', '.git/refs', '.git/packed-refs'];

/**
 * Packages only development needs (typescript, the browser driver, the linters and all they pull
 * in): half of node_modules, unused by a run. package-lock.json marks each of them `dev`; without a
 * lock file, the top-level devDependencies are left out.
 */
function devOnlyDirs(root: string): string[] {
  const lockPath = join(root, 'package-lock.json');
  if (existsSync(lockPath)) {
    const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages?: Record<string, { dev?: boolean }> };
    return Object.entries(lock.packages ?? {}).filter(([path, p]) => path.startsWith('node_modules/') && p.dev).map(([path]) => path);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  return Object.keys(pkg.devDependencies ?? {}).map((name) => `node_modules/${name}`);
}

/** The native addons (*.node) the packed node_modules holds: their shared libraries must be in a guest that carries its own. */
export function nativeAddons(root: string): string[] {
  const skip = new Set(devOnlyDirs(root).map((d) => join(root, d)));
  const addons: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (skip.has(full)) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.node')) addons.push(full);
    }
  };
  const modules = join(root, 'node_modules');
  if (existsSync(modules)) walk(modules);
  return addons;
}

export interface ProjectTarball {
  /** the project directory it was packed from */
  root: string;
  path: string;
  bytes: number;
  remove(): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Tarballs of sessions that ended without cleaning up (Ctrl-C, a kill): ~80 MiB each. */
function removeStaleTarballs(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = Number(/^guardbench-(\d+)-\d+\.tar$/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}

export function packProject(root = PROJECT_ROOT, dir = join(cacheDir(), 'project')): ProjectTarball {
  const tar = findTar();
  mkdirSync(dir, { recursive: true });
  removeStaleTarballs(dir);
  const path = join(dir, `guardbench-${process.pid}-${Date.now()}.tar`);
  const present = PROJECT_PATHS.filter((p) => existsSync(join(root, p)));
  const excludes = devOnlyDirs(root).flatMap((d) => ['--exclude', d]);
  const r = spawnSync(tar, ['-C', root, '-cf', path, '--anchored', ...excludes, ...present], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot pack the project with tar: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`}`);
  return {
    root,
    path,
    bytes: statSync(path).size,
    remove: () => rmSync(path, { force: true }),
  };
}
