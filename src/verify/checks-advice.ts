/**
 * Guards under other madvise advice and mlock: MADV_DONTNEED and MADV_FREE zap pages but keep
 * markers; an mlock'd range refuses install with EINVAL and allows remove.
 * (guard-semantics.md items 9, 15, 10)
 */
import { MADV_DONTNEED, MADV_FREE } from '../sys/constants.js';
import { SysError, errnoName, lastErrno, madvise, raw } from '../sys/libc.js';
import { oneLine } from '../errors.js';
import { PAGE } from './scratch.js';
import { ALL_GUARDING, CheckSkipped, GUARD_STRATEGIES, fail, type Check } from './types.js';

function zapKeeps(name: string, advice: number, adviceName: string, item: number): Check {
  return {
    name,
    items: [item],
    strategies: ALL_GUARDING,
    run({ scratch: s }) {
      const a = s.map(3);
      for (const i of [0, 2]) s.put(a + i * PAGE, 70 + i);
      s.guard(a + PAGE);
      madvise(a, 3 * PAGE, advice);
      s.faults(a + PAGE, `the guard after ${adviceName}`, true);
      s.writes(a, `a neighbour after ${adviceName}`);
      // DONTNEED drops the data at once; FREE may keep it until memory is short.
      if (advice === MADV_DONTNEED) s.reads(a, 0, 'a neighbour after MADV_DONTNEED');
      return `${adviceName} over the guard and its neighbours: the guard still traps, the neighbours stay usable`;
    },
  };
}

export const dontneedKeeps = zapKeeps('dontneed-keeps', MADV_DONTNEED, 'MADV_DONTNEED', 9);
export const freeKeeps = zapKeeps('free-keeps', MADV_FREE, 'MADV_FREE', 15);

export const mlockRefuses: Check = {
  name: 'mlock-refuses-install',
  items: [10],
  strategies: GUARD_STRATEGIES,
  run({ scratch: s }) {
    const a = s.map(3);
    if (raw.mlock(a, 3 * PAGE) !== 0) {
      const why = errnoName(lastErrno());
      throw new CheckSkipped(`mlock refused (${why}${why === 'EPERM' || why === 'ENOMEM' ? ': RLIMIT_MEMLOCK or no CAP_IPC_LOCK' : ''})`);
    }
    try {
      let refusal = '';
      try {
        s.guard(a + PAGE);
      } catch (e) {
        refusal = e instanceof SysError ? e.code : oneLine(e);
      }
      if (refusal !== 'EINVAL') fail(`install on an mlock'd page should fail with EINVAL, ${refusal ? `got ${refusal}` : 'it succeeded'}`);
      s.unguard(a + PAGE);
      s.writes(a + PAGE, 'the mlock\'d page the install refused');
    } finally {
      raw.munlock(a, 3 * PAGE);
    }
    return 'install on an mlock\'d range fails with EINVAL and leaves no guard; remove is allowed';
  },
};
