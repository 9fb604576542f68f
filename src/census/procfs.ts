/**
 * Reading other processes' /proc files without ever throwing: a process may exit between readdir
 * and open, or belong to someone we may not inspect. Each failure becomes a reason the census counts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseMaps, type Vma } from '../metrics/maps.js';

/** Why a process could not be surveyed. */
export type UnreadableReason = 'permission' | 'vanished' | 'other';

export type ReadResult<T> = { ok: true; value: T } | { ok: false; reason: UnreadableReason; detail: string };

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';
}

/** EACCES/EPERM: ptrace access mode denies it; ENOENT/ESRCH: the process is gone. */
export function classifyError(e: unknown): { reason: UnreadableReason; detail: string } {
  const code = errorCode(e);
  if (code === 'EACCES' || code === 'EPERM') return { reason: 'permission', detail: code };
  if (code === 'ENOENT' || code === 'ESRCH') return { reason: 'vanished', detail: code };
  return { reason: 'other', detail: code };
}

/** Thread-group ids in /proc (threads are not listed at the top level), ascending. */
export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^[1-9]\d*$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

/** The process's command name; '?' when it cannot be read (the name is a label, never a reason). */
export function readComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || '?';
  } catch {
    return '?';
  }
}

/**
 * VMAs of `pid`, from smaps when `withFlags` (VmFlags show `gu`), else from maps. A smaps read that
 * fails for a reason other than the process vanishing falls back to maps, which some LSMs treat apart.
 */
export function readVmas(pid: number, withFlags: boolean): ReadResult<{ vmas: Vma[]; flags: boolean }> {
  if (withFlags) {
    try {
      const text = readFileSync(`/proc/${pid}/smaps`, 'latin1');
      return { ok: true, value: { vmas: parseMaps(text, true), flags: true } };
    } catch (e) {
      const why = classifyError(e);
      if (why.reason === 'vanished') return { ok: false, ...why };
    }
  }
  try {
    const text = readFileSync(`/proc/${pid}/maps`, 'latin1');
    return { ok: true, value: { vmas: parseMaps(text, false), flags: false } };
  } catch (e) {
    return { ok: false, ...classifyError(e) };
  }
}
