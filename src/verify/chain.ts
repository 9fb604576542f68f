/**
 * A cloned child that makes several libc calls with several arguments each: the calls are laid out
 * as a chain of ucontexts (getcontext + makecontext, each linked to the next by uc_link) and the
 * child starts the first with setcontext(first). The last link calls _exit(code), so a child that
 * survives every call exits with `code`; one that touches a guard dies with SIGSEGV.
 *
 * glibc's makecontext takes 64-bit integer arguments on x86-64 and arm64, the two architectures
 * guardbench has system call tables for; elsewhere `chainSupported()` is false.
 */
import { libcFunction, mmap, munmap, raw, writeMemory } from '../sys/libc.js';
import type { Children } from '../sys/children.js';
import type { ChildExit } from '../sys/libc.js';

/** Room for one ucontext_t (968 bytes on x86-64, about 4.4 KiB on arm64). */
const CONTEXT_BYTES = 8192;
const STEP_STACK_BYTES = 16 * 1024;
/** ucontext_t: uc_flags, uc_link at 8, uc_stack {ss_sp at 16, ss_flags at 24, ss_size at 32}. */
const UC_LINK = 8;

export interface Call {
  fn: string;
  args: number[];
}

export function chainSupported(): boolean {
  return process.arch === 'x64' || process.arch === 'arm64';
}

/** Run `calls` in order in one cloned child, then _exit(exitCode). */
export function runChain(children: Children, calls: readonly Call[], exitCode: number): ChildExit {
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
    return children.run('setcontext', ctx(0));
  } finally {
    munmap(mem, bytes);
  }
}
