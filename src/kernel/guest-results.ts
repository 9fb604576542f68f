/**
 * An initramfs guest's run, as it comes back on ttyS1: a line RESULTS_BEGIN, the output directory
 * as a gzipped tar in base64 lines, a line RESULTS_END. Unpacked into the session's directory, where
 * a 9p guest would have written it directly.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { RESULTS_BEGIN, RESULTS_END } from './guest-init.js';
import { findTar } from './host-tools.js';

/** The tar bytes between the markers, or why there are none. */
export function decodeResultsStream(text: string): { ok: true; tar: Buffer } | { ok: false; why: string } {
  const begin = text.indexOf(RESULTS_BEGIN);
  const lineEnd = text.indexOf('\n', begin);
  if (begin < 0 || lineEnd < 0) return { ok: false, why: 'the guest sent no run on ttyS1' };
  const body = text.slice(lineEnd + 1);
  const end = body.indexOf(RESULTS_END);
  if (end < 0) return { ok: false, why: 'the run the guest sent on ttyS1 was cut off' };
  try {
    return { ok: true, tar: gunzipSync(Buffer.from(body.slice(0, end).replace(/\s+/g, ''), 'base64')) };
  } catch (e) {
    return { ok: false, why: `the run the guest sent on ttyS1 does not decode: ${(e as Error).message}` };
  }
}

/** Unpacks the stream in `streamFile` into `dir`; null when it worked, else why not. */
export function unpackResults(streamFile: string, dir: string): string | null {
  const decoded = decodeResultsStream(readFileSync(streamFile, 'latin1'));
  if (!decoded.ok) return decoded.why;
  const r = spawnSync(findTar(), ['-x', '-C', dir, '--no-same-owner'], { input: decoded.tar, encoding: 'utf8' });
  return r.status === 0 ? null : `cannot unpack the guest's run: ${(r.stderr ?? '').trim().split('\n')[0] ?? `exit ${r.status}`}`;
}
