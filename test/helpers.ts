/** Shared test helpers: run the real CLI in a child process, make scratch directories, copy the project. */
import { execFile, execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
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

/**
 * runCli without blocking the test process, for tables of cases that each start the CLI once: Node
 * and tsx take about a second to start, so they run a few at a time (see test/bad-input.test.ts).
 */
export function runCliAsync(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [join(ROOT, 'bin/guardbench.js'), ...args],
      { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, CI: '1' }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        done({ code, signal: (error?.signal as NodeJS.Signals | undefined) ?? null, stdout: String(stdout), stderr: String(stderr) });
      });
  });
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

/** What guardbench needs to run from a copy: no .git, no tests, no results. */
const RUNTIME_ENTRIES = ['bin', 'src', 'bench', 'package.json', 'tsconfig.json'];

function copyRuntime(dest: string): void {
  for (const entry of RUNTIME_ENTRIES) cpSync(join(ROOT, entry), join(dest, entry), { recursive: true });
}

/** Every file and directory under `dir` that another user could not read (or enter). */
function unreadableByOthers(dir: string): string[] {
  return execFileSync('find', [dir, '(', '-type', 'f', '!', '-perm', '-o+r', ')', '-o', '(', '-type', 'd', '!', '-perm', '-o+rx', ')'],
    { encoding: 'utf8' }).split('\n').filter(Boolean);
}

let copyForOthers: string | undefined;

/**
 * A copy of the project that any user can read, for running guardbench as `nobody`: the checkout
 * itself may sit where only its owner can enter (cloned into /root, mode 700), and then another user
 * cannot even load bin/guardbench.js. node_modules is hard-linked (0.2 s here, against 1 s for a
 * copy); where that fails (another filesystem) or would leave files only their owner can read
 * (installed under umask 077), it is copied and opened up instead. Made once per test process.
 */
export function projectCopyForOtherUsers(): string {
  if (copyForOthers) return copyForOthers;
  const dir = scratchDir('guardbench-copy-');
  // Thousands of links: gone with the test process, unlike the small scratch directories.
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  copyRuntime(dir);
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  // "node_modules/." also follows a node_modules that is a symlink (a clone sharing one install).
  const source = `${join(ROOT, 'node_modules')}/.`; // join() would drop the '/.'
  const opened = RUNTIME_ENTRIES.map((e) => join(dir, e));
  const linked = spawnSync('cp', ['-al', source, modules]).status === 0 && unreadableByOthers(modules).length === 0;
  if (!linked) {
    // Hard links share their modes with the checkout's files: copy before opening anything up.
    execFileSync('rm', ['-rf', modules]);
    mkdirSync(modules);
    execFileSync('cp', ['-a', source, modules]);
    opened.push(modules);
  }
  execFileSync('chmod', ['-R', 'a+rX', ...opened]);
  copyForOthers = dir;
  return dir;
}

/** `guardbench ARGS` as the unprivileged user nobody, from a copy it can read, in a home it can write. */
export function runCliAsNobody(args: string[], options: SpawnSyncOptions = {}): CliResult {
  const copy = projectCopyForOtherUsers();
  const home = scratchDir('guardbench-nobody-');
  chmodSync(home, 0o777);
  const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
  return runNode([join(copy, 'bin/guardbench.js'), ...args],
    { cwd: home, uid, gid, env: { PATH: process.env.PATH, CI: '1', HOME: home }, ...options });
}

/**
 * A copy of the project as installed on a machine where some packages could not be: node_modules
 * holds symlinks to every installed package except `missing`, and real copies of `copied` (a
 * package reached through a symlink resolves its own dependencies from the checkout, where the
 * missing ones are still installed). Node itself then fails to find them, as it would there.
 */
export function projectCopyMissing(missing: readonly string[], copied: readonly string[] = []): string {
  const dir = scratchDir('guardbench-missing-');
  copyRuntime(dir);
  const place = (from: string, to: string, prefix: string): void => {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) {
      const pkg = prefix + name;
      if (name.startsWith('@')) place(join(from, name), join(to, name), `${pkg}/`);
      else if (copied.includes(pkg)) cpSync(join(from, name), join(to, name), { recursive: true });
      else if (!missing.includes(pkg)) symlinkSync(join(from, name), join(to, name));
    }
  };
  place(join(ROOT, 'node_modules'), join(dir, 'node_modules'), '');
  return dir;
}

export interface AddressRange { start: number; end: number }

/**
 * The parts of `ranges` that no range of `minus` covers: what a piece of code mapped and never
 * unmapped, from spies on its mmap and munmap calls. Exact however much Node maps meanwhile, even
 * where its allocator reuses an address the code freed (reading /proc/self/maps alone would take
 * that for a leak).
 */
export function subtractRanges(ranges: readonly AddressRange[], minus: readonly AddressRange[]): AddressRange[] {
  let left = [...ranges];
  for (const m of minus) {
    left = left.flatMap((r) => (m.end <= r.start || m.start >= r.end ? [r]
      : [...(r.start < m.start ? [{ start: r.start, end: m.start }] : []), ...(m.end < r.end ? [{ start: m.end, end: r.end }] : [])]));
  }
  return left;
}
