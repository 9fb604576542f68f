/**
 * The process personality flag that turns address-space randomisation off for this process and the
 * programs it starts (ADDR_NO_RANDOMIZE): with it, mmap placement and so page-table layout repeat
 * from run to run.
 */
import { SysError, lastErrno, raw } from './libc.js';

const ADDR_NO_RANDOMIZE = 0x0040000;
const QUERY_PERSONALITY = 0xffffffff;

/** Whether this process runs with ASLR off. */
export function aslrDisabled(): boolean {
  const persona = raw.personality(QUERY_PERSONALITY);
  return persona !== -1 && (persona & ADDR_NO_RANDOMIZE) !== 0;
}

/** Turn ASLR off for the programs this process execs from now on. */
export function disableAslrForChildren(): void {
  const persona = raw.personality(QUERY_PERSONALITY);
  if (raw.personality((persona | ADDR_NO_RANDOMIZE) >>> 0) === -1) throw new SysError('personality', [ADDR_NO_RANDOMIZE], lastErrno());
}
