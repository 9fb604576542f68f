/**
 * The guest's scratch disk: a sparse file made into ext4 on the host, attached as a virtio block
 * device and mounted on the guest's /var/tmp, where guardbench makes file-backed memory (a file on
 * the guest's tmpfs would be shmem under another name, and the 9p root is read-only).
 */
import { closeSync, ftruncateSync, openSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { delimiter } from 'node:path';
import { findOnPath } from './host-tools.js';

/** Sparse: only what mkfs and the guest write takes room on the host. */
const DISK_BYTES = 2 * 2 ** 30;

/**
 * mkfs.ext4's options. No journal and no metadata checksums: no jbd2 commit thread waking in the
 * guest during a measurement, and no crc32c driver to load (Debian builds CONFIG_CRYPTO_CRC32C as a
 * module). Inode tables written now, so the guest's ext4lazyinit has nothing to do in the background.
 */
const MKFS_OPTIONS = ['-F', '-q', '-O', '^has_journal,^metadata_csum', '-N', '4096', '-m', '0', '-E', 'lazy_itable_init=0,lazy_journal_init=0'];

/** mkfs.ext4, on PATH or in the sbin directories a user's PATH often lacks. */
function findMkfs(): string | null {
  return findOnPath('mkfs.ext4', [process.env.PATH ?? '', '/usr/sbin', '/sbin'].join(delimiter));
}

/** Makes the disk at `path`; on failure says why in one line (the guest then runs without one). */
export function makeScratchDisk(path: string): { ok: true } | { ok: false; why: string } {
  const mkfs = findMkfs();
  if (!mkfs) return { ok: false, why: 'the host has no mkfs.ext4 to make a scratch disk with (apt-get install e2fsprogs)' };
  const fd = openSync(path, 'w', 0o600);
  try {
    ftruncateSync(fd, DISK_BYTES);
  } finally {
    closeSync(fd);
  }
  const r = spawnSync(mkfs, [...MKFS_OPTIONS, path], { encoding: 'utf8' });
  if (r.status === 0) return { ok: true };
  rmSync(path, { force: true });
  return { ok: false, why: `mkfs.ext4 failed on the host: ${(r.stderr ?? '').trim().split('\n')[0] ?? `exit ${r.status}`}` };
}
