/**
 * A cloned child that makes several libc calls with several arguments each: the calls are laid out
 * as a chain of ucontexts (getcontext + makecontext, each linked to the next by uc_link) and the
 * child starts the first with setcontext(first). The last link calls _exit(code), so a child that
 * survives every call exits with `code`; one that touches a guard dies with SIGSEGV.
 *
 * glibc's makecontext takes 64-bit integer arguments on x86-64 and arm64, the two architectures
 * guardbench has system call tables for; elsewhere `chainSupported()` is false.
 *
 * A chain is built afresh for every child and unmapped only once that child is gone: a child that
 * shares our memory runs on (and writes into) the chain itself, and a chain one child has run is
 * not fit to run again (seen on 6.18 with glibc 2.36: the second child crashed the parent).
 */
import { SIGKILL, SIGSEGV } from '../sys/constants.js';
import { libcFunction, mmap, munmap, pollChild, raw, waitChild, writeMemory } from '../sys/libc.js';
import type { Children } from '../sys/children.js';
import type { ChildExit } from '../sys/libc.js';

/** Room for one ucontext_t (968 bytes on x86-64, about 4.4 KiB on arm64). */
const CONTEXT_BYTES = 8192;
const STEP_STACK_BYTES = 16 * 1024;
/** ucontext_t: uc_flags, uc_link at 8, uc_stack {ss_sp at 16, ss_flags at 24, ss_size at 32}. */
const UC_LINK = 8;
const SIG_DFL = 0;
/** How often a watched child and its events are looked at. */
const POLL_MS = 1;

export interface Call {
  fn: string;
  args: number[];
}

export function chainSupported(): boolean {
  return process.arch === 'x64' || process.arch === 'arm64';
}

/** Lay out `calls` then _exit(exitCode) as linked ucontexts; `use` gets the first. */
function withChain<T>(calls: readonly Call[], exitCode: number, use: (first: number) => T): T {
  const steps = [...calls, { fn: '_exit', args: [exitCode] }];
  const per = CONTEXT_BYTES + STEP_STACK_BYTES;
  const bytes = steps.length * per;
  const mem = mmap(bytes);
  try {
    const ctx = (i: number) => mem + i * per;
    steps.forEach((step, i) => {
      if (raw.getcontext(ctx(i)) !== 0) throw new Error('getcontext failed');
      const head = Buffer.alloc(32);
      head.writeBigUInt64LE(BigInt(i + 1 < steps.length ? ctx(i + 1) : 0), 0);
      head.writeBigUInt64LE(BigInt(ctx(i) + CONTEXT_BYTES), 8);
      head.writeBigUInt64LE(0n, 16);
      head.writeBigUInt64LE(BigInt(STEP_STACK_BYTES), 24);
      writeMemory(ctx(i) + UC_LINK, head);
      const variadic = step.args.flatMap((a) => ['uint64_t', a]);
      raw.makecontext(ctx(i), libcFunction(step.fn), step.args.length, ...variadic);
    });
    return use(ctx(0));
  } finally {
    munmap(mem, bytes);
  }
}

/** Run `calls` in order in one forked child, then _exit(exitCode). */
export function runChain(children: Children, calls: readonly Call[], exitCode: number): ChildExit {
  return withChain(calls, exitCode, (first) => children.run('setcontext', first));
}

/** How a child on our page tables ended: it exited, or an event seen meanwhile had it killed. */
export type SharedOutcome = { exit: ChildExit } | { event: string } | { timedOut: number };

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Run `calls` in a child that shares our memory (CLONE_VM), after restoring SIGSEGV's default in
 * it: it faults on our own page tables, so a fault a handler of ours would take (a userfaultfd's)
 * reaches that handler. While it runs, `event()` is asked every millisecond for something seen;
 * a child that blocks on what we do not answer is killed when `event` names it or after `timeoutMs`.
 */
export function runSharedChain(children: Children, calls: readonly Call[], exitCode: number,
  o: { event: () => string | null; timeoutMs: number }): SharedOutcome {
  const all = [{ fn: 'signal', args: [SIGSEGV, SIG_DFL] }, ...calls];
  return withChain(all, exitCode, (first) => {
    const pid = children.start('setcontext', first, true);
    let running = true;
    const stop = (): void => {
      raw.kill(pid, SIGKILL);
      waitChild(pid);
      running = false;
    };
    try {
      const started = Date.now();
      for (;;) {
        const exit = pollChild(pid);
        if (exit) {
          running = false;
          return { exit };
        }
        const seen = o.event();
        if (seen !== null) {
          stop();
          return { event: seen };
        }
        if (Date.now() - started > o.timeoutMs) {
          stop();
          return { timedOut: o.timeoutMs };
        }
        pause(POLL_MS);
      }
    } finally {
      // The chain is unmapped next: never under a child still running on it.
      if (running) stop();
    }
  });
}
