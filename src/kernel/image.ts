/**
 * A kernel image to boot and where its modules are. The release is read from the image itself
 * (the x86 boot header carries the version string), so a distribution's /boot/vmlinuz-*, a package
 * unpacked with `dpkg-deb -x` and the user's own arch/x86/boot/bzImage are all named the same way.
 */
import { existsSync, statSync } from 'node:fs';
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
  if (!existsSync(full)) throw new MissingPieceError(`kernel image ${path}: no such file (give a vmlinuz or bzImage; see README "Tracking a kernel upgrade")`);
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
  return [join(root, 'lib', 'modules', release), join(root, 'usr', 'lib', 'modules', release)];
}

/**
 * Where the image's modules are: `--modules DIR` (the lib/modules/<release> directory itself, or a
 * root that has it, such as a `dpkg-deb -x` unpack or a `make modules_install INSTALL_MOD_PATH`),
 * else beside an unpacked image (ROOT/boot/vmlinuz-R with ROOT/lib/modules/R), else the host's
 * /lib/modules/<release>.
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
  const imageDir = dirname(image.path);
  const beside = basename(imageDir) === 'boot' ? underRoot(dirname(imageDir), image.release) : [];
  const candidates = [...beside, ...underRoot('/', image.release)];
  return { dir: candidates.find(isModulesDir) ?? null, searched: candidates };
}
