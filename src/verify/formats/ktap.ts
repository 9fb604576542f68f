/**
 * verify in KTAP version 1 (Documentation/dev-tools/ktap.rst), the format kernel CI reads from
 * kselftests: a version line, a plan, one subtest per memory kind holding one result line per
 * check (`ok N strategy check`, `not ok N ...`, `ok N ... # SKIP reason`), failure details as `#`
 * diagnostic lines just before their result, and a result line per kind that fails when any of
 * its checks failed and is skipped when all were.
 *
 * Subtests are indented by four spaces and open with a "# Subtest: <kind>" line, as KUnit prints
 * them: ktap.rst asks for two spaces, but TAP 14 parsers (tap-parser among them) read a subtest
 * only at four, and KTAP parsers accept any indentation.
 */
import type { CheckResult } from '../index.js';
import { outcomeOf, selectionLines, tally, type VerifyFormat } from './types.js';

const INDENT = '    ';

/** A description or diagnostic may not hold '#' (it starts a directive) or a line break. */
function clean(text: string): string {
  return text.replace(/#/g, 'no. ').replace(/\s+/g, ' ').trim();
}

function resultLine(n: number, r: CheckResult): string[] {
  const name = clean(`${r.strategy} ${r.check.split(': ').slice(1).join(': ')}`);
  const outcome = outcomeOf(r);
  if (outcome === 'skip') return [`ok ${n} ${name} # SKIP ${clean(r.detail.replace(/^skipped: /, ''))}`];
  if (outcome === 'fail') return [`# ${clean(r.detail)}`, `not ok ${n} ${name}`];
  return [`ok ${n} ${name}`];
}

export const ktapFormat: VerifyFormat = {
  name: 'ktap',
  render({ verification: { results, kinds }, selection }) {
    const lines = ['KTAP version 1', ...selectionLines(selection).map((l) => `# ${clean(l)}`), `1..${kinds.length}`];
    kinds.forEach((kind, i) => {
      const mine = results.filter((r) => r.memory === kind);
      const sub = ['KTAP version 1', `# Subtest: ${kind}`, `1..${mine.length}`, ...mine.flatMap((r, j) => resultLine(j + 1, r))];
      lines.push(...sub.map((l) => INDENT + l));
      const t = tally(mine);
      if (t.fail > 0) lines.push(`# ${kind}: ${t.fail} of ${mine.length} checks failed`, `not ok ${i + 1} ${kind}`);
      else if (t.pass === 0) lines.push(`ok ${i + 1} ${kind} # SKIP all ${mine.length} checks skipped`);
      else lines.push(`ok ${i + 1} ${kind}`);
    });
    const all = tally(results);
    lines.push(`# Totals: pass:${all.pass} fail:${all.fail} xfail:0 xpass:0 skip:${all.skip} error:0`);
    return lines.join('\n');
  },
};
