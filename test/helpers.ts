/** Shared test helpers: run the real CLI in a child process, make scratch directories. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node bin/guardbench.js ARGS`, as a user runs it. */
export function runCli(args: string[], options: SpawnSyncOptions = {}): CliResult {
  return runNode([join(ROOT, 'bin/guardbench.js'), ...args], options);
}

export function runNode(args: string[], options: SpawnSyncOptions = {}): CliResult {
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT, encoding: 'utf8', timeout: 180_000, env: { ...process.env, CI: '1' }, ...options,
  });
  return { code: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function scratchDir(prefix = 'guardbench-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A CLI failure must be one line on stderr, without a stack trace. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.trim().split('\n').filter((l) => !/^npm warn/i.test(l));
  return lines.length === 1 && !/\n\s+at /.test(stderr) && lines[0]!.startsWith('guardbench');
}
