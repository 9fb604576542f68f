/** Writing results atomically: a reader never sees half a file, an interrupted run keeps what it had. */
import { closeSync, fsyncSync, openSync, renameSync, writeSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/**
 * Write `data` to `path` through a temporary file in the same directory and a rename: a reader, or
 * a process killed half-way, never sees half a file. `durable: false` skips the fsync, for the
 * document a run rewrites after every point (the rename alone keeps it whole if the process dies;
 * only a crash of the whole machine could lose the last points, and the finished run is synced).
 */
export function writeFileAtomic(path: string, data: string | Buffer, o: { durable?: boolean } = {}): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (o.durable ?? true) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

export function writeJsonAtomic(path: string, value: unknown, o: { durable?: boolean } = {}): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', o);
}
