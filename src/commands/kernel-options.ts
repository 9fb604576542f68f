/** Options that `guardbench kernel run|matrix` and `guardbench kernel trail` read alike. */
import { UsageError } from '../errors.js';
import type { Accel } from '../kernel/host-tools.js';

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
