/** What `guardbench kernel run|matrix` and `guardbench kernel trail` share: their options and exit codes. */
import { UsageError } from '../errors.js';
import type { Accel } from '../kernel/host-tools.js';
import type { GuestFailure } from '../kernel/session.js';
import { EXIT } from './exit-codes.js';

/** The arguments before `--` are the kernel command's, those after it go to `guardbench run` in the guest. */
export function splitAtSeparator(argv: readonly string[]): { own: string[]; run: string[] | null } {
  const at = argv.indexOf('--');
  return at < 0 ? { own: [...argv], run: null } : { own: argv.slice(0, at), run: argv.slice(at + 1) };
}

export function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} ${value}: expected a positive whole number`);
  return n;
}

export function parseAccel(value: string | undefined): 'auto' | Accel {
  if (value === undefined || value === 'auto' || value === 'kvm' || value === 'tcg') return value ?? 'auto';
  throw new UsageError(`--accel ${value}: expected auto, kvm or tcg`);
}

/**
 * A kernel that crashed the guest is a finding about that kernel (1); guardbench failing inside keeps
 * its own code (2 or 3); the host's side failing is an internal error (3).
 */
export function exitCodeOf(failure: GuestFailure): number {
  switch (failure.by) {
    case 'kernel': return EXIT.finding;
    case 'guardbench': return failure.exitCode === EXIT.usage ? EXIT.usage : EXIT.internal;
    case 'host': return EXIT.internal;
    case 'signal': return failure.signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  }
}
