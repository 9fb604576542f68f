/**
 * The "newc" cpio format the kernel unpacks an initramfs from (Documentation/driver-api/
 * early-userspace/buffer-format.rst): per entry a 110-byte ASCII header of 8-digit hex fields, the
 * NUL-terminated name and the data, each padded to 4 bytes; a TRAILER!!! entry ends the archive.
 * Written here so that building an initramfs needs no cpio binary.
 */

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer | string; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

interface Header {
  ino: number;
  mode: number;
  nlink: number;
  size: number;
  rdevMajor: number;
  rdevMinor: number;
}

function header(name: string, h: Header): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const fields = [
    h.ino, h.mode, 0 /* uid */, 0 /* gid */, h.nlink, 0 /* mtime: fixed, so equal inputs give equal archives */,
    h.size, 0, 0 /* dev major, minor */, h.rdevMajor, h.rdevMinor, nameBytes.length, 0 /* check */,
  ];
  const head = Buffer.from(`070701${fields.map(hex8).join('')}`, 'latin1');
  return Buffer.concat([head, nameBytes, pad4(head.length + nameBytes.length)]);
}

function entryParts(entry: CpioEntry, ino: number): Buffer[] {
  const name = entry.path.replace(/^\/+/, '');
  switch (entry.kind) {
    case 'dir':
      return [header(name, { ino, mode: S_IFDIR | (entry.mode ?? 0o755), nlink: 2, size: 0, rdevMajor: 0, rdevMinor: 0 })];
    case 'chardev':
      return [header(name, { ino, mode: S_IFCHR | (entry.mode ?? 0o600), nlink: 1, size: 0, rdevMajor: entry.major, rdevMinor: entry.minor })];
    case 'symlink': {
      const data = Buffer.from(entry.target);
      return [header(name, { ino, mode: S_IFLNK | 0o777, nlink: 1, size: data.length, rdevMajor: 0, rdevMinor: 0 }), data, pad4(data.length)];
    }
    case 'file': {
      const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : entry.data;
      return [header(name, { ino, mode: S_IFREG | (entry.mode ?? 0o644), nlink: 1, size: data.length, rdevMajor: 0, rdevMinor: 0 }), data, pad4(data.length)];
    }
  }
}

/** An uncompressed newc archive of `entries`, in the order given (parents before children). */
export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const parts = entries.flatMap((entry, i) => entryParts(entry, i + 1));
  parts.push(header('TRAILER!!!', { ino: 0, mode: 0, nlink: 1, size: 0, rdevMajor: 0, rdevMinor: 0 }));
  return Buffer.concat(parts);
}
