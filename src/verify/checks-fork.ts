/**
 * Guards across fork: every child here is a fork (clone without CLONE_VM), so a child that dies
 * touching the guard shows inheritance; a child holding still lets us read its page tables; and a
 * child that removes the guard with madvise (through a ucontext chain) shows the parent keeps its
 * own. Copy-on-write pages beside guards stay private to each side, and MADV_WIPEONFORK ranges
 * reach the child without their guards. (guard-semantics.md items 12, 13, 14)
 */
import { MADV_GUARD_INSTALL, MADV_GUARD_REMOVE, MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_SHARED, PROT_RW, SIGSEGV } from '../sys/constants.js';
import { describeAccess } from '../sys/children.js';
import { fill, madvise, mmap, type ChildExit } from '../sys/libc.js';
import { chainSupported, runChain } from './chain.js';
import { PAGE, describePages, pagemapGuardBits, readHere, testString, type Scratch } from './scratch.js';
import { ALL_GUARDING, CheckSkipped, GUARD_STRATEGIES, expect, type Check } from './types.js';

/** What the chained child exits with after its remove and read both succeed. */
const SURVIVED = 42;

function describeExit(exit: ChildExit): string {
  return exit.signal !== null ? `died of signal ${exit.signal}` : `exited ${exit.code}`;
}

export const forkInherits: Check = {
  name: 'fork-inherits',
  items: [12],
  strategies: ALL_GUARDING,
  run({ scratch: s, probe, children, strategy }) {
    const a = s.map(3);
    s.guard(a + PAGE);
    s.faults(a + PAGE, 'the guard in a forked child');
    const seen = ['a forked child dies on the guard'];

    if (probe.features.pagemapGuardBit && strategy.name !== 'prot-none') {
      const child = children.hold();
      let bits: boolean[];
      try {
        bits = pagemapGuardBits(child.pid, a, 3);
      } finally {
        child.stop();
      }
      expect(bits.filter(Boolean).length === 1 && bits[1] === true, `the child's pagemap shows guards on ${describePages(bits)}, expected page 1`);
      seen.push('its pagemap shows the guard');
    }

    if (strategy.name === 'prot-none') {
      // A PROT_NONE guard is a VMA property: there is no marker for the child to remove.
    } else if (!chainSupported()) {
      seen.push(`a remove in the child not checked (no makecontext chain on ${process.arch})`);
    } else {
      const exit = runChain(children, [
        { fn: 'madvise', args: [a + PAGE, PAGE, MADV_GUARD_REMOVE] },
        { fn: 'strlen', args: [a + PAGE] },
      ], SURVIVED);
      expect(exit.code === SURVIVED, `a child that removed the guard should read the page and exit ${SURVIVED}, it ${describeExit(exit)}`);
      const after = children.read(a + PAGE);
      expect(after.kind === 'fault', `the parent's guard after the child's remove: a read should fault, the child ${describeAccess(after)}`);
      seen.push('a remove in the child leaves the parent\'s guard in place');
    }
    return seen.join('; ');
  },
};

/** A page both the parent and its children see (MAP_SHARED anonymous): where a child reports what it read. */
function mailbox(s: Scratch): { addr: number; read(len: number): string } {
  const addr = mmap(PAGE, PROT_RW, MAP_SHARED | MAP_ANONYMOUS);
  s.adopt(addr, 1);
  return {
    addr,
    read: (len) => readHere(addr, len).toString('latin1').replace(/\0+$/, ''),
  };
}

/** The test string `put` writes, as a child copying it reports it (without its NUL). */
const text = (len: number): string => testString(len).toString('latin1').slice(0, len);

/**
 * Copy-on-write beside guards, as the selftest's fork_cow: after fork, a page the parent wrote is
 * shared until one side writes it. The child's write stays its own and the guard still traps in
 * it; a child that installs and removes a guard over the shared page loses only its own copy (it
 * reads zeroes) while the parent keeps its data and its guard. The children report what they read
 * through a shared page.
 */
export const forkCowPrivate: Check = {
  name: 'fork-cow-private',
  items: [13],
  strategies: GUARD_STRATEGIES,
  kinds: ['anon'],
  run({ scratch: s, children }) {
    if (!chainSupported()) throw new CheckSkipped(`no makecontext chain on ${process.arch}`);
    // | d0 | G1 | d2 |
    const a = s.map(3);
    s.put(a, 30);
    s.put(a + 2 * PAGE, 32);
    s.guard(a + PAGE);
    const box = mailbox(s);
    // Control: a child sees the parent's data through the shared (not yet copied) page.
    const seen = runChain(children, [{ fn: 'memcpy', args: [box.addr, a + 2 * PAGE, 64] }], SURVIVED);
    expect(seen.code === SURVIVED && box.read(64) === text(32), `a forked child should copy the parent's page 2, it ${describeExit(seen)} and copied '${box.read(16)}'`);

    fill(box.addr, 0, PAGE);
    const wrote = runChain(children, [
      { fn: 'memset', args: [a + 2 * PAGE, 0x7a, 8] },
      { fn: 'memcpy', args: [box.addr, a + 2 * PAGE, 64] },
      { fn: 'strlen', args: [a + PAGE] },
    ], SURVIVED);
    expect(wrote.signal === SIGSEGV, `a child that wrote its copy of page 2 should then die on the guard, it ${describeExit(wrote)}`);
    expect(box.read(64).startsWith('zzzzzzzz'), `the child's own page 2 after its write reads '${box.read(16)}'`);
    s.reads(a + 2 * PAGE, 32, 'the parent\'s page 2 after the child wrote its copy');

    fill(box.addr, 0x21, 64);
    const reguarded = runChain(children, [
      { fn: 'madvise', args: [a + 2 * PAGE, PAGE, MADV_GUARD_INSTALL] },
      { fn: 'madvise', args: [a + 2 * PAGE, PAGE, MADV_GUARD_REMOVE] },
      { fn: 'memcpy', args: [box.addr, a + 2 * PAGE, 64] },
    ], SURVIVED);
    expect(reguarded.code === SURVIVED, `a child installing and removing a guard over page 2 should exit ${SURVIVED}, it ${describeExit(reguarded)}`);
    expect(box.read(64) === '', `the child's page 2 after its install and remove should read zeroes, it copied '${box.read(16)}'`);
    s.reads(a + 2 * PAGE, 32, 'the parent\'s page 2 after the child guarded and unguarded its copy');
    s.faults(a + PAGE, 'the parent\'s guard after its children');
    return 'a child writing its copy of a page beside the guard keeps the write to itself and dies on the guard; '
      + 'a child\'s install and remove over the page leaves it zeroes there while the parent keeps its data and its guard';
  },
};

/**
 * MADV_WIPEONFORK: a forked child gets the range as if freshly mapped, data and guards alike,
 * while the parent keeps both. The control is the wipe itself: without the guard, the child
 * reads zeroes where the parent has data.
 */
export const wipeOnForkDrops: Check = {
  name: 'wipeonfork-drops-in-child',
  items: [14],
  strategies: GUARD_STRATEGIES,
  kinds: ['anon'],
  needs: ['pagemapGuardBit'],
  run({ scratch: s }) {
    const a = s.map(3);
    s.put(a, 34);
    madvise(a, 3 * PAGE, MADV_WIPEONFORK);
    s.reads(a, 0, 'a wiped page in the child (the control: the parent wrote it)');
    s.guard(a + PAGE);
    const bits = pagemapGuardBits('self', a, 3);
    expect(bits[1] === true && bits.filter(Boolean).length === 1, `the parent's pagemap shows guards on ${describePages(bits)}, expected page 1`);
    s.reads(a + PAGE, 0, 'the guarded page in a child of a MADV_WIPEONFORK range');
    s.writes(a + PAGE, 'the guarded page in a child of a MADV_WIPEONFORK range');
    const still = pagemapGuardBits('self', a, 3);
    expect(still[1] === true, `after the children, the parent's pagemap shows guards on ${describePages(still)}, expected page 1`);
    return 'with MADV_WIPEONFORK a child reads zeroes where the parent has data and where the parent has its guard, and may write there; the parent keeps its guard';
  },
};
