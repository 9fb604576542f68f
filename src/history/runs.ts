/**
 * Gathering runs for history: each argument is a run.json (or any run file, such as a baseline), a
 * run directory, or a directory of those. Runs come back ordered by kernel release, then by when
 * they started, the order a trend across kernel upgrades reads in.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { InvalidRunError, type Run } from '../results/schema.js';
import { UsageError } from '../errors.js';
import { readRunForCli } from '../compare/input.js';
import { compareKernelReleases } from './kernel-version.js';

export interface FoundRun {
  path: string;
  run: Run;
}

export interface Collected {
  runs: FoundRun[];
  /** files inside scanned directories that are not runs (other JSON), with why */
  skipped: { path: string; why: string }[];
}

/** This machine's kernel release (uname -r). */
export function kernelRelease(): string {
  return os.release();
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Runs named on the command line must be valid (a bad one is an error); files found by scanning a
 * directory may be something else (compare.json, stability.json) and are skipped with a note.
 */
export function collectRuns(args: readonly string[]): Collected {
  const found: FoundRun[] = [];
  const skipped: Collected['skipped'] = [];
  for (const arg of args) {
    if (!existsSync(arg)) throw new InvalidRunError(`${arg}: no such file or directory`);
    if (!isDir(arg) || existsSync(join(arg, 'run.json'))) {
      found.push({ path: arg, run: readRunForCli(arg) });
      continue;
    }
    for (const name of readdirSync(arg).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(arg, name);
      const candidate = isDir(path) ? (existsSync(join(path, 'run.json')) ? path : null) : name.endsWith('.json') ? path : null;
      if (!candidate) continue;
      try {
        found.push({ path: candidate, run: readRunForCli(candidate) });
      } catch (e) {
        if (!(e instanceof InvalidRunError)) throw e;
        skipped.push({ path: candidate, why: e.message });
      }
    }
  }
  // The same run reached twice (a directory and its run.json) counts once.
  const unique = [...new Map(found.map((f) => [f.run.id, f])).values()];
  if (unique.length === 0) throw new UsageError(`no runs found in ${args.join(', ')}`);
  return { runs: orderRuns(unique), skipped };
}

/** Kernel release order (6.9 < 6.13 < 6.18-rc3 < 6.18 < 6.18.1), then start time. */
export function orderRuns<T extends { run: Run }>(runs: readonly T[]): T[] {
  return [...runs].sort((a, b) => compareKernelReleases(a.run.env.kernel.release, b.run.env.kernel.release)
    || a.run.startedAt.localeCompare(b.run.startedAt));
}
