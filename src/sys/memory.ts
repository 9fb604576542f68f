/**
 * The memory-kind axis: the same guard strategies over anonymous private memory, shared memory (a
 * memfd: shmem) and a file on a disk filesystem, as the kernel's guard-regions selftest runs each
 * test over anon, shmem and file. Linux 6.15 let guard markers into the last two; PROT_NONE works
 * on all three.
 *
 * Shared kinds are mapped MAP_SHARED from a file descriptor of their own. A file is created in a
 * directory of its own and unlinked at once, together with the directory, before anything is
 * mapped: nothing is left on disk whatever happens to the process. The mapping keeps the file alive
 * until munmap, the descriptor until `closeMapping`, which is kept apart from munmap so that a timed
 * munmap does not also pay for evicting the file.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, MFD_ALLOW_SEALING, MFD_CLOEXEC, PROT_RW } from './constants.js';
import { memfdCreate, mmap, munmap } from './libc.js';

export type MemoryKind = 'anon' | 'shmem' | 'file';
export const MEMORY_KINDS: readonly MemoryKind[] = ['anon', 'shmem', 'file'];
export type SharedKind = Exclude<MemoryKind, 'anon'>;

export function isMemoryKind(v: unknown): v is MemoryKind {
  return typeof v === 'string' && (MEMORY_KINDS as readonly string[]).includes(v);
}

/** The memory kind a parameter point asks for: its `memory` axis, anonymous memory without one. */
export function memoryKindOf(params: Readonly<Record<string, unknown>>): MemoryKind {
  return isMemoryKind(params.memory) ? params.memory : 'anon';
}

/** Why a `memory` parameter is not a kind guardbench maps, or null. */
export function memoryProblem(value: unknown): string | null {
  return value === undefined || isMemoryKind(value) ? null : `memory must be one of ${MEMORY_KINDS.join(', ')}, got ${String(value)}`;
}

/** statfs f_type magic numbers of the filesystems worth naming. */
const FILESYSTEMS: Record<number, string> = {
  0xef53: 'ext4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x858458f6: 'ramfs',
  0x794c7630: 'overlayfs', 0x2fc12fc1: 'zfs', 0xf2f52010: 'f2fs', 0x6969: 'nfs', 0x01021997: '9p',
};
/** Filesystems whose files live in memory: a "file" there is shmem under another name. */
const IN_MEMORY = new Set(['tmpfs', 'ramfs']);

export interface FileBacking {
  /** the directory file-kind memory is created in (and removed from at once) */
  dir: string;
  /** its filesystem, by statfs */
  fileSystem: string;
}

function fileSystemOf(dir: string): string {
  try {
    const type = statfsSync(dir).type;
    return FILESYSTEMS[type] ?? `0x${type.toString(16)}`;
  } catch {
    return 'unknown';
  }
}

let backing: FileBacking | null = null;

/**
 * Where file-kind memory lives: the temp directory, or /var/tmp when the temp directory is a
 * tmpfs (a file on tmpfs is shmem, not the page cache of a disk filesystem).
 */
export function fileBacking(): FileBacking {
  if (backing) return backing;
  const candidates = [tmpdir(), '/var/tmp'].map((dir) => ({ dir, fileSystem: fileSystemOf(dir) }));
  backing = candidates.find((c) => !IN_MEMORY.has(c.fileSystem) && c.fileSystem !== 'unknown') ?? candidates[0]!;
  return backing;
}

/**
 * A new, nameless file: created in a fresh directory, both removed before it is returned. A guest
 * of `guardbench kernel` without a writable disk sets GUARDBENCH_NO_FILE_MEMORY to the reason, so
 * file-backed rows are skipped with it rather than with the read-only root's EROFS.
 */
function anonymousFile(): number {
  const noDisk = process.env.GUARDBENCH_NO_FILE_MEMORY;
  if (noDisk) throw new Error(noDisk);
  const dir = mkdtempSync(join(fileBacking().dir, 'guardbench-memory-'));
  try {
    const path = join(dir, 'memory');
    const fd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
    return fd;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A descriptor of `bytes` of shared memory of `kind` (sparse: nothing is allocated until touched). */
export function openShared(kind: SharedKind, bytes: number, sealable = false): number {
  const fd = kind === 'shmem' ? memfdCreate('guardbench', MFD_CLOEXEC | (sealable ? MFD_ALLOW_SEALING : 0)) : anonymousFile();
  try {
    ftruncateSync(fd, bytes);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

/** Memory of one kind, mapped; `fd` is -1 for anonymous memory. */
export interface Mapping {
  kind: MemoryKind;
  addr: number;
  bytes: number;
  fd: number;
}

export interface MapOptions {
  prot?: number;
  /** flags besides MAP_PRIVATE|MAP_ANONYMOUS or MAP_SHARED (MAP_FIXED_NOREPLACE, MAP_NORESERVE, ...) */
  flags?: number;
  addr?: number;
}

/** The mmap flags of a kind: private anonymous, or shared from its descriptor. */
export function kindFlags(kind: MemoryKind): number {
  return kind === 'anon' ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED;
}

/** Map `bytes` of `kind`: anonymous private memory, or a fresh memfd or file mapped shared. */
export function mapMemory(kind: MemoryKind, bytes: number, o: MapOptions = {}): Mapping {
  const fd = kind === 'anon' ? -1 : openShared(kind, bytes);
  try {
    const addr = mmap(bytes, o.prot ?? PROT_RW, kindFlags(kind) | (o.flags ?? 0), o.addr ?? 0, fd, 0);
    return { kind, addr, bytes, fd };
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    throw e;
  }
}

/** Close the mapping's descriptor (the mapping stays; munmap frees the memory). */
export function closeMapping(m: Mapping): void {
  if (m.fd >= 0) closeSync(m.fd);
  m.fd = -1;
}

export function releaseMapping(m: Mapping): void {
  try {
    munmap(m.addr, m.bytes);
  } finally {
    closeMapping(m);
  }
}
