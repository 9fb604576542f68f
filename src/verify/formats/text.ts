/** verify for a terminal: what was checked, a pass/fail/skip table, and the counts per kind. */
import { outcomeOf, selectionLines, tally, type VerifyFormat } from './types.js';

const MARK = { pass: 'pass', fail: 'FAIL', skip: 'skip' } as const;

export const textFormat: VerifyFormat = {
  name: 'text',
  render({ verification: { results, kinds }, selection }) {
    const width = Math.max(...results.map((r) => r.check.length), 5);
    const rows = results.map((r) => `${MARK[outcomeOf(r)].padEnd(4)}  ${r.check.padEnd(width)}  ${r.detail}`);
    const perKind = kinds.map((k) => {
      const t = tally(results.filter((r) => r.memory === k));
      return `${k}: ${t.pass + t.fail + t.skip} checks, ${t.pass} passed, ${t.fail} failed, ${t.skip} skipped`;
    });
    const all = tally(results);
    return [...selectionLines(selection), '', `${'    '}  ${'check'.padEnd(width)}  detail`, ...rows, '', ...perKind,
      `${all.pass} passed, ${all.fail} failed, ${all.skip} skipped`].join('\n');
  },
};
