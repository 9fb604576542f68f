/**
 * `guardbench run` under another kernel: check every piece first (so a missing one costs no boot),
 * choose the kind of guest (over the host's root by 9p when the kernel has 9p, else one that
 * carries Node and the project in its initramfs), build or reuse the initramfs, boot the image in
 * QEMU with a scratch disk, and keep the run the guest wrote. A guest that crashes after it booted
 * (a kernel panic, Node killed by a signal, no run.json) gets one more boot; then the failure is
 * reported with its console log.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readRun } from '../results/read.js';
import type { Run } from '../results/schema.js';
import { UsageError, oneLine } from '../errors.js';
import { bootGuest, type BootResult } from './boot.js';
import { makeScratchDisk } from './disk.js';
import { GUEST_OUT_DIR, JOB_FILE, jobScript, type GuestEvent, type GuestKind } from './guest-init.js';
import { unpackResults } from './guest-results.js';
import { chooseAccel, findBusybox, findQemu, type Accel } from './host-tools.js';
import { findModules, readKernelImage, resolveKernelArgument, type KernelImage, type ModulesLocation } from './image.js';
import { ensureInitramfs, writeSessionInitrd, type Initramfs } from './initramfs.js';
import { sharedLibraryClosure, type GuestFile } from './libraries.js';
import { MissingPieceError } from './missing.js';
import { CRC32C_MODULES, DISK_MODULES, planModules, type ModulePlan } from './modules.js';
import { nativeAddons, PROJECT_ROOT, type ProjectTarball } from './project.js';
import { describeAccel, qemuArgs, type GuestMachine } from './qemu.js';

export const CONSOLE_LOG = 'kernel-console.log';

export interface PreparedKernel {
  image: KernelImage;
  /** the unpacked root the image was found in, null for a bare image */
  root: string | null;
  modules: ModulesLocation;
  /** a 9p guest's modules; null when none are loaded (an initramfs guest, or 9p taken as built in) */
  plan: ModulePlan | null;
  guest: GuestChoice;
  disk: DiskPlan;
  initramfs: Initramfs;
  qemu: string;
}

export type GuestRequest = 'auto' | GuestKind;

/** The kind of guest and why that one, for the user. */
export interface GuestChoice {
  kind: GuestKind;
  why: string;
}

/** The scratch disk's modules, or why the kernel cannot have the disk (known before the boot). */
export interface DiskPlan {
  plan: ModulePlan;
  missing: string | null;
}

const NO_MODULES: ModulePlan = { load: [], builtin: [] };

/**
 * A 9p guest when the kernel's 9p modules are there (or asked for: 9p then taken as built in); else
 * an initramfs guest, which needs no module at all.
 */
function chooseGuest(modules: ModulesLocation, release: string, busybox: string, request: GuestRequest): GuestChoice & { plan: ModulePlan | null } {
  if (request === 'initramfs') return { kind: 'initramfs', why: 'asked for with --guest initramfs', plan: null };
  if (modules.dir === null) {
    if (request === '9p') return { kind: '9p', why: 'asked for with --guest 9p; no modules directory, so 9p and virtio are taken as built in', plan: null };
    return { kind: 'initramfs', why: `no modules for ${release} (looked in ${modules.searched.join(', ')}), so no 9p to load`, plan: null };
  }
  try {
    const plan = planModules(modules.dir, busybox);
    return { kind: '9p', why: `9p from ${modules.dir}`, plan };
  } catch (e) {
    if (request === '9p' || !(e instanceof MissingPieceError)) throw e;
    return { kind: 'initramfs', why: e.message, plan: null };
  }
}

function planDisk(modules: ModulesLocation, busybox: string, loaded: ModulePlan): DiskPlan {
  // without a modules directory the guest finds out itself whether virtio_blk and ext4 are built in
  if (modules.dir === null) return { plan: NO_MODULES, missing: null };
  let plan: ModulePlan;
  try {
    plan = planModules(modules.dir, busybox, DISK_MODULES, loaded);
  } catch (e) {
    if (!(e instanceof MissingPieceError)) throw e;
    return { plan: NO_MODULES, missing: e.message };
  }
  for (const crc of CRC32C_MODULES) {
    try {
      const extra = planModules(modules.dir, busybox, [crc], { load: [...loaded.load, ...plan.load], builtin: [...loaded.builtin, ...plan.builtin] });
      // the crypto driver must be there before ext4 mounts: loading it first is as good
      return { plan: { load: [...extra.load, ...plan.load], builtin: [...plan.builtin, ...extra.builtin] }, missing: null };
    } catch (e) {
      if (!(e instanceof MissingPieceError)) throw e;
    }
  }
  return { plan, missing: null };
}

/** What an initramfs guest carries besides busybox: Node, and the libraries of Node and of the project's native addons. */
function guestFiles(): GuestFile[] {
  const files = new Map(sharedLibraryClosure([process.execPath]).map((f) => [f.path, f]));
  for (const addon of nativeAddons(PROJECT_ROOT)) {
    try {
      // the addon itself travels in the project tarball
      for (const f of sharedLibraryClosure([addon]).slice(1)) files.set(f.path, f);
    } catch (e) {
      // an addon for another libc (koffi ships a musl build) cannot load on this host either
      if (!(e instanceof MissingPieceError)) throw e;
    }
  }
  return [...files.values()];
}

/** Every host and kernel piece a boot needs, checked in the order a user would fix them. */
export function prepareKernel(rootOrImage: string, modulesDir?: string, request: GuestRequest = 'auto'): PreparedKernel {
  const { image: imagePath, root } = resolveKernelArgument(rootOrImage);
  const image = readKernelImage(imagePath);
  const modules = findModules(image, modulesDir);
  const qemu = findQemu();
  const busybox = findBusybox();
  const { plan, ...guest } = chooseGuest(modules, image.release, busybox, request);
  const disk = planDisk(modules, busybox, plan ?? NO_MODULES);
  const initramfs = ensureInitramfs(image, busybox, {
    kind: guest.kind, modules: plan ?? NO_MODULES, disk: disk.plan, files: guest.kind === 'initramfs' ? guestFiles() : [],
  });
  return { image, root, modules, plan, guest, disk, initramfs, qemu };
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
  guest: GuestChoice & {
    /** bytes of the initrd QEMU loaded (an initramfs guest's includes the project) */
    initrdBytes: number;
    /** what the guest said of its scratch disk: "ext4 on ..." or "none: why" */
    disk: string | null;
  };
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
  | { kind: 'interrupted'; signal: NodeJS.Signals }
  /** KVM is there but cannot run this guest: TCG can */
  | { kind: 'kvm-failed'; why: string };

const BOOT_TIMEOUT_MS = 5 * 60_000;
/** Under KVM the kernel's first console line comes within seconds; none after this means KVM cannot run it. */
const KVM_SILENCE_MS = 30_000;
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
  if (boot.kvmError) return { kind: 'kvm-failed', why: boot.qemu.stderr.includes(boot.kvmError) ? `QEMU: ${boot.kvmError}` : boot.kvmError };
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

function progressLine(event: GuestEvent, ms: number, kind: GuestKind, boot: { mounted?: number; copied?: number }, project: ProjectTarball): string | null {
  if (event.kind === 'stage' && event.stage === 'mounted') return kind === '9p' ? `booted, 9p root mounted in ${seconds(ms)}` : `booted from the initramfs in ${seconds(ms)}`;
  if (event.kind === 'disk') return event.what.startsWith('none') ? `no scratch disk: file-backed memory is not measured (${event.what.replace(/^none:\s*/, '')})` : `scratch disk: ${event.what}`;
  if (event.kind === 'stage' && event.stage === 'copied') return `project ${kind === '9p' ? 'copied into' : 'unpacked in'} the guest in ${seconds(ms - (boot.mounted ?? 0))} (${(project.bytes / 2 ** 20).toFixed(0)} MiB)`;
  if (event.kind === 'exit') return `guardbench run finished in ${seconds(ms - (boot.copied ?? 0))} (exit ${event.code})`;
  return null;
}

/** The files of one attempt that are not the run: removed whatever happens. */
const SCRATCH_DISK = '.scratch-disk.img';
const SESSION_INITRD = '.initrd.cpio';
const RESULTS_STREAM = '.results-stream.log';

async function attempt(options: SessionOptions, accel: Accel, staging: string): Promise<{ outcome: AttemptOutcome; initrdBytes: number }> {
  const { kernel, project } = options;
  const kind = kernel.guest.kind;
  const disk = makeScratchDisk(join(staging, SCRATCH_DISK));
  const job = jobScript({
    projectTar: project.path,
    projectDir: project.root,
    node: process.execPath,
    args: ['run', ...options.runArgs, '--out', GUEST_OUT_DIR],
    noDisk: kernel.disk.missing ?? (disk.ok ? null : disk.why),
  });
  let initrd = kernel.initramfs.path;
  if (kind === '9p') writeFileSync(join(staging, JOB_FILE), job);
  else initrd = join(staging, SESSION_INITRD);
  try {
    const initrdBytes = kind === '9p' ? kernel.initramfs.bytes : writeSessionInitrd(initrd, kernel.initramfs.path, job, project.path);
    const machine: GuestMachine = { accel, cpus: options.cpus, memoryMiB: options.memoryMiB, append: options.append };
    const marks: { mounted?: number; copied?: number } = {};
    const consoleLog = join(staging, CONSOLE_LOG);
    const results = join(staging, RESULTS_STREAM);
    const boot = await bootGuest({
      qemu: kernel.qemu,
      args: qemuArgs({
        image: kernel.image.path, initramfs: initrd, kind, outDir: kind === '9p' ? staging : results, consoleLog,
        disk: disk.ok ? join(staging, SCRATCH_DISK) : null, machine,
      }),
      consoleLog,
      timeoutMs: options.timeoutMs,
      bootTimeoutMs: BOOT_TIMEOUT_MS,
      silentConsoleMs: accel === 'kvm' ? KVM_SILENCE_MS : undefined,
      onEvent: (event, ms) => {
        if (event.kind === 'stage' && (event.stage === 'mounted' || event.stage === 'copied')) marks[event.stage] = ms;
        const line = progressLine(event, ms, kind, marks, project);
        if (line) options.say(line);
      },
    });
    options.say(`QEMU exited after ${seconds(boot.elapsedMs)}`);
    if (kind === 'initramfs' && boot.exitCode !== null && existsSync(results)) {
      const why = unpackResults(results, staging);
      if (why && boot.exitCode === 0) return { outcome: { kind: 'crash', why }, initrdBytes };
    }
    return { outcome: classify(boot, staging, options.timeoutMs), initrdBytes };
  } finally {
    for (const name of [SCRATCH_DISK, SESSION_INITRD, RESULTS_STREAM]) rmSync(join(staging, name), { force: true });
  }
}

/** Move a finished attempt's directory to where the run belongs. */
function keepRun(staging: string, run: Run, options: SessionOptions): string {
  rmSync(join(staging, JOB_FILE), { force: true });
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
  let accel = chooseAccel(options.accel);
  const parent = options.out ? dirname(resolve(options.out)) : options.resultsRoot;
  mkdirSync(parent, { recursive: true });
  const { kernel } = options;
  options.say(`${kernel.image.release}: ${kernel.guest.kind} guest (${kernel.guest.why}); initramfs ${kernel.initramfs.built ? 'built' : 'from the cache'}, ${(kernel.initramfs.bytes / 2 ** 20).toFixed(1)} MiB (${describeModules(kernel)})`);
  if (kernel.disk.missing) options.say(`no scratch disk for ${kernel.image.release}: ${kernel.disk.missing}`);
  options.say(`booting ${basename(kernel.image.path)} under QEMU with ${describeAccel(accel)}`);
  const started = performance.now();
  const failures: string[] = [];
  for (let boots = 1; boots <= 2; boots++) {
    const staging = mkdtempSync(join(parent, `.kernel-${kernel.image.release}-`));
    chmodSync(staging, 0o755); // mkdtemp's 0700 would make the kept run private, unlike guardbench run's
    let outcome: AttemptOutcome;
    let initrdBytes: number;
    try {
      ({ outcome, initrdBytes } = await attempt(options, accel, staging));
    } catch (e) {
      if (e instanceof MissingPieceError) throw e;
      throw new GuestFailedError(`could not run QEMU: ${oneLine(e)}`, { by: 'host' });
    }
    const log = join(staging, CONSOLE_LOG);
    if (outcome.kind === 'kvm-failed') {
      if (options.accel === 'kvm') throw new GuestFailedError(`${kernel.image.release}: --accel kvm: ${outcome.why} (console: ${log})`, { by: 'host' });
      options.say(`KVM cannot run this guest here (${outcome.why}); booting under ${describeAccel('tcg')} instead`);
      rmSync(staging, { recursive: true, force: true });
      accel = 'tcg';
      boots--; // not the guest's crash
      continue;
    }
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
        guest: { ...kernel.guest, initrdBytes, disk: outcome.boot.disk },
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
  const load = [...(kernel.plan?.load ?? []), ...kernel.disk.plan.load];
  const builtin = [...new Set([...(kernel.plan?.builtin ?? []), ...kernel.disk.plan.builtin])];
  if (kernel.modules.dir === null) return 'no modules';
  const built = builtin.length ? `; built in: ${builtin.join(', ')}` : '';
  return `${new Set(load.map((m) => m.name)).size} modules from ${kernel.modules.dir}${built}`;
}
