/**
 * `guardbench kernel trail [SERIES...] [-- RUN_OPTIONS]`: Debian's kernels of each series, fetched
 * and booted one at a time with the trail profile, this host's kernel measured natively beside
 * them, and one trail report (trail.md, trail.html, trail.json) over all the runs in the trail
 * directory. A kernel whose complete run is already there is not run again, so an interrupted
 * trail resumes where it stopped. `guardbench kernel trail report DIR` rebuilds the report alone.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { release as hostRelease } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { buildTrail } from '../analysis/trail.js';
import { compareKernelReleases } from '../analysis/kernel-version.js';
import { accelOf } from '../analysis/trail-columns.js';
import { renderTrailConsole } from '../trail/console.js';
import { writeTrailReport } from '../trail/index.js';
import { collectRuns } from '../results/read.js';
import { writeJsonAtomic } from '../results/write.js';
import type { Run } from '../results/schema.js';
import { ArchiveError, fetchKernels, listArchiveSeries, type FetchedKernel } from '../kernel/debian.js';
import { MissingPieceError } from '../kernel/missing.js';
import { prepareKernel, runUnderKernel, GuestFailedError } from '../kernel/session.js';
import { packProject, type ProjectTarball } from '../kernel/project.js';
import type { Accel } from '../kernel/host-tools.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';
import { main as runMain, parseRunArgs } from './run.js';
import { exitCodeOf, parseAccel, positiveInt, splitAtSeparator } from './kernel-options.js';

const HELP = `usage: guardbench kernel trail [SERIES...] [options] [-- RUN_OPTIONS]
       guardbench kernel trail report DIR

Fetches Debian's newest kernel of each SERIES (default: every series from ${'6.12'} up that the
archive has; see 'guardbench kernel fetch'), boots each in turn under QEMU with the trail profile
(guardbench run --profile trail: every count, byte and verify outcome that can change between
kernels, latencies barely sampled), measures this host's kernel natively beside them, and writes
trail.md, trail.html and trail.json into the trail directory beside the runs: one column per
kernel in release order, every change named at the release where it appears, the slab bytes a
guard costs taken apart by cache, the feature probe held against the kernel's history.
A kernel with a complete run in the directory is not run again: rerun to resume.
'trail report DIR' rebuilds the report from the runs in DIR without booting anything.

options:
  --out DIR         the trail directory (default: results/trail)
  --no-host         leave out this host's kernel
  --list            print the series the trail would walk as a JSON array, and stop
                    (for a CI matrix: one job per series)
  --accel MODE      auto | kvm | tcg (default: auto)
  --timeout MIN     give up on a guest after MIN minutes (default: 30)
  --help            this text

${exitCodesHelp({
  '0': 'every kernel was measured (or already was) and the report written',
  '1': 'a guest crashed twice or never started init on some kernel (the report covers the others)',
  '2': 'here also: a series Debian does not have, a run option guardbench run refuses',
  '3': 'here also: QEMU or guardbench failed on some kernel, or Debian\'s archive did not answer',
  '130/143': 'interrupted: the runs finished so far are kept; rerun to resume',
})}
`;

const OPTIONS = {
  out: { type: 'string' },
  'no-host': { type: 'boolean' },
  list: { type: 'boolean' },
  accel: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The first series of the trail: the last release before guard markers, so their arrival is a change point. */
const FIRST_SERIES = '6.12';
const TRAIL_RUN_ARGS = ['--profile', 'trail', '--report', 'none'];
/** What the trail did, kept beside the runs so a rebuilt report still says how long each kernel took. */
const SESSIONS_FILE = 'trail-sessions.json';

interface Session {
  release: string;
  accel: string;
  seconds: number;
  at: string;
}

function say(line: string): void {
  console.error(`guardbench kernel trail: ${line}`);
}

/** RUN_OPTIONS go after the trail profile, so they may narrow it; guardbench kernel decides --out and the profile. */
function checkRunArgs(runArgs: string[]): string[] {
  const parsed = parseRunArgs([...TRAIL_RUN_ARGS, ...runArgs]);
  if (parsed === 'help') throw new UsageError("RUN_OPTIONS: see 'guardbench run --help' for what may follow --");
  if (parsed.out !== undefined) throw new UsageError('RUN_OPTIONS: the trail decides where each run goes (give --out before --)');
  if (runArgs.some((a) => a === '--quick' || a === '--full' || a === '--profile')) throw new UsageError('RUN_OPTIONS: the trail runs the trail profile; narrow it with --workload or axis overrides');
  return [...TRAIL_RUN_ARGS, ...runArgs];
}

function parseSeries(series: readonly string[]): string[] {
  for (const s of series) if (!/^\d+\.\d+$/.test(s)) throw new UsageError(`series '${s}': expected MAJOR.MINOR, e.g. 6.16 or 7.3`);
  return [...series];
}

/** The complete runs in the trail directory, by how they ran: "<release>|<accel>". */
function measuredKernels(dir: string): Set<string> {
  if (!existsSync(dir)) return new Set();
  return new Set(collectRuns([dir]).runs.filter((f) => f.run.complete).map((f) => measuredKey(f.run)));
}

function measuredKey(run: Run): string {
  return `${run.env.kernel.release}|${accelOf(run) === 'native' ? 'native' : 'guest'}`;
}

/** A run directory an earlier, interrupted trail left without a complete run: moved aside, kept. */
function clearWay(path: string): void {
  if (!existsSync(path)) return;
  let n = 1;
  while (existsSync(`${path}.incomplete-${n}`)) n++;
  renameSync(path, `${path}.incomplete-${n}`);
  say(`${path}: no complete run there; moved to ${path}.incomplete-${n}`);
}

/** Sessions recorded in `dir`: trail-sessions.json and, gathered from CI jobs, trail-sessions-*.json. */
function readSessions(dir: string): Session[] {
  const files = readdirSync(dir).filter((f) => f === SESSIONS_FILE || /^trail-sessions-[\w.-]+\.json$/.test(f)).sort();
  return files.flatMap((f) => {
    try {
      return JSON.parse(readFileSync(join(dir, f), 'utf8')) as Session[];
    } catch {
      return [];
    }
  });
}

function recordSession(dir: string, session: Session): void {
  let sessions: Session[] = [];
  try {
    sessions = JSON.parse(readFileSync(join(dir, SESSIONS_FILE), 'utf8')) as Session[];
  } catch {
    // the first session of this trail directory
  }
  writeJsonAtomic(join(dir, SESSIONS_FILE), [...sessions, session]);
}

interface TrailOptions {
  dir: string;
  runArgs: string[];
  accel: 'auto' | Accel;
  timeoutMs: number;
}

async function measureHost(o: TrailOptions, done: Set<string>): Promise<number> {
  const release = hostRelease();
  if (done.has(`${release}|native`)) {
    say(`${release} (this host): already measured`);
    return EXIT.ok;
  }
  const out = join(o.dir, `${release}-native`);
  clearWay(out);
  say(`${release} (this host): guardbench run ${o.runArgs.join(' ')}`);
  const started = performance.now();
  const code = await runMain([...o.runArgs, '--out', out, '--report', 'none', '--quiet']);
  if (code === EXIT.ok) recordSession(o.dir, { release, accel: 'native', seconds: Math.round((performance.now() - started) / 1000), at: new Date().toISOString() });
  return code;
}

/** One Debian kernel: fetched (or found in the cache), booted unless already measured. */
async function measureGuest(kernel: FetchedKernel, o: TrailOptions, project: ProjectTarball, done: Set<string>): Promise<number> {
  if (done.has(`${kernel.release}|guest`)) {
    say(`${kernel.release}: already measured`);
    return EXIT.ok;
  }
  const out = join(o.dir, kernel.release);
  clearWay(out);
  try {
    const result = await runUnderKernel({
      kernel: prepareKernel(kernel.root, undefined), project, runArgs: o.runArgs, out, resultsRoot: o.dir,
      accel: o.accel, cpus: 2, memoryMiB: 2048, append: '', timeoutMs: o.timeoutMs, say,
    });
    const seconds = Math.round(result.timings.totalMs / 1000);
    recordSession(o.dir, { release: kernel.release, accel: result.accel, seconds, at: new Date().toISOString() });
    say(`${kernel.release}: measured under ${result.accel.toUpperCase()} in ${seconds} s`);
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof GuestFailedError) || e.failure.by === 'signal') throw e;
    say(e.message);
    return exitCodeOf(e.failure);
  }
}

/**
 * One series: its kernel fetched (or found in the cache) and measured. A kernel that lacks a piece
 * to boot (a module, a layout guardbench cannot read) costs its column, not the trail.
 */
async function walkSeries(series: string, o: TrailOptions, project: ProjectTarball, done: Set<string>): Promise<number> {
  const [kernel] = await fetchKernels([series], { say });
  try {
    return await measureGuest(kernel!, o, project, done);
  } catch (e) {
    if (!(e instanceof MissingPieceError)) throw e;
    say(`${kernel!.release}: not measured: ${e.message}`);
    return EXIT.usage;
  }
}

/** The series to walk: those given, else every series from FIRST_SERIES up that the archive has. */
async function trailSeries(given: string[]): Promise<string[]> {
  if (given.length > 0) return given;
  const all = await listArchiveSeries({ say });
  return all.filter((s) => compareKernelReleases(s, FIRST_SERIES) >= 0);
}

function report(dir: string): number {
  const { runs, skipped } = collectRuns([dir]);
  // The trail's own files (the report's JSON, the sessions) are not runs and need no note.
  for (const s of skipped.filter((x) => !/(^|\/)trail(-sessions[\w.-]*)?\.json$/.test(x.path))) say(`${s.path}: not a run, left out (${s.why})`);
  if (runs.length === 0) throw new UsageError(`${dir}: no runs to make a trail of`);
  const trail = buildTrail(runs);
  const sessions = readSessions(dir);
  const files = writeTrailReport(dir, trail, { sessions });
  console.log(renderTrailConsole(trail));
  say(`report written: ${files.join(', ')}`);
  return EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
  const split = splitAtSeparator(argv);
  const own = split.own;
  const run = split.run ?? [];
  const { values, positionals } = parseCommandArgs(own, { allowPositionals: true, options: OPTIONS });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (positionals[0] === 'report') {
    if (positionals.length !== 2) throw new UsageError('trail report takes one directory: the trail\'s');
    if (!existsSync(positionals[1]!)) throw new UsageError(`${positionals[1]}: no such directory`);
    return report(positionals[1]!);
  }
  const o: TrailOptions = {
    dir: resolve(values.out ?? join('results', 'trail')),
    runArgs: checkRunArgs(run),
    accel: parseAccel(values.accel),
    timeoutMs: positiveInt('timeout', values.timeout, 30) * 60_000,
  };
  const given = parseSeries(positionals);
  if (values.list) {
    console.log(JSON.stringify(await trailSeries(given)));
    return EXIT.ok;
  }
  mkdirSync(o.dir, { recursive: true });
  const started = performance.now();
  const done = measuredKernels(o.dir);
  const codes: number[] = [];
  if (!values['no-host']) codes.push(await measureHost(o, done));
  const project = packProject();
  try {
    for (const series of await trailSeries(given)) codes.push(await walkSeries(series, o, project, done));
  } catch (e) {
    if (!(e instanceof ArchiveError)) throw e;
    say(`cannot read Debian's archive: ${e.message}; the report covers the kernels measured so far`);
    codes.push(EXIT.internal);
  } finally {
    project.remove();
  }
  say(`trail walked in ${Math.round((performance.now() - started) / 1000)} s`);
  report(o.dir);
  return Math.max(EXIT.ok, ...codes);
}
