/**
 * Just enough of ELF64 to answer two questions without binutils or kmod: which modules a kernel
 * module depends on (its .modinfo section) and whether a binary is statically linked (no
 * PT_INTERP), which an initramfs without a libc needs of its busybox.
 */

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const PT_INTERP = 3;

export function isElf(bytes: Buffer): boolean {
  return bytes.length >= 64 && bytes.subarray(0, 4).equals(ELF_MAGIC);
}

/** Only 64-bit little-endian files: the x86-64 hosts and guests guardbench boots. */
function checkElf64(bytes: Buffer, what: string): void {
  if (!isElf(bytes)) throw new Error(`${what} is not an ELF file`);
  if (bytes[4] !== ELFCLASS64 || bytes[5] !== ELFDATA2LSB) throw new Error(`${what} is not a 64-bit little-endian ELF file`);
}

interface Section {
  name: string;
  offset: number;
  size: number;
}

function sections(bytes: Buffer): Section[] {
  const shoff = Number(bytes.readBigUInt64LE(0x28));
  const shentsize = bytes.readUInt16LE(0x3a);
  const shnum = bytes.readUInt16LE(0x3c);
  const shstrndx = bytes.readUInt16LE(0x3e);
  const header = (i: number) => shoff + i * shentsize;
  const raw = Array.from({ length: shnum }, (_, i) => ({
    nameOffset: bytes.readUInt32LE(header(i)),
    offset: Number(bytes.readBigUInt64LE(header(i) + 24)),
    size: Number(bytes.readBigUInt64LE(header(i) + 32)),
  }));
  const names = raw[shstrndx];
  if (!names) return [];
  return raw.map((s) => {
    const start = names.offset + s.nameOffset;
    return { name: bytes.toString('latin1', start, bytes.indexOf(0, start)), offset: s.offset, size: s.size };
  });
}

/** A kernel module's `key=value` strings (name, depends, vermagic, ...); repeated keys keep the last. */
export function readModinfo(bytes: Buffer, what = 'module'): Map<string, string> {
  checkElf64(bytes, what);
  const section = sections(bytes).find((s) => s.name === '.modinfo');
  if (!section) throw new Error(`${what} has no .modinfo section: not a kernel module`);
  const info = new Map<string, string>();
  for (const entry of bytes.toString('latin1', section.offset, section.offset + section.size).split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) info.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return info;
}

/** True for an executable with no program interpreter (the dynamic loader) to find at run time. */
export function isStaticExecutable(bytes: Buffer, what = 'file'): boolean {
  checkElf64(bytes, what);
  const phoff = Number(bytes.readBigUInt64LE(0x20));
  const phentsize = bytes.readUInt16LE(0x36);
  const phnum = bytes.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    if (bytes.readUInt32LE(phoff + i * phentsize) === PT_INTERP) return false;
  }
  return true;
}
