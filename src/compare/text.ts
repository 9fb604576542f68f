/**
 * A comparison as plain ASCII text of at most 80 columns, for a terminal and for a mailing list
 * (mmtests' compare-kernels habit): the verdict line first, then the regressions and improvements
 * with their reasons, then the largest moves that could not be judged and why, then everything
 * else in compact tables: one row per figure, a column per run, the change in % of the figures
 * shown and a mark where the change was judged. Long names wrap; figures are never cut.
 */
import type { RowComparison } from '../analysis/comparison.js';
import { formatValue, signedPercent } from '../render/format.js';
import { relativeChange } from '../stats/significance.js';
import { proseLines, textTable, toAscii, type TextRow } from '../render/text-table.js';
import type { CompareFormat } from './format.js';
import type { CompareModel } from './model.js';
import { reasonText, reasonWithConfounders, type ReasonForm } from './reasons.js';
import { unjudgedTitle } from './tables.js';
import { changeCell, countsText, methodNote, pointNamer, VERDICT_TITLES, verdictLine, warningsText } from './words.js';

export const TEXT_WIDTH = 80;
const INDENT = '  ';
/** Lines inside an indented table. */
const INNER = TEXT_WIDTH - INDENT.length;

/** Lines of prose wrapped to the width, each after `prefix` (the first after `first`). */
function prose(text: string, first = '', prefix = first, width = TEXT_WIDTH): string[] {
  return proseLines(text, width, first, prefix);
}

/** The mark beside a change: `*` where it was judged significant (regressed or improved). */
function mark(r: RowComparison): string {
  return r.verdict === 'regressed' || r.verdict === 'improved' ? '*' : '';
}

/**
 * The change of the two figures on the line (medians, for latencies), as a reader checks it; a
 * latency judged on another statistic says that statistic's change in its reason.
 */
function shownChange(r: RowComparison, withReason: boolean): string {
  if (r.spec.noise !== 'timed' || r.base?.value == null || r.current?.value == null || r.base.value === 0) return changeCell(r, 'short');
  const median = signedPercent(relativeChange(r.base.value, r.current.value));
  // Where no reason follows the row (the unchanged table), a median that moved with the host while
  // the judged statistic did not would read as "unchanged +58%": the judged change goes beside it.
  const judged = r.change !== null && Number.isFinite(r.change) ? signedPercent(r.change) : null;
  return !withReason && judged !== null && judged !== median ? `${median} (judged ${judged})` : median;
}

function figure(r: RowComparison, which: 'base' | 'current'): string {
  const row = r[which];
  if (!row) return '-';
  return row.status !== 'ok' ? row.status : formatValue(row.value);
}

/** Rows of one workload and metric together, in the order their first row came. */
function byFigure(rows: RowComparison[]): RowComparison[] {
  const groups = new Map<string, RowComparison[]>();
  for (const r of rows) groups.set(`${r.workload}\0${r.metric}`, [...(groups.get(`${r.workload}\0${r.metric}`) ?? []), r]);
  return [...groups.values()].flat();
}

/**
 * One line per row under "workload metric (unit)" headings (`grouped`), or with the heading in
 * the row's own label (rows in another order: the largest moves), and the reason under each row
 * in the form `reasons` says.
 */
function figureTable(m: CompareModel, rows: RowComparison[], reasons: ReasonForm | null, grouped = true): string {
  const point = pointNamer(m);
  const body: TextRow[] = [];
  let heading = '';
  for (const r of grouped ? byFigure(rows) : rows) {
    const h = `${r.workload} ${r.metric} (${r.unit})`;
    if (grouped && h !== heading) body.push(...prose((heading = h), '', '', INNER).map((line) => ({ line })));
    const label = [grouped ? ' ' : h, r.strategy, point(r)].filter(Boolean).join(' ');
    const cells = [label, figure(r, 'base'), figure(r, 'current'), shownChange(r, reasons !== null), mark(r)];
    body.push(cells.map(toAscii));
    if (reasons) body.push(...prose(reasonWithConfounders(r, reasons), '      ', '      ', INNER).map((line) => ({ line })));
  }
  return textTable(['', 'base', 'current', 'change', ''], body, {
    align: ['left', 'right', 'right', 'right', 'left'], wrap: [true], maxWidth: TEXT_WIDTH, indent: INDENT,
  });
}

function section(title: string, lines: string[]): string[] {
  return lines.length ? ['', title, ...lines] : [];
}

/** Rows that were not compared or not comparable, one line per reason with how many rows it holds. */
function reasonCounts(rows: RowComparison[]): string[] {
  const byReason = new Map<string, number>();
  for (const r of rows) byReason.set(reasonText(r, 'long'), (byReason.get(reasonText(r, 'long')) ?? 0) + 1);
  return [...byReason].flatMap(([why, n]) => prose(`${n} ${n === 1 ? 'row' : 'rows'}: ${why}`, `${INDENT}- `, `${INDENT}  `));
}

export function renderCompareText(m: CompareModel): string {
  const groups = new Map(m.groups.map((g) => [g.verdict, g.rows]));
  const rowsOf = (v: Parameters<typeof groups.get>[0]) => groups.get(v) ?? [];
  const testbed = (t: string | null) => `testbed ${t ?? 'not recorded'}`;
  const out: string[] = [
    ...prose(`guardbench compare: ${m.base.kernel} -> ${m.current.kernel}`),
    ...prose(verdictLine(m)),
    ...prose(countsText(m).join(', ')),
    '',
    ...prose(`${m.base.id} (${m.base.profile}, ${testbed(m.base.testbed)})`, `${INDENT}base:    `, `${INDENT}         `),
    ...prose(`${m.current.id} (${m.current.profile}, ${testbed(m.current.testbed)})`, `${INDENT}current: `, `${INDENT}         `),
    ...section('Warnings', warningsText(m).flatMap((w) => prose(w, `${INDENT}- `, `${INDENT}  `))),
  ];
  for (const v of ['regressed', 'improved'] as const) {
    if (rowsOf(v).length) out.push('', `${VERDICT_TITLES[v]} (${rowsOf(v).length})`, figureTable(m, rowsOf(v), 'long'));
  }
  if (m.unjudgedMoves.length) out.push('', unjudgedTitle(m), figureTable(m, m.unjudgedMoves, 'short', false));
  out.push(...section(`${VERDICT_TITLES.incomparable} (${rowsOf('incomparable').length})`, reasonCounts(rowsOf('incomparable'))));
  out.push(...section(`${VERDICT_TITLES['not-compared']} (${rowsOf('not-compared').length})`, reasonCounts(rowsOf('not-compared'))));
  for (const v of ['unchanged', 'changed'] as const) {
    if (rowsOf(v).length) out.push('', `${VERDICT_TITLES[v]} (${rowsOf(v).length})`, figureTable(m, rowsOf(v), null));
  }
  out.push('', ...prose('* a change judged beyond the noise (regressed or improved). The rest of the noisy and inconclusive rows are in compare.md and compare.json.'));
  out.push('', ...prose(methodNote(m).join(' ')));
  return `${out.join('\n')}\n`;
}

export const textFormat: CompareFormat = {
  name: 'text',
  file: 'compare.txt',
  render: renderCompareText,
};
