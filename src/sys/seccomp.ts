/**
 * Making this kernel look like an older one, for tests: a seccomp filter on the calling thread
 * (and threads it creates later) that answers madvise and process_madvise with guard advice the
 * way a pre-6.13 kernel does (EINVAL), or, to test `verify`, as a silent no-op that returns 0.
 * A filter cannot be removed: install it only in a child process made for the purpose.
 */
import {
  AUDIT_ARCH_AARCH64, AUDIT_ARCH_X86_64, MADV_GUARD_INSTALL, MADV_GUARD_REMOVE, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP,
  SECCOMP_MODE_FILTER, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, syscallNumbers,
} from './constants.js';
import { SysError, lastErrno, mmap, pageSize, raw, writeMemory } from './libc.js';

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JA = 0x05;
const BPF_RET_K = 0x06;

/** seccomp_data offsets: nr at 0, arch at 4, args[i] at 16 + 8i (low word first on little-endian). */
const NR = 0;
const ARCH = 4;
const argLow = (i: number): number => 16 + 8 * i;

function insn(code: number, jt: number, jf: number, k: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(code, 0);
  b.writeUInt8(jt, 2);
  b.writeUInt8(jf, 3);
  b.writeUInt32LE(k >>> 0, 4);
  return b;
}

export interface GuardFilterOptions {
  /** errno to fail with; 0 makes the calls silent no-ops that return 0 */
  errno: number;
  /** the advice values to intercept (default: MADV_GUARD_INSTALL and MADV_GUARD_REMOVE) */
  advices?: readonly [number, number] | readonly [number];
}

/** The classic BPF program; see the jump targets in the comments. */
export function guardFilterProgram(o: GuardFilterOptions): Buffer {
  const sys = syscallNumbers();
  if (!sys) throw new Error(`no system call table for ${process.arch}`);
  const arch = process.arch === 'arm64' ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64;
  const [a1, a2] = o.advices ?? [MADV_GUARD_INSTALL, MADV_GUARD_REMOVE];
  return Buffer.concat([
    /* 0 */ insn(BPF_LD_W_ABS, 0, 0, ARCH),
    /* 1 */ insn(BPF_JEQ_K, 0, 8, arch), // other arch: 10 allow
    /* 2 */ insn(BPF_LD_W_ABS, 0, 0, NR),
    /* 3 */ insn(BPF_JEQ_K, 0, 2, sys.madvise), // madvise: 4, else 6
    /* 4 */ insn(BPF_LD_W_ABS, 0, 0, argLow(2)),
    /* 5 */ insn(BPF_JA, 0, 0, 2), // 8
    /* 6 */ insn(BPF_JEQ_K, 0, 3, sys.process_madvise), // process_madvise: 7, else 10
    /* 7 */ insn(BPF_LD_W_ABS, 0, 0, argLow(3)),
    /* 8 */ insn(BPF_JEQ_K, 2, 0, a1), // 11 intercept
    /* 9 */ insn(BPF_JEQ_K, 1, 0, a2 ?? a1), // 11 intercept, else 10
    /* 10 */ insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    /* 11 */ insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | (o.errno & 0xffff)),
  ]);
}

/** Install the filter on the calling thread. Irreversible. */
export function installGuardFilter(o: GuardFilterOptions): void {
  const program = guardFilterProgram(o);
  const mem = mmap(pageSize());
  writeMemory(mem + 64, program);
  const fprog = Buffer.alloc(16);
  fprog.writeUInt16LE(program.length / 8, 0);
  fprog.writeBigUInt64LE(BigInt(mem + 64), 8);
  writeMemory(mem, fprog);
  if (raw.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) !== 0) throw new SysError('prctl(PR_SET_NO_NEW_PRIVS)', [], lastErrno());
  if (raw.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, mem, 0, 0) !== 0) throw new SysError('prctl(PR_SET_SECCOMP)', [], lastErrno());
}
