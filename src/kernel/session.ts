/**
 * `guardbench run` under another kernel: check every piece first (so a missing one costs no boot),
 * build or reuse the initramfs, boot the image in QEMU with the output directory shared, and keep
 * the run the guest wrote. A guest that crashes after it booted (a kernel panic, Node killed by a
 * signal, no run.json) gets one more boot; then the failure is reported with its console log.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readRun } from '../results/read.js';
import type { Run } from '../results/schema.js';
import { UsageError, oneLine } from '../errors.js';
import { bootGuest, type BootResult } from './boot.js';
import { GUEST_OUT_DIR, JOB_FILE, jobScript, type GuestEvent } from './guest-init.js';
import { chooseAccel, findBusybox, findQemu, type Accel } from './host-tools.js';
import { findModules, readKernelImage, type KernelImage, type ModulesLocation } from './image.js';
import { ensureInitramfs, type Initramfs } from './initramfs.js';
import { MissingPieceError } from './missing.js';
import { planModules, type ModulePlan } from './modules.js';
import type { ProjectTarball } from './project.js';
import { describeAccel, qemuArgs, type GuestMachine } from './qemu.js';

export const CONSOLE_LOG = 'kernel-console.log';

export interface PreparedKernel {
  image: KernelImage;
  modules: ModulesLocation;
  /** null when no modules directory was found and 9p is taken to be built in */
  plan: ModulePlan | null;
  initramfs: Initramfs;
  qemu: string;
}

/** Every host and kernel piece a boot needs, checked in the order a user would fix them. */
export function prepareKernel(imagePath: string, modulesDir: string | undefined): PreparedKernel {
  const image = readKernelImage(imagePath);
  const modules = findModules(image, modulesDir);
  const qemu = findQemu();
  const busybox = findBusybox();
  const plan = modules.dir === null ? null : planModules(modules.dir, busybox);
  const initramfs = ensureInitramfs(image, busybox, plan ?? { load: [], builtin: [] });
  return { image, modules, plan, initramfs, qemu };
}

export interface SessionOptions {
  kernel: PreparedKernel;
  project: ProjectTarball;
  /** options for `guardbench run` in the guest (validated by the caller; no --out) */
  runArgs: readonly string[];
  /** the run's directory; default: <resultsRoot>/<run id> */
  out: string | undefined;
  resultsRoot: string;
  accel: 'auto' | Accel;
  cpus: number;
  memoryMiB: number;
  /** extra kernel parameters for the guest */
  append: string;
  timeoutMs: number;
  /** progress for the user (stderr) */
  say: (line: string) => void;
}

export interface SessionResult {
  run: Run;
  dir: string;
  accel: Accel;
  boots: number;
  /** ms: boot to mounted root, project copy, guardbench run, whole session */
  timings: { bootMs: number; copyMs: number; runMs: number; totalMs: number };
}

/**
 * Whose failure a session's was, for the command's exit code: the kernel under test (it crashed
 * twice, panicked, never started init: a finding about that kernel), guardbench inside the guest
 * (with its exit code), the host's side (QEMU would not start, the init could not set up), or a
 * signal to the host.
 */
export type GuestFailure =
  | { by: 'kernel' }
  | { by: 'guardbench'; exitCode: number }
  | { by: 'host' }
  | { by: 'signal'; signal: NodeJS.Signals };

export class GuestFailedError extends Error {
  constructor(message: string, readonly failure: GuestFailure) {
    super(message);
    this.name = 'GuestFailedError';
  }
}

type AttemptOutcome =
  | { kind: 'ok'; run: Run; boot: BootResult }
  /** worth one more boot: the guest started and then died */
  | { kind: 'crash'; why: string }
  /** another boot would fail the same way */
  | { kind: 'failed'; why: string; failure: GuestFailure }
  | { kind: 'interrupted'; signal: NodeJS.Signals };

const BOOT_TIMEOUT_MS = 5 * 60_000;
const SIGNALS: Record<number, string> = { 6: 'SIGABRT', 7: 'SIGBUS', 9: 'SIGKILL', 11: 'SIGSEGV' };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function completeRun(dir: string): Run | null {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) return null;
  try {
    const run = readRun(path);
    return run.complete ? run : null;
  } catch {
    return null;
  }
}

/** What one boot came to, from the guest's markers, the console and the output share. */
function classify(boot: BootResult, dir: string, timeoutMs: number): AttemptOutcome {
  if (boot.interrupted) return { kind: 'interrupted', signal: boot.interrupted };
  if (boot.missing) throw new MissingPieceError(boot.missing);
  const booted = boot.stages.booted !== undefined;
  const qemuError = boot.qemu.stderr.trim().split('\n').pop();
  if (!booted) {
    if (boot.panic) return { kind: 'failed', why: `the kernel panicked before init: ${boot.panic}`, failure: { by: 'kernel' } };
    if (boot.timedOut === 'boot') return { kind: 'failed', why: `the kernel did not start init within ${BOOT_TIMEOUT_MS / 60_000} minutes`, failure: { by: 'kernel' } };
    return { kind: 'failed', why: `QEMU exited (${boot.qemu.code ?? boot.qemu.signal}) before the guest started${qemuError ? `: ${qemuError}` : ''}`, failure: { by: 'host' } };
  }
  if (boot.error) return { kind: 'failed', why: `guest: ${boot.error}`, failure: { by: 'host' } };
  if (boot.exitCode === 0) {
    const run = completeRun(dir);
    return run ? { kind: 'ok', run, boot } : { kind: 'crash', why: 'guardbench exited 0 but left no complete run.json' };
  }
  if (boot.exitCode !== null && boot.exitCode < 128) {
    return {
      kind: 'failed',
      why: `guardbench exited ${boot.exitCode} in the guest${boot.lastGuardbenchLine ? `: ${boot.lastGuardbenchLine}` : ''}`,
      failure: { by: 'guardbench', exitCode: boot.exitCode },
    };
  }
  if (boot.exitCode !== null) {
    const signal = boot.exitCode - 128;
    return { kind: 'crash', why: `guardbench was killed by signal ${signal}${SIGNALS[signal] ? ` (${SIGNALS[signal]})` : ''}` };
  }
  if (boot.panic) return { kind: 'crash', why: `kernel panic: ${boot.panic}` };
  if (boot.timedOut === 'run') return { kind: 'crash', why: `no result within ${timeoutMs / 60_000} minutes (QEMU killed)` };
  return { kind: 'crash', why: `the guest stopped without a result (QEMU exit ${boot.qemu.code ?? boot.qemu.signal})${qemuError ? `: ${qemuError}` : ''}` };
}

/** A name under `parent` that is not taken yet: `name`, else name-2, name-3, ... */
function freeName(parent: string, name: string): string {
  for (let i = 1; ; i++) {
    const candidate = join(parent, i === 1 ? name : `${name}-${i}`);
    if (!existsSync(candidate)) return candidate;
  }
}

function progressLine(event: GuestEvent, ms: number, boot: { mounted?: number; copied?: number }, project: ProjectTarball): string | null {
  if (event.kind === 'stage' && event.stage === 'mounted') return `booted, 9p root mounted in ${seconds(ms)}`;
  if (event.kind === 'stage' && event.stage === 'copied') return `project copied into the guest in ${seconds(ms - (boot.mounted ?? 0))} (${(project.bytes / 2 ** 20).toFixed(0)} MiB)`;
  if (event.kind === 'exit') return `guardbench run finished in ${seconds(ms - (boot.copied ?? 0))} (exit ${event.code})`;
  return null;
}

async function attempt(options: SessionOptions, accel: Accel, staging: string): Promise<AttemptOutcome> {
  const { kernel, project } = options;
  writeFileSync(join(staging, JOB_FILE), jobScript({
    projectTar: project.path,
    projectDir: project.root,
    node: process.execPath,
    args: ['run', ...options.runArgs, '--out', GUEST_OUT_DIR],
  }));
  const machine: GuestMachine = { accel, cpus: options.cpus, memoryMiB: options.memoryMiB, append: options.append };
  const marks: { mounted?: number; copied?: number } = {};
  const consoleLog = join(staging, CONSOLE_LOG);
  const boot = await bootGuest({
    qemu: kernel.qemu,
    args: qemuArgs({ image: kernel.image.path, initramfs: kernel.initramfs.path, outDir: staging, consoleLog, machine }),
    consoleLog,
    timeoutMs: options.timeoutMs,
    bootTimeoutMs: BOOT_TIMEOUT_MS,
    onEvent: (event, ms) => {
      if (event.kind === 'stage' && (event.stage === 'mounted' || event.stage === 'copied')) marks[event.stage] = ms;
      const line = progressLine(event, ms, marks, project);
      if (line) options.say(line);
    },
  });
  options.say(`QEMU exited after ${seconds(boot.elapsedMs)}`);
  return classify(boot, staging, options.timeoutMs);
}

/** Move a finished attempt's directory to where the run belongs. */
function keepRun(staging: string, run: Run, options: SessionOptions): string {
  unlinkSync(join(staging, JOB_FILE));
  const target = options.out ? resolve(options.out) : freeName(options.resultsRoot, run.id);
  if (existsSync(target)) rmdirSync(target); // checked empty by the caller
  renameSync(staging, target);
  return target;
}

function checkOut(out: string | undefined): void {
  if (out === undefined || !existsSync(out)) return;
  if (readdirSync(out).length > 0) throw new UsageError(`--out ${out}: exists and is not empty (guardbench kernel writes a new directory)`);
}

export async function runUnderKernel(options: SessionOptions): Promise<SessionResult> {
  checkOut(options.out);
  const accel = chooseAccel(options.accel);
  const parent = options.out ? dirname(resolve(options.out)) : options.resultsRoot;
  mkdirSync(parent, { recursive: true });
  const { kernel } = options;
  options.say(`${kernel.image.release}: initramfs ${kernel.initramfs.built ? 'built' : 'from the cache'} (${describeModules(kernel)})`);
  options.say(`booting ${basename(kernel.image.path)} under QEMU with ${describeAccel(accel)}`);
  const started = performance.now();
  const failures: string[] = [];
  for (let boots = 1; boots <= 2; boots++) {
    const staging = mkdtempSync(join(parent, `.kernel-${kernel.image.release}-`));
    chmodSync(staging, 0o755); // mkdtemp's 0700 would make the kept run private, unlike guardbench run's
    let outcome: AttemptOutcome;
    try {
      outcome = await attempt(options, accel, staging);
    } catch (e) {
      if (e instanceof MissingPieceError) throw e;
      throw new GuestFailedError(`could not run QEMU: ${oneLine(e)}`, { by: 'host' });
    }
    const log = join(staging, CONSOLE_LOG);
    if (outcome.kind === 'interrupted') throw new GuestFailedError(`stopped by ${outcome.signal}; the guest's console is in ${log}`, { by: 'signal', signal: outcome.signal });
    if (outcome.kind === 'ok') {
      const s = outcome.boot.stages;
      const mounted = s.mounted ?? 0;
      const copied = s.copied ?? mounted;
      return {
        run: outcome.run,
        dir: keepRun(staging, outcome.run, options),
        accel,
        boots,
        timings: { bootMs: mounted, copyMs: copied - mounted, runMs: (s.exited ?? copied) - copied, totalMs: Math.round(performance.now() - started) },
      };
    }
    failures.push(`${outcome.why} (console: ${log})`);
    if (outcome.kind === 'failed') throw new GuestFailedError(`${kernel.image.release}: ${failures.join('; then ')}`, outcome.failure);
    if (boots === 1) options.say(`the guest crashed: ${outcome.why}; booting once more`);
  }
  throw new GuestFailedError(`${kernel.image.release}: the guest crashed twice: ${failures.join('; then ')}`, { by: 'kernel' });
}

function describeModules(kernel: PreparedKernel): string {
  if (!kernel.plan) return `no modules directory found (looked in ${kernel.modules.searched.join(', ')}); 9p and virtio taken as built in`;
  const built = kernel.plan.builtin.length ? `; built in: ${kernel.plan.builtin.join(', ')}` : '';
  return `${kernel.plan.load.length} modules from ${kernel.modules.dir}${built}`;
}
