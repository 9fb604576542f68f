/**
 * Guards across fork: every child here is a fork (clone without CLONE_VM), so a child that dies
 * touching the guard shows inheritance; a child holding still lets us read its page tables; and a
 * child that removes the guard with madvise (through a ucontext chain) shows the parent keeps its
 * own. (guard-semantics.md item 12)
 */
import { MADV_GUARD_REMOVE } from '../sys/constants.js';
import { describeAccess } from '../sys/children.js';
import { chainSupported, runChain } from './chain.js';
import { PAGE, describePages, pagemapGuardBits } from './scratch.js';
import { ALL_GUARDING, expect, type Check } from './types.js';

/** What the chained child exits with after its remove and read both succeed. */
const SURVIVED = 42;

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
      expect(exit.code === SURVIVED, `a child that removed the guard should read the page and exit ${SURVIVED}, it ${exit.signal !== null ? `died of signal ${exit.signal}` : `exited ${exit.code}`}`);
      const after = children.read(a + PAGE);
      expect(after.kind === 'fault', `the parent's guard after the child's remove: a read should fault, the child ${describeAccess(after)}`);
      seen.push('a remove in the child leaves the parent\'s guard in place');
    }
    return seen.join('; ');
  },
};
