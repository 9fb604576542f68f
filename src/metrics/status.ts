/** Per-process memory figures from /proc/self/status. */
import { readFileSync } from 'node:fs';

function statusKb(field: string, pid: number | 'self'): number | null {
  const text = readFileSync(`/proc/${pid}/status`, 'latin1');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

/** Page-table bytes (VmPTE), or null where the kernel does not report it. */
export function pageTableBytes(pid: number | 'self' = 'self'): number | null {
  const kb = statusKb('VmPTE', pid);
  return kb === null ? null : kb * 1024;
}
