/**
 * Kernels from Debian's archive, fetched without installing them and without touching the
 * system's apt: guardbench keeps an apt configuration of its own under the cache (a sources list
 * for Debian's suites, its own lists, package cache and an empty dpkg status), updates those lists
 * only, downloads a kernel's packages with `apt-get download` and unpacks them with `dpkg-deb -x`
 * into one root per kernel.
 *
 * Debian ships a generic amd64 kernel in three shapes (read from the archive, December 2026):
 * - one-package (up to 6.18): linux-image-R with boot/vmlinuz-R and usr/lib/modules/R;
 * - split (from 6.19): linux-image-R is a 2 KB meta package over linux-binary-R (the image at
 *   usr/lib/modules/R/vmlinuz), linux-modules-R and linux-base-R (config, System.map, modules.builtin);
 * - image-only: only linux-binary-R is left in the archive (6.19, 7.0 and 7.1 lost their modules and
 *   base packages), so a guest for it must need no modules.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../results/write.js';
import { cacheDir } from './cache.js';
import { compareDebianVersions } from './debian-version.js';
import { findOnPath } from './host-tools.js';
import { MissingPieceError } from './missing.js';

/** The suites looked in: stable's kernels and the newer ones of testing, backports, unstable and experimental. */
export const DEBIAN_SUITES = ['bookworm', 'trixie', 'trixie-backports', 'sid', 'experimental'] as const;
const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export type KernelLayout = 'one-package' | 'split' | 'image-only';

export interface FetchedKernel {
  series: string;
  /** the Debian package version, e.g. 7.3.4-1~bpo13+1 */
  version: string;
  /** the release, as `uname -r` prints it in the guest, e.g. 7.3.4+deb13-amd64 */
  release: string;
  /** the directory the packages were unpacked into */
  root: string;
  layout: KernelLayout;
}

interface FetchOptions {
  say: (line: string) => void;
}

/** An archive failing to answer (network, signatures): not the user's input, not a finding. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

// ---- reading the archive's package descriptions -------------------------------------------------

interface Stanza {
  package: string;
  version: string;
  size: number;
}

/** Package, Version and Size of each stanza of `apt-cache show` output. */
export function parseStanzas(text: string): Stanza[] {
  return text.split(/\n\s*\n/).flatMap((block) => {
    const field = (name: string) => new RegExp(`^${name}: *(.*)$`, 'm').exec(block)?.[1]?.trim();
    const pkg = field('Package');
    const version = field('Version');
    return pkg && version ? [{ package: pkg, version, size: Number(field('Size') ?? 0) }] : [];
  });
}

/** One kernel release the archive offers, with the packages its layout needs. */
export interface ArchiveKernel {
  series: string;
  release: string;
  version: string;
  layout: KernelLayout;
  packages: Stanza[];
}

// A generic amd64 kernel's package name: linux-{image,binary,modules,base}-R with R = 6.1.0-50-amd64,
// 6.16.12+deb13-amd64 or 7.3-amd64; cloud, rt and the debug/unsigned builds are left out.
const KERNEL_PACKAGE = /^linux-(image|binary|modules|base)-((\d+)\.(\d+)[0-9A-Za-z.+~-]*-amd64)$/;
const OTHER_FLAVOUR = /-(cloud|rt)-amd64$/;
/** a one-package image is tens of MB; the split layout's meta package is 2 KB */
const META_PACKAGE_BYTES = 1 << 20;

export function isGenericKernelPackage(name: string): boolean {
  return KERNEL_PACKAGE.test(name) && !OTHER_FLAVOUR.test(name);
}

/**
 * Every kernel release the stanzas describe, with its layout. A package name may come in several
 * versions (two suites): each version is a candidate of its own, its packages matched by version.
 */
export function archiveKernels(stanzas: readonly Stanza[]): ArchiveKernel[] {
  const byKey = new Map<string, Map<string, Stanza>>(); // release@version -> kind -> stanza
  for (const s of stanzas) {
    const m = KERNEL_PACKAGE.exec(s.package);
    if (!m || OTHER_FLAVOUR.test(s.package)) continue;
    const key = `${m[2]}@${s.version}`;
    if (!byKey.has(key)) byKey.set(key, new Map());
    byKey.get(key)!.set(m[1]!, s);
  }
  const kernels: ArchiveKernel[] = [];
  for (const [key, kinds] of byKey) {
    const [release, version] = key.split('@') as [string, string];
    const m = KERNEL_PACKAGE.exec(`linux-image-${release}`)!;
    const series = `${m[3]}.${m[4]}`;
    const image = kinds.get('image');
    const binary = kinds.get('binary');
    const modules = kinds.get('modules');
    const base = kinds.get('base');
    let kernel: Omit<ArchiveKernel, 'series' | 'release' | 'version'> | null = null;
    if (binary && modules && base) kernel = { layout: 'split', packages: [binary, modules, base] };
    else if (binary) kernel = { layout: 'image-only', packages: base ? [binary, base] : [binary] };
    else if (image && image.size > META_PACKAGE_BYTES) kernel = { layout: 'one-package', packages: [image] };
    if (kernel) kernels.push({ series, release, version, ...kernel });
  }
  return kernels;
}

function compareSeries(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number) as [number, number];
  const [bm, bn] = b.split('.').map(Number) as [number, number];
  return am - bm || an - bn;
}

/** The series the kernels belong to, oldest first. */
export function seriesOf(kernels: readonly ArchiveKernel[]): string[] {
  return [...new Set(kernels.map((k) => k.series))].sort(compareSeries);
}

/**
 * The kernel to fetch for a series: the newest version whose packages are all there (one-package or
 * split); when every version lacks its modules, the newest image-only one.
 */
export function newestOfSeries(kernels: readonly ArchiveKernel[], series: string): ArchiveKernel | null {
  const ofSeries = kernels.filter((k) => k.series === series).sort((a, b) => compareDebianVersions(b.version, a.version));
  return ofSeries.find((k) => k.layout !== 'image-only') ?? ofSeries[0] ?? null;
}

// ---- guardbench's own apt ----------------------------------------------------------------------

/** The URIs of the system's apt sources (one-line .list and deb822 .sources files). */
export function sourceUris(text: string): string[] {
  const uris: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const deb822 = /^URIs:\s*(.*)$/i.exec(line);
    if (deb822) uris.push(...deb822[1]!.split(/\s+/).filter(Boolean));
    const oneLine = /^deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line);
    if (oneLine) uris.push(oneLine[1]!);
  }
  return uris;
}

/**
 * The Debian mirror the system already uses (its main archive, not security or ports), so fetching
 * reaches no host the machine does not reach already; Debian's own redirector when it uses none.
 */
export function debianMirror(sourcesTexts: readonly string[]): string {
  for (const uri of sourcesTexts.flatMap(sourceUris)) {
    try {
      const url = new URL(uri);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && /\/debian\/?$/.test(url.pathname)) return uri.replace(/\/+$/, '');
    } catch {
      // not a URL (cdrom:, a typo): not a mirror to use
    }
  }
  return DEFAULT_MIRROR;
}

function systemSourcesTexts(): string[] {
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) files.push(...readdirSync(dir).filter((f) => /\.(list|sources)$/.test(f)).sort().map((f) => join(dir, f)));
  return files.filter(existsSync).map((f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  });
}

export function sourcesList(mirror: string, keyring: string): string {
  return DEBIAN_SUITES.map((suite) => `deb [arch=amd64 signed-by=${keyring}] ${mirror} ${suite} main\n`).join('');
}

/** The directories and options of guardbench's apt: everything apt reads or writes is under `dir`. */
function aptOptions(dir: string): string[] {
  const set = (key: string, value: string) => ['-o', `${key}=${value}`];
  return [
    ...set('Dir::Etc::SourceList', join(dir, 'sources.list')),
    ...set('Dir::Etc::SourceParts', join(dir, 'sources.list.d')),
    ...set('Dir::Etc::Preferences', join(dir, 'preferences')),
    ...set('Dir::Etc::PreferencesParts', join(dir, 'preferences.d')),
    ...set('Dir::State::Lists', join(dir, 'lists')),
    ...set('Dir::State::status', join(dir, 'status')),
    ...set('Dir::Cache', join(dir, 'cache')),
    ...set('APT::Architectures', 'amd64'),
    ...set('Acquire::Languages', 'none'),
    // as root apt drops to user _apt, which cannot write into root's private cache directory
    ...(process.getuid?.() === 0 ? set('APT::Sandbox::User', 'root') : []),
  ];
}

function requireTool(name: string): string {
  const path = findOnPath(name);
  if (!path) throw new MissingPieceError(`${name} not found: guardbench kernel fetch reads Debian's archive with apt and dpkg (a Debian or Ubuntu host)`);
  return path;
}

class DebianArchive {
  readonly dir = join(cacheDir(), 'debian');
  private readonly options = aptOptions(this.dir);
  private kernels: ArchiveKernel[] | null = null;

  /** The config files and directories, written anew each time (the mirror may have changed). */
  private setUp(): string {
    if (!existsSync(KEYRING)) throw new MissingPieceError(`${KEYRING} is missing: install debian-archive-keyring (apt checks the archive's signatures with it)`);
    for (const sub of ['sources.list.d', 'preferences.d', 'lists/partial', 'cache/archives/partial']) mkdirSync(join(this.dir, sub), { recursive: true });
    const mirror = debianMirror(systemSourcesTexts());
    writeFileAtomic(join(this.dir, 'sources.list'), sourcesList(mirror, KEYRING));
    writeFileAtomic(join(this.dir, 'status'), '');
    return mirror;
  }

  private apt(tool: 'apt-get' | 'apt-cache', args: string[], cwd?: string) {
    return spawnSync(requireTool(tool), [...this.options, ...args], { cwd, encoding: 'utf8', maxBuffer: 512 * 2 ** 20 });
  }

  /** Every kernel of the archive; the lists are updated once per process. */
  read(say: (line: string) => void): ArchiveKernel[] {
    if (this.kernels) return this.kernels;
    const mirror = this.setUp();
    say(`reading Debian's ${DEBIAN_SUITES.join(', ')} from ${new URL(mirror).host} (apt-get update of guardbench's own lists in ${this.dir})`);
    const update = this.apt('apt-get', ['update', '-qq']);
    const problems = (update.stderr ?? '').split('\n').filter((l) => /^(E|W|Err):/.test(l));
    if (update.status !== 0) throw new ArchiveError(`apt-get update failed: ${problems[0] ?? `exit ${update.status}`}`);
    if (problems.length > 0) say(`apt: ${problems[0]}`);
    const names = this.apt('apt-cache', ['pkgnames', 'linux-']);
    const wanted = (names.stdout ?? '').split('\n').filter(isGenericKernelPackage);
    if (wanted.length === 0) throw new ArchiveError(`no kernel packages in the lists of ${DEBIAN_SUITES.join(', ')}${problems[0] ? ` (${problems[0]})` : ''}`);
    // names apt only knows from other packages' dependencies have no stanza: apt-cache says so on stderr
    const show = this.apt('apt-cache', ['show', ...wanted]);
    this.kernels = archiveKernels(parseStanzas(show.stdout ?? ''));
    return this.kernels;
  }

  /** The .deb files of `packages`, downloaded into `dir`. */
  download(packages: readonly Stanza[], dir: string): string[] {
    const r = this.apt('apt-get', ['download', '-qq', ...packages.map((p) => `${p.package}=${p.version}`)], dir);
    if (r.status !== 0) throw new ArchiveError(`apt-get download failed: ${(r.stderr ?? '').trim().split('\n').find((l) => l.startsWith('E:')) ?? `exit ${r.status}`}`);
    return readdirSync(dir).filter((f) => f.endsWith('.deb')).map((f) => join(dir, f));
  }
}

let archive: DebianArchive | null = null;
function theArchive(): DebianArchive {
  archive ??= new DebianArchive();
  return archive;
}

/** The series the archive has a generic amd64 kernel of, oldest first. */
export async function listArchiveSeries(options: FetchOptions): Promise<string[]> {
  return seriesOf(theArchive().read(options.say));
}

function kernelsDir(): string {
  return join(cacheDir(), 'kernels');
}

/** What a finished unpack records about itself; its presence means the root is complete. */
const ROOT_RECORD = '.guardbench-kernel.json';

function readRecord(root: string): FetchedKernel | null {
  try {
    return JSON.parse(readFileSync(join(root, ROOT_RECORD), 'utf8')) as FetchedKernel;
  } catch {
    return null;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Download and unpack one kernel into its root (unless an earlier fetch did), and drop older roots of its series. */
function fetchOne(kernel: ArchiveKernel, options: FetchOptions): FetchedKernel {
  const dir = kernelsDir();
  const root = join(dir, `${kernel.release}_${kernel.version.replace(/[^0-9A-Za-z.+~-]/g, '_')}`);
  const fetched: FetchedKernel = { series: kernel.series, version: kernel.version, release: kernel.release, root, layout: kernel.layout };
  if (readRecord(root)) {
    options.say(`${kernel.series}: ${kernel.release} (${kernel.version}, ${kernel.layout}) already in ${root}`);
  } else {
    const dpkgDeb = requireTool('dpkg-deb');
    const bytes = kernel.packages.reduce((sum, p) => sum + p.size, 0);
    options.say(`${kernel.series}: downloading ${kernel.packages.map((p) => p.package).join(', ')} ${kernel.version} (${mib(bytes)}, ${kernel.layout})`);
    mkdirSync(dir, { recursive: true });
    const work = mkdtempSync(join(dir, '.fetch-'));
    try {
      const debs = theArchive().download(kernel.packages, work);
      const unpacked = join(work, 'root');
      for (const deb of debs) {
        const r = spawnSync(dpkgDeb, ['-x', deb, unpacked], { encoding: 'utf8' });
        if (r.status !== 0) throw new ArchiveError(`dpkg-deb -x ${deb} failed: ${(r.stderr ?? '').trim().split('\n')[0] ?? `exit ${r.status}`}`);
      }
      writeFileSync(join(unpacked, ROOT_RECORD), `${JSON.stringify(fetched, null, 2)}\n`);
      rmSync(root, { recursive: true, force: true }); // an unpack an interrupted fetch left behind
      renameSync(unpacked, root);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  // One root per series: an older kernel of the series is not booted again.
  for (const name of readdirSync(dir)) {
    const other = join(dir, name);
    if (other !== root && readRecord(other)?.series === kernel.series) rmSync(other, { recursive: true, force: true });
  }
  return fetched;
}

/** `series` checked against the archive before anything is downloaded: one line naming what it has. */
function chooseKernels(kernels: readonly ArchiveKernel[], series: readonly string[] | 'all'): ArchiveKernel[] {
  const available = seriesOf(kernels);
  const wanted = series === 'all' ? available : series;
  const absent = wanted.filter((s) => !available.includes(s));
  if (absent.length > 0) {
    throw new UsageError(`Debian's archive has no generic amd64 kernel of series ${absent.join(', ')} (it has ${available.join(', ')})`);
  }
  return wanted.map((s) => newestOfSeries(kernels, s)!);
}

/** The newest kernel of each series, downloaded and unpacked into one root each (in the order given). */
export async function fetchKernels(series: readonly string[] | 'all', options: FetchOptions): Promise<FetchedKernel[]> {
  for (const s of series === 'all' ? [] : series) {
    if (!/^\d+\.\d+$/.test(s)) throw new UsageError(`series '${s}': expected MAJOR.MINOR, e.g. 6.16 or 7.3`);
  }
  const chosen = chooseKernels(theArchive().read(options.say), series);
  return chosen.map((k) => fetchOne(k, options));
}
