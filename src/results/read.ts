/**
 * Reading runs from disk: one clear, printable error per unusable file. A binary file is named as
 * such, and no byte of a bad file reaches the terminal raw.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { printable } from '../errors.js';
import { InvalidRunError, parseRun, type Run } from './schema.js';

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A NUL byte or bytes that are not UTF-8: no JSON document looks like this. */
function looksBinary(bytes: Buffer): boolean {
  if (bytes.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

/** Read a run from a run.json path, or from a directory that holds one. */
export function readRun(path: string): Run {
  if (!existsSync(path)) throw new InvalidRunError(`${printable(path)}: no such file`);
  const file = isDir(path) ? join(path, 'run.json') : path;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new InvalidRunError(`${printable(file)}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (looksBinary(bytes)) throw new InvalidRunError(`${printable(file)}: a binary file, not a run (not JSON)`);
  try {
    return parseRun(bytes.toString('utf8'), file);
  } catch (e) {
    if (e instanceof InvalidRunError) throw new InvalidRunError(printable(e.message));
    throw e;
  }
}

export interface FoundRun {
  path: string;
  run: Run;
}

export interface Collected {
  runs: FoundRun[];
  /** files inside scanned directories that are not runs (other JSON), with why */
  skipped: { path: string; why: string }[];
}

/**
 * Runs from paths: each a run.json (or any run file, such as a baseline), a run directory, or a
 * directory of those. Runs named directly must be valid (a bad one is an error); files found by
 * scanning a directory may be something else (compare.json, stability.json) and are skipped with
 * a note. The same run reached twice counts once.
 */
export function collectRuns(args: readonly string[]): Collected {
  const found: FoundRun[] = [];
  const skipped: Collected['skipped'] = [];
  for (const arg of args) {
    if (!existsSync(arg)) throw new InvalidRunError(`${printable(arg)}: no such file or directory`);
    if (!isDir(arg) || existsSync(join(arg, 'run.json'))) {
      found.push({ path: arg, run: readRun(arg) });
      continue;
    }
    for (const candidate of runCandidates(arg, SCAN_DEPTH)) {
      try {
        found.push({ path: candidate, run: readRun(candidate) });
      } catch (e) {
        if (!(e instanceof InvalidRunError)) throw e;
        skipped.push({ path: candidate, why: e.message });
      }
    }
  }
  return { runs: [...new Map(found.map((f) => [f.run.id, f])).values()], skipped };
}

/** How deep a directory is searched: results/baselines/<testbed>/<kernel>.json is one level down. */
const SCAN_DEPTH = 2;

/** Run directories and JSON files inside `dir`, in name order; directories without run.json are searched `depth` - 1 levels further. */
function runCandidates(dir: string, depth: number): string[] {
  return readdirSync(dir).sort().filter((name) => !name.startsWith('.')).flatMap((name) => {
    const path = join(dir, name);
    if (!isDir(path)) return name.endsWith('.json') ? [path] : [];
    if (existsSync(join(path, 'run.json'))) return [path];
    return depth > 1 ? runCandidates(path, depth - 1) : [];
  });
}
