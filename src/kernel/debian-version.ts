/**
 * Debian's version order (Debian Policy 5.6.12): [epoch:]upstream[-revision], each part compared as
 * alternating runs of non-digits (letters before everything else, `~` before even the end) and
 * numbers. Needed to pick the newest kernel of a series: 7.3.4-1~bpo13+1 is newer than 7.3~rc7-1~exp1.
 */

/** A character's rank in the non-digit runs: ~ lowest, then the end, then letters, then the rest. */
function rank(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // the non-digit run, character by character
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const ca = i < a.length && !/\d/.test(a[i]!) ? a[i] : undefined;
      const cb = j < b.length && !/\d/.test(b[j]!) ? b[j] : undefined;
      const d = rank(ca) - rank(cb);
      if (d !== 0) return d;
      if (ca !== undefined) i++;
      if (cb !== undefined) j++;
    }
    // the digit run, as a number (an absent one is 0)
    const da = /^\d*/.exec(a.slice(i))![0];
    const db = /^\d*/.exec(b.slice(j))![0];
    i += da.length;
    j += db.length;
    const d = Number(da || '0') - Number(db || '0');
    if (d !== 0) return d;
  }
  return 0;
}

function split(version: string): { epoch: number; upstream: string; revision: string } {
  const colon = version.indexOf(':');
  const epoch = colon > 0 ? Number(version.slice(0, colon)) : 0;
  const rest = colon > 0 ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf('-');
  return dash < 0 ? { epoch, upstream: rest, revision: '' } : { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareDebianVersions(a: string, b: string): number {
  const va = split(a);
  const vb = split(b);
  return va.epoch - vb.epoch || comparePart(va.upstream, vb.upstream) || comparePart(va.revision, vb.revision);
}
