/**
 * A kernel image to boot and where its modules are. The release is read from the image itself
 * (the x86 boot header carries the version string), so a distribution's /boot/vmlinuz-*, a package
 * unpacked with `dpkg-deb -x` and the user's own arch/x86/boot/bzImage are all named the same way.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isElf } from './elf.js';
import { readFileHead } from './host-tools.js';
import { MissingPieceError } from './missing.js';

export interface KernelImage {
  path: string;
  /** the release, as `uname -r` will print it in the guest */
  release: string;
  /** the whole version string from the boot header */
  version: string;
}

// The x86 boot protocol (Documentation/arch/x86/boot.rst): "HdrS" at 0x202, and at 0x20E a pointer
// to the version string, relative to 0x200.
const HEADER_MAGIC_OFFSET = 0x202;
const VERSION_POINTER_OFFSET = 0x20e;
const VERSION_BASE = 0x200;
const HEADER_BYTES = VERSION_BASE + 0x10000 + 256;

/** The version string of a bzImage, or null when the bytes are not one. */
export function bzImageVersion(head: Buffer): string | null {
  if (head.length < VERSION_POINTER_OFFSET + 2 || head.toString('latin1', HEADER_MAGIC_OFFSET, HEADER_MAGIC_OFFSET + 4) !== 'HdrS') return null;
  const pointer = head.readUInt16LE(VERSION_POINTER_OFFSET);
  if (pointer === 0) return null;
  const start = VERSION_BASE + pointer;
  const end = head.indexOf(0, start);
  if (start >= head.length || end < 0) return null;
  return head.toString('latin1', start, end).trim() || null;
}

export function readKernelImage(path: string): KernelImage {
  const full = resolve(path);
  if (!existsSync(full)) throw new MissingPieceError(`kernel image ${path}: no such file (give a vmlinuz or bzImage; see docs/kernels.md "Run under a kernel")`);
  if (!statSync(full).isFile()) throw new MissingPieceError(`kernel image ${path}: not a file (give a vmlinuz or bzImage)`);
  let head: Buffer;
  try {
    head = readFileHead(full, HEADER_BYTES);
  } catch (e) {
    throw new MissingPieceError(`kernel image ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const version = bzImageVersion(head);
  if (version === null) {
    const hint = isElf(head) ? 'an ELF vmlinux; give arch/x86/boot/bzImage instead' : 'no x86 boot header; give a vmlinuz or arch/x86/boot/bzImage';
    throw new MissingPieceError(`kernel image ${path}: not a bootable x86 kernel image (${hint})`);
  }
  const release = version.split(/\s+/)[0]!;
  return { path: full, release, version };
}

/** The places an unpacked root keeps its modules directories: merged /usr first, as Debian now ships them. */
const MODULE_PARENTS = [join('usr', 'lib', 'modules'), join('lib', 'modules')];

/**
 * The kernel image in an unpacked root (a `guardbench kernel fetch` root, a `dpkg-deb -x` of any
 * layout, an install root): boot/vmlinuz-R (Debian up to 6.18, and 6.19's binary package), else
 * usr/lib/modules/R/vmlinuz or lib/modules/R/vmlinuz (the split packages from 6.19 on).
 */
export function findImageInRoot(root: string): string {
  const candidates: string[] = [];
  const boot = join(root, 'boot');
  if (existsSync(boot)) candidates.push(...readdirSync(boot).filter((f) => /^(vmlinuz|bzImage)-/.test(f)).map((f) => join(boot, f)));
  for (const parent of MODULE_PARENTS.map((p) => join(root, p))) {
    if (!existsSync(parent)) continue;
    candidates.push(...readdirSync(parent).map((r) => join(parent, r, 'vmlinuz')).filter(existsSync));
  }
  const unique = [...new Set(candidates)];
  if (unique.length === 1) return unique[0]!;
  if (unique.length === 0) throw new MissingPieceError(`${root}: no kernel image in it (looked for boot/vmlinuz-*, usr/lib/modules/*/vmlinuz and lib/modules/*/vmlinuz); give the image itself`);
  throw new MissingPieceError(`${root}: holds ${unique.length} kernel images (${unique.map((u) => u.slice(root.length + 1)).join(', ')}); give one of them`);
}

/** The image a ROOT or IMAGE argument names, and the root it came from (null for a bare image). */
export function resolveKernelArgument(rootOrImage: string): { image: string; root: string | null } {
  const full = resolve(rootOrImage);
  if (existsSync(full) && statSync(full).isDirectory()) return { image: findImageInRoot(full), root: full };
  return { image: full, root: imageRoot(full) };
}

/** The unpack root an image sits in: ROOT/boot/vmlinuz-R or ROOT/[usr/]lib/modules/R/vmlinuz. */
function imageRoot(imagePath: string): string | null {
  const dir = dirname(imagePath);
  if (basename(dir) === 'boot') return dirname(dir);
  for (const parent of MODULE_PARENTS) {
    const tail = join(parent, basename(dir));
    if (dir.endsWith(`/${tail}`)) return dir.slice(0, -tail.length - 1) || '/';
  }
  return null;
}

export interface ModulesLocation {
  /** the lib/modules/<release> directory, or null when none was found (a kernel with 9p built in) */
  dir: string | null;
  /** every place looked at, for the message when nothing was there */
  searched: string[];
}

function isModulesDir(dir: string): boolean {
  return ['modules.builtin', 'modules.order', 'kernel'].some((name) => existsSync(join(dir, name)));
}

/** The places a modules directory for `release` may be under `root` (an install or unpack root). */
function underRoot(root: string, release: string): string[] {
  return MODULE_PARENTS.map((parent) => join(root, parent, release));
}

/**
 * Where the image's modules are: `--modules DIR` (the lib/modules/<release> directory itself, or a
 * root that has it, such as a `dpkg-deb -x` unpack or a `make modules_install INSTALL_MOD_PATH`),
 * else in the root the image was unpacked in (ROOT/boot/vmlinuz-R or ROOT/usr/lib/modules/R/vmlinuz
 * with ROOT/[usr/]lib/modules/R), else the host's /lib/modules/<release>.
 */
export function findModules(image: KernelImage, explicit: string | undefined): ModulesLocation {
  if (explicit !== undefined) {
    const dir = resolve(explicit);
    if (!existsSync(dir)) throw new MissingPieceError(`--modules ${explicit}: no such directory`);
    const candidates = [dir, ...underRoot(dir, image.release), join(dir, image.release)];
    const found = candidates.find(isModulesDir);
    if (!found) throw new MissingPieceError(`--modules ${explicit}: no modules for ${image.release} there (looked in ${candidates.join(', ')})`);
    return { dir: found, searched: candidates };
  }
  const root = imageRoot(image.path);
  const candidates = [...new Set([...(root === null ? [] : underRoot(root, image.release)), ...underRoot('/', image.release)])];
  return { dir: candidates.find(isModulesDir) ?? null, searched: candidates };
}
