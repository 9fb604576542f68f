/**
 * userfaultfd: a range registered for missing-page faults hands each such fault to a handler
 * instead of resolving it. A guard in such a range must win: installing it raises no event, and
 * touching it kills with SIGSEGV instead of waking the handler (a handler would otherwise fill
 * the guard with a page). Only a process on our own page tables takes our registration, so the
 * child here shares our memory (CLONE_VM). (guard-semantics.md item 18)
 */
import { closeSync } from 'node:fs';
import { readTrimmed } from '../probe/sysfs.js';
import { SIGSEGV } from '../sys/constants.js';
import type { Children } from '../sys/children.js';
import { openUserfaultfd, pendingFault, registerMissing, unregister } from '../sys/userfaultfd.js';
import { chainSupported, runSharedChain, type SharedOutcome } from './chain.js';
import { describeOption } from './kconfig.js';
import { PAGE } from './scratch.js';
import { CheckSkipped, GUARD_STRATEGIES, expect, fail, type Check } from './types.js';

const PAGES = 4;
const SURVIVED = 42;
/** Long enough for a child on a busy machine to reach its read; a child blocked on us never ends. */
const CHILD_TIMEOUT_MS = 3000;

function outcome(o: SharedOutcome): string {
  if ('event' in o) return `raised ${o.event}`;
  if ('timedOut' in o) return `neither ended nor raised an event within ${o.timedOut} ms`;
  return o.exit.signal !== null ? `died of signal ${o.exit.signal}` : `exited ${o.exit.code}`;
}

/** A CLONE_VM child reads `addr`; a missing-page event on `fd` while it runs is reported, and ends it. */
function readSharing(children: Children, fd: number, base: number, addr: number): SharedOutcome {
  return runSharedChain(children, [{ fn: 'strlen', args: [addr] }], SURVIVED, {
    timeoutMs: CHILD_TIMEOUT_MS,
    event: () => {
      const at = pendingFault(fd);
      return at === null ? null : `a userfaultfd fault at page ${Math.floor((at - base) / PAGE)}`;
    },
  });
}

function unavailable(reason: string): CheckSkipped {
  const setting = readTrimmed('/proc/sys/vm/unprivileged_userfaultfd');
  return new CheckSkipped(`no userfaultfd: ${reason}${setting === null ? '' : `; vm.unprivileged_userfaultfd is ${setting}`}; ${describeOption('CONFIG_USERFAULTFD')}`);
}

export const uffdGuardTraps: Check = {
  name: 'userfaultfd-guard-traps',
  items: [18],
  strategies: GUARD_STRATEGIES,
  kinds: ['anon', 'shmem'],
  run({ scratch: s, children }) {
    if (!chainSupported()) throw new CheckSkipped(`no makecontext chain on ${process.arch}`);
    const opened = openUserfaultfd();
    if ('reason' in opened) throw unavailable(opened.reason);
    const { fd } = opened;
    // Never touched here: a read of ours in a registered range would wait for a handler forever.
    const a = s.map(PAGES);
    try {
      const refused = registerMissing(fd, a, PAGES * PAGE);
      if (refused) throw new CheckSkipped(`UFFDIO_REGISTER (missing pages) of a ${s.kind} range without a guard fails with ${refused}`);
      try {
        // Control: without a guard, the child's read is handed to the handler (us).
        const bare = readSharing(children, fd, a, a);
        if (!('event' in bare)) throw new CheckSkipped(`a child's read of a registered page without a guard ${outcome(bare)}, expected a userfaultfd fault`);
        s.guard(a + 2 * PAGE);
        const onInstall = pendingFault(fd);
        expect(onInstall === null, `installing the guard raised a userfaultfd fault at 0x${(onInstall ?? 0).toString(16)}`);
        const guarded = readSharing(children, fd, a, a + 2 * PAGE);
        if (!('exit' in guarded) || guarded.exit.signal !== SIGSEGV) fail(`a child's read of the guard in a registered range ${outcome(guarded)}, expected SIGSEGV`);
      } finally {
        unregister(fd, a, PAGES * PAGE);
      }
    } finally {
      closeSync(fd);
    }
    return `in a range registered for missing-page faults, a read without a guard reaches the userfaultfd (the control); installing a guard raises no event and a read of it dies with SIGSEGV`;
  },
};
