/**
 * What only shared and file-backed memory has, since Linux 6.15 let guards onto it: the file
 * under a guard can be truncated or have a hole punched in it, a file opened read-only or a
 * write-sealed memfd can carry guards, and a private mapping of a file or memfd keeps its guards apart
 * from a shared mapping of the same pages through copy-on-write. (guard-semantics.md items 23, 24, 21,
 * 25, 20)
 */
import { ftruncateSync, fstatSync, openSync, writeSync } from 'node:fs';
import { F_SEAL_WRITE, MADV_REMOVE, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_RW, SIGBUS } from '../sys/constants.js';
import { addSeals, errnoName, lastErrno, madvise, mmap, raw } from '../sys/libc.js';
import { describeAccess } from '../sys/children.js';
import { openShared } from '../sys/memory.js';
import { PAGE, testString, type Scratch } from './scratch.js';
import { GUARD_STRATEGIES, SHARED_KINDS, expect, type Check } from './types.js';

/** Write the test string of `len` bytes at the start of page `page` of the file (not through a mapping). */
function writePage(fd: number, page: number, len: number): void {
  const data = testString(len);
  writeSync(fd, data, 0, data.length, page * PAGE);
}

/** Map `pages` of `fd` at file offset 0 and let the scratch unmap them. */
function mapFile(s: Scratch, fd: number, pages: number, prot: number, flags: number): number {
  const addr = mmap(pages * PAGE, prot, flags, 0, fd, 0);
  s.adopt(addr, pages);
  return addr;
}

export const truncateKeeps: Check = {
  name: 'truncate-keeps',
  items: [23],
  strategies: GUARD_STRATEGIES,
  kinds: SHARED_KINDS,
  run({ scratch: s }) {
    const a = s.map(3);
    s.put(a, 100);
    s.guard(a + PAGE);
    const size = fstatSync(s.fd).size;
    ftruncateSync(s.fd, 0);
    s.faults(a + PAGE, 'the guard with its file truncated to nothing');
    const past = s.readBy(a);
    // A page past the end of the file raises SIGBUS: proof the truncation took effect under the guard.
    expect(past.kind === 'other' && past.exit.signal === SIGBUS, `a neighbour past the new end of file: a read should raise SIGBUS, the child ${describeAccess(past)}`);
    ftruncateSync(s.fd, size);
    s.faults(a + PAGE, 'the guard after the file grew back');
    s.reads(a, 0, 'the neighbour after the file grew back (its data was truncated away)');
    return `with the ${s.kind} truncated to 0 the guard raises SIGSEGV while its neighbour raises SIGBUS; grown back, the guard still traps`;
  },
};

export const holePunchKeeps: Check = {
  name: 'hole-punch-keeps',
  items: [24],
  strategies: GUARD_STRATEGIES,
  kinds: SHARED_KINDS,
  run({ scratch: s }) {
    const a = s.map(3);
    for (const i of [0, 2]) s.put(a + i * PAGE, 110 + i);
    s.guard(a + PAGE);
    madvise(a, 3 * PAGE, MADV_REMOVE);
    s.faults(a + PAGE, 'the guard after MADV_REMOVE punched a hole under it', true);
    s.reads(a, 0, 'a neighbour in the hole');
    s.reads(a + 2 * PAGE, 0, 'a neighbour in the hole');
    return `MADV_REMOVE over the guard and its neighbours punches a hole in the ${s.kind}: the neighbours read zeroes, the guard still traps`;
  },
};

export const readOnlyFile: Check = {
  name: 'read-only-file',
  items: [21],
  strategies: GUARD_STRATEGIES,
  kinds: ['file'],
  run({ scratch: s }) {
    for (const i of [0, 1, 2]) writePage(s.fd, i, 120 + i);
    // A second open of the same (unlinked) file, read-only, as a loader opens a library.
    const ro = s.keep(openSync(`/proc/self/fd/${s.fd}`, 'r'));
    const a = mapFile(s, ro, 3, PROT_READ, MAP_SHARED);
    s.guard(a + PAGE);
    s.faults(a + PAGE, 'the guard on a read-only file mapping');
    s.reads(a, 120, 'a read-only neighbour');
    s.unguard(a + PAGE);
    s.reads(a + PAGE, 121, 'the page after remove (the file\'s data)');
    return 'a file opened O_RDONLY and mapped PROT_READ takes a guard that traps; after remove the page reads the file again';
  },
};

export const sealedMemfd: Check = {
  name: 'write-sealed-memfd',
  items: [25],
  strategies: GUARD_STRATEGIES,
  kinds: ['shmem'],
  run({ scratch: s }) {
    const fd = s.keep(openShared('shmem', 3 * PAGE, true));
    for (const i of [0, 1, 2]) writePage(fd, i, 130 + i);
    addSeals(fd, F_SEAL_WRITE);
    const a = mapFile(s, fd, 3, PROT_READ, MAP_SHARED);
    s.guard(a + PAGE);
    s.faults(a + PAGE, 'the guard on a write-sealed memfd');
    s.reads(a, 130, 'a sealed neighbour');
    s.unguard(a + PAGE);
    s.reads(a + PAGE, 131, 'the page after remove');
    const writable = raw.mprotect(a, 3 * PAGE, PROT_RW) === 0 ? 'succeeded' : errnoName(lastErrno());
    expect(writable !== 'succeeded', 'mprotect to read-write of the sealed mapping succeeded after the guard was removed: the seal no longer holds');
    return `a write-sealed memfd mapped PROT_READ takes a guard that traps; after remove the seal still refuses write access (${writable})`;
  },
};

export const mapPrivateCow: Check = {
  name: 'map-private-cow',
  items: [20],
  strategies: GUARD_STRATEGIES,
  kinds: SHARED_KINDS,
  run({ scratch: s }) {
    for (const i of [0, 1, 2]) writePage(s.fd, i, 140 + i);
    const shared = s.map(3); // offsets 0..3: the same file pages as the private mapping below
    const priv = mapFile(s, s.fd, 3, PROT_RW, MAP_PRIVATE);
    // Copy-on-write: the private mapping's pages 1 and 2 become copies of their own.
    s.put(priv + PAGE, 150);
    s.put(priv + 2 * PAGE, 152);
    s.guard(priv + PAGE);
    s.faults(priv + PAGE, 'the guard on a copied-on-write private page');
    s.reads(shared + PAGE, 141, 'the shared mapping of the same file page');
    s.unguard(priv + PAGE);
    s.reads(priv + PAGE, 141, 'the private page after remove (install dropped its copy; the file shows through)');
    s.reads(priv + 2 * PAGE, 152, 'an unguarded private copy');
    s.guard(shared + 2 * PAGE);
    s.faults(shared + 2 * PAGE, 'a guard on the shared mapping');
    s.reads(priv + 2 * PAGE, 152, 'the private copy of the page the shared mapping guards');
    return `guards on a MAP_PRIVATE and a MAP_SHARED mapping of one ${s.kind === 'file' ? 'file' : 'memfd'} stay apart; a guard over a copied-on-write page drops the copy`;
  },
};
