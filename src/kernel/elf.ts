/**
 * Just enough of ELF64 to answer three questions without binutils, kmod or ldd: which modules a
 * kernel module depends on (its .modinfo section), whether a binary is statically linked (no
 * PT_INTERP), which an initramfs without a libc needs of its busybox, and which shared libraries and
 * loader a dynamic one needs (DT_NEEDED, PT_INTERP), which a guest carrying Node needs.
 */

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const EM_X86_64 = 62;

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

/** The program interpreter's path (the dynamic loader), or null for a static executable. */
function interpreter(bytes: Buffer): string | null {
  const phoff = Number(bytes.readBigUInt64LE(0x20));
  const phentsize = bytes.readUInt16LE(0x36);
  const phnum = bytes.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (bytes.readUInt32LE(at) !== PT_INTERP) continue;
    const offset = Number(bytes.readBigUInt64LE(at + 8));
    const size = Number(bytes.readBigUInt64LE(at + 32));
    return bytes.toString('latin1', offset, offset + size).replace(/\0+$/, '');
  }
  return null;
}

/** True for an executable with no program interpreter (the dynamic loader) to find at run time. */
export function isStaticExecutable(bytes: Buffer, what = 'file'): boolean {
  checkElf64(bytes, what);
  return interpreter(bytes) === null;
}

export interface DynamicNeeds {
  /** the sonames of DT_NEEDED, in order */
  needed: string[];
  /** the dynamic loader's path (PT_INTERP), null for a shared library or a static executable */
  interpreter: string | null;
}

/** True for an x86-64 ELF64 file: a library of another architecture on the search path is passed over. */
export function isX86_64Elf(bytes: Buffer): boolean {
  return isElf(bytes) && bytes[4] === ELFCLASS64 && bytes[5] === ELFDATA2LSB && bytes.readUInt16LE(0x12) === EM_X86_64;
}

/** What a whole ELF file (an executable or a shared library) needs from the dynamic loader. */
export function readDynamicNeeds(bytes: Buffer, what = 'file'): DynamicNeeds {
  checkElf64(bytes, what);
  const all = sections(bytes);
  const dynamic = all.find((s) => s.name === '.dynamic');
  const strings = all.find((s) => s.name === '.dynstr');
  const needed: string[] = [];
  if (dynamic && strings) {
    for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
      const tag = Number(bytes.readBigInt64LE(at));
      if (tag === DT_NULL) break;
      if (tag !== DT_NEEDED) continue;
      const start = strings.offset + Number(bytes.readBigUInt64LE(at + 8));
      needed.push(bytes.toString('latin1', start, bytes.indexOf(0, start)));
    }
  }
  return { needed, interpreter: interpreter(bytes) };
}
