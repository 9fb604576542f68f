/**
 * `guardbench kernel run IMAGE` and `guardbench kernel matrix IMAGE...`: `guardbench run` under
 * another kernel, booted in QEMU over a read-only 9p view of this machine's root (the host's Node
 * and this checkout run unchanged inside), with the run written back into results/runs/.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { renderConsoleSummary } from '../report/console.js';
import { prepareKernel, runUnderKernel, GuestFailedError, type GuestRequest, type PreparedKernel, type SessionOptions, type SessionResult } from '../kernel/session.js';
import { packProject } from '../kernel/project.js';
import { ArchiveError, fetchKernels, listArchiveSeries } from '../kernel/debian.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';
import { parseRunArgs } from './run.js';
import { exitCodeOf, parseAccel, positiveInt, splitAtSeparator } from './kernel-options.js';
import { main as historyMain } from './history.js';

const HELP = `usage: guardbench kernel fetch SERIES... | --all | --list
       guardbench kernel run ROOT|IMAGE [options] [-- RUN_OPTIONS]
       guardbench kernel matrix ROOT|IMAGE... [options] [-- RUN_OPTIONS]
       guardbench kernel trail [SERIES...] [options] [-- RUN_OPTIONS]   (guardbench kernel trail --help)

'fetch' looks each series (6.16, 7.3, ...) up in Debian's suites (bookworm, trixie,
trixie-backports, sid, experimental) with an apt configuration of its own under the cache
(never the system's), downloads the newest generic amd64 kernel of the series whose packages
are all there, unpacks it into one root per kernel and prints each root (one a line).
--all fetches every series the archive has; --list prints them (one a line) and fetches
nothing. See docs/kernels.md.

'run' boots ROOT (a root 'fetch' printed, or any package unpacked with dpkg-deb -x: the image
and its modules are found in boot/, lib/modules/R/ or usr/lib/modules/R/) or IMAGE (a
/boot/vmlinuz-*, your own arch/x86/boot/bzImage) in QEMU, runs 'guardbench run RUN_OPTIONS'
there (default: --quick) and writes the run to results/runs/<id>/ with the guest's console in
kernel-console.log. 'matrix' does that for each in turn and ends with 'guardbench history'.

Two kinds of guest: with the kernel's 9p modules at hand, a 9p guest runs this machine's Node
and a copy of the project over a read-only 9p view of its root; without them (Debian's 6.19 to
7.1, a build without CONFIG_9P_FS), an initramfs guest carries Node, its libraries and the
project, and sends the run back on a second serial port. Both get a scratch ext4 disk (a virtio
block device, made with mkfs.ext4) on /var/tmp for file-backed memory when the kernel has the
drivers; without them file-backed rows are skipped with the reason.

KVM is used when /dev/kvm is usable, else TCG (an emulated CPU): under TCG counts and bytes
(VMAs, slab and page-table bytes) and guard semantics are exact, latencies are not benchmarks.
The guest kernel's command line carries guardbench.accel=kvm|tcg, so the run knows it ran in QEMU.

options:
  --modules DIR     the image's modules (run only; default: in the image's root, else
                    /lib/modules/<release>); the lib/modules/<release> directory or a root holding it
  --guest KIND      auto | 9p | initramfs (default: auto: 9p when the kernel has it)
  --out DIR         run: the run's directory (new or empty); matrix: the directory the runs go in
  --accel MODE      auto | kvm | tcg (default: auto)
  --cpus N          guest CPUs (default: 2)
  --memory MIB      guest memory in MiB (default: 2048)
  --timeout MIN     give up on a guest after MIN minutes (default: 60)
  --append PARAMS   more kernel parameters for the guest, e.g. 'transparent_hugepage=madvise'
                    to give it this host's setting (each kernel otherwise boots with its defaults)
  --help            this text

${exitCodesHelp({
  '0': 'the run (matrix: every run) was written',
  '1': 'a finding about the kernel: the guest crashed twice (panic, Node killed by a signal, no run), or never started init',
  '2': 'here: QEMU, busybox-static, the image or a 9p module, a series Debian does not have, named in one line',
  '3': 'here also: QEMU would not start, guardbench failed inside the guest, or Debian\'s archive did not answer',
  '130/143': 'interrupted by SIGINT/SIGTERM: QEMU is stopped, the console log kept',
})}
`;

const OPTIONS = {
  modules: { type: 'string' },
  out: { type: 'string' },
  accel: { type: 'string' },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  timeout: { type: 'string' },
  append: { type: 'string' },
  all: { type: 'boolean' },
  list: { type: 'boolean' },
  guest: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DEFAULT_RUN_ARGS = ['--quick'];

/** Run options are checked here, so a typo costs a millisecond instead of a boot. */
function checkRunArgs(runArgs: string[]): string[] {
  if (runArgs.length === 0) return DEFAULT_RUN_ARGS;
  const parsed = parseRunArgs(runArgs);
  if (parsed === 'help') throw new UsageError("RUN_OPTIONS: see 'guardbench run --help' for what may follow --");
  if (parsed.out !== undefined) throw new UsageError('RUN_OPTIONS: give --out before -- (guardbench kernel decides where the guest writes)');
  return runArgs;
}

function parseGuest(value: string | undefined): GuestRequest {
  if (value === undefined || value === 'auto' || value === '9p' || value === 'initramfs') return value ?? 'auto';
  throw new UsageError(`--guest ${value}: expected auto, 9p or initramfs`);
}

/** Kernel parameters go on one command line: a newline would end it early. */
function parseAppend(value: string | undefined): string {
  if (value === undefined) return '';
  if (/[\n\r]/.test(value)) throw new UsageError('--append: kernel parameters go on one line');
  return value;
}

function say(line: string): void {
  console.error(`guardbench kernel: ${line}`);
}

function printRun(result: SessionResult): void {
  console.log(renderConsoleSummary(result.run));
  const t = result.timings;
  console.log(`\nrun written to ${result.dir}/run.json (kernel ${result.run.env.kernel.release}, QEMU ${result.accel.toUpperCase()}, `
    + `boot ${(t.bootMs / 1000).toFixed(1)} s, copy ${(t.copyMs / 1000).toFixed(1)} s, run ${(t.runMs / 1000).toFixed(1)} s, `
    + `${(t.totalMs / 1000).toFixed(0)} s in all${result.boots > 1 ? ', second boot' : ''})`);
  const g = result.guest;
  console.log(`guest: ${g.kind} (${g.why}), initrd ${(g.initrdBytes / 2 ** 20).toFixed(1)} MiB; scratch disk: ${g.disk ?? 'not reported'}`);
  if (result.accel === 'tcg') console.log('under TCG the latencies above are an emulated CPU\'s: compare counts and bytes, not times');
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'trail') return (await import('./kernel-trail.js')).main(argv.slice(1));
  const { own, run } = splitAtSeparator(argv);
  const { values, positionals } = parseCommandArgs(own, { allowPositionals: true, options: OPTIONS });
  const [sub, ...images] = positionals;
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (sub === 'fetch') return fetch(images, values.all ?? false, values.list ?? false);
  if (values.all || values.list) throw new UsageError('--all and --list are for fetch');
  if (sub !== 'run' && sub !== 'matrix') throw new UsageError(`${sub === undefined ? 'give a subcommand' : `unknown subcommand '${sub}'`}: fetch, run, matrix or trail (see guardbench kernel --help)`);
  if (images.length === 0) throw new UsageError(`give a kernel root or image (see guardbench kernel --help)`);
  if (sub === 'run' && images.length > 1) throw new UsageError(`run takes one image; for several use 'guardbench kernel matrix'`);
  if (sub === 'matrix' && values.modules !== undefined) throw new UsageError('--modules is for run; matrix finds each image\'s modules beside it or in /lib/modules');
  const runArgs = checkRunArgs(run ?? []);
  const common = {
    runArgs,
    accel: parseAccel(values.accel),
    cpus: positiveInt('cpus', values.cpus, 2),
    memoryMiB: positiveInt('memory', values.memory, 2048),
    timeoutMs: positiveInt('timeout', values.timeout, 60) * 60_000,
    append: parseAppend(values.append),
    say,
  };
  // Every missing piece of every image is found before the first boot.
  const guest = parseGuest(values.guest);
  const kernels = images.map((image) => prepareKernel(image, values.modules, guest));
  const project = packProject();
  try {
    if (sub === 'run') {
      printRun(await runUnderKernel({ ...common, kernel: kernels[0]!, project, out: values.out, resultsRoot: resolve('results', 'runs') }));
      return EXIT.ok;
    }
    return await runMatrix(kernels, { ...common, project, out: undefined, resultsRoot: resolve(values.out ?? 'results/runs') });
  } catch (e) {
    if (!(e instanceof GuestFailedError)) throw e;
    say(e.message);
    return exitCodeOf(e.failure);
  } finally {
    project.remove();
  }
}

/** `guardbench kernel fetch`: progress on stderr, the roots on stdout for scripts. */
async function fetch(series: string[], all: boolean, list: boolean): Promise<number> {
  if ([all, list, series.length > 0].filter(Boolean).length !== 1) throw new UsageError('fetch takes SERIES... (e.g. 6.16 7.3), --all or --list');
  try {
    if (list) for (const s of await listArchiveSeries({ say })) console.log(s);
    else for (const kernel of await fetchKernels(all ? 'all' : series, { say })) console.log(kernel.root);
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof ArchiveError)) throw e;
    say(`cannot read Debian's archive: ${e.message}`);
    return EXIT.internal;
  }
}

/** Each image in turn; one that fails does not stop the others, a signal does. The worst code wins. */
async function runMatrix(kernels: PreparedKernel[], options: Omit<SessionOptions, 'kernel'>): Promise<number> {
  const dirs: string[] = [];
  const failed: { release: string; code: number }[] = [];
  for (const kernel of kernels) {
    try {
      const result = await runUnderKernel({ ...options, kernel });
      say(`${kernel.image.release}: run written to ${result.dir}`);
      dirs.push(result.dir);
    } catch (e) {
      if (!(e instanceof GuestFailedError) || e.failure.by === 'signal') throw e;
      say(e.message);
      failed.push({ release: kernel.image.release, code: exitCodeOf(e.failure) });
    }
  }
  if (dirs.length > 0) await historyMain(dirs);
  if (failed.length > 0) say(`no run for ${failed.map((f) => f.release).join(', ')}`);
  return Math.max(EXIT.ok, ...failed.map((f) => f.code));
}
