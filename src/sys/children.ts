/**
 * Children that touch guards for us. A child forked from Node cannot run JavaScript (V8's heap is
 * MADV_DONTFORK), so each child is made by glibc clone(fn, stack, SIGCHLD, arg) with `fn` a libc
 * function: it runs fn(arg) on a stack we mapped and exits with the result. Without CLONE_VM the
 * child is a fork: it has its own copy of our address space, guards included.
 *
 *   strlen(addr)             reads from addr: exits with the string's length & 0xff, or SIGSEGV
 *   pthread_attr_init(addr)  writes 56 bytes at addr: exits 0, or SIGSEGV
 *   pause()                  waits, holding its copy of our mappings, until killed
 */
import { CLONE_VM, SIGCHLD, SIGKILL, SIGSEGV } from './constants.js';
import { SysError, lastErrno, libcFunction, mmap, munmap, raw, waitChild, type ChildExit } from './libc.js';

const STACK_BYTES = 64 * 1024;
const RLIMIT_CORE = 4;

/** What a child's access did. */
export type Access = { kind: 'ok'; value: number } | { kind: 'fault' } | { kind: 'other'; exit: ChildExit };

export function describeAccess(a: Access): string {
  if (a.kind === 'ok') return `exited ${a.value}`;
  if (a.kind === 'fault') return 'SIGSEGV';
  return a.exit.signal !== null ? `signal ${a.exit.signal}` : `exit ${a.exit.code}`;
}

function toAccess(exit: ChildExit): Access {
  if (exit.signal === SIGSEGV) return { kind: 'fault' };
  if (exit.code !== null) return { kind: 'ok', value: exit.code };
  return { kind: 'other', exit };
}

/**
 * One stack serves every child: each child writes only to its own copy of it, so children may
 * even overlap (a pause child stays alive while others come and go).
 */
export class Children {
  private readonly stack = mmap(STACK_BYTES);
  private readonly fns = new Map<string, number>();

  private fn(name: string): number {
    let addr = this.fns.get(name);
    if (addr === undefined) {
      addr = libcFunction(name);
      this.fns.set(name, addr);
    }
    return addr;
  }

  /**
   * Start a child running libc `name`(arg); returns its pid. With `shareMemory` (CLONE_VM) the
   * child runs on our own page tables instead of a copy: every write it makes lands in our
   * memory, and it inherits our signal handlers (Node's SIGSEGV handler among them), so it must
   * only run a chain that restores SIGSEGV's default first (verify/chain.ts).
   */
  start(name: string, arg: number, shareMemory = false): number {
    const pid = raw.clone(this.fn(name), this.stack + STACK_BYTES, SIGCHLD | (shareMemory ? CLONE_VM : 0), arg);
    if (pid < 0) throw new SysError(`clone(${name})`, [arg], lastErrno());
    return pid;
  }

  run(name: string, arg: number): ChildExit {
    return waitChild(this.start(name, arg));
  }

  read(addr: number): Access {
    return toAccess(this.run('strlen', addr));
  }

  write(addr: number): Access {
    return toAccess(this.run('pthread_attr_init', addr));
  }

  /** A child that holds its copy of our mappings until `stop()` kills it. */
  hold(): { pid: number; stop(): void } {
    const pid = this.start('pause', 0);
    return {
      pid,
      stop() {
        raw.kill(pid, SIGKILL);
        waitChild(pid);
      },
    };
  }

  release(): void {
    munmap(this.stack, STACK_BYTES);
  }
}

/**
 * Run `fn` with core dumps off: a child killed by SIGSEGV on purpose must not leave a core file
 * (or wake systemd-coredump) for every check. Children inherit the limit at clone time.
 */
export function withoutCoreDumps<T>(fn: () => T): T {
  const saved = Buffer.alloc(16);
  const haveSaved = raw.getrlimit(RLIMIT_CORE, saved) === 0;
  if (haveSaved) {
    const off = Buffer.from(saved);
    off.writeBigUInt64LE(0n, 0);
    raw.setrlimit(RLIMIT_CORE, off);
  }
  try {
    return fn();
  } finally {
    if (haveSaved) raw.setrlimit(RLIMIT_CORE, saved);
  }
}
