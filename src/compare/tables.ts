/**
 * The comparison's tables as cells, shared by Markdown (long reasons) and HTML (short reasons, the
 * long one on hover): the open verdicts, the largest moves that could not be judged, then the rest.
 */
import type { RowComparison, Verdict } from '../analysis/comparison.js';
import type { CompareModel } from './model.js';
import { reasonWithConfounders, type ReasonForm } from './reasons.js';
import { changeCell, confidenceCell, detectableCell, figureCell, pointNamer, VERDICT_HEADINGS } from './words.js';

export interface CompareTable {
  /** the verdict of its rows, or `unjudged` for the largest moves that could not be judged */
  kind: Verdict | 'unjudged';
  title: string;
  open: boolean;
  header: string[];
  rows: string[][];
  /** per row: its verdict (a CSS class) and its reason in the long form */
  verdicts: Verdict[];
  longReasons: string[];
}

export const TABLE_HEADER = ['workload', 'strategy', 'point', 'metric', 'base', 'current', 'change', 'confidence of a change', 'smallest detectable change', 'why'];
/** Which columns hold figures (right-aligned). */
export const NUMERIC_COLUMNS = [false, false, false, false, true, true, true, true, true, false];

function table(m: CompareModel, kind: CompareTable['kind'], title: string, open: boolean, rows: RowComparison[], form: ReasonForm): CompareTable {
  const point = pointNamer(m);
  return {
    kind, title, open, header: TABLE_HEADER,
    rows: rows.map((r) => [
      r.workload, r.strategy, point(r) || '-', r.metric,
      figureCell(r, 'base'), figureCell(r, 'current'), changeCell(r), confidenceCell(r), detectableCell(r), reasonWithConfounders(r, form),
    ]),
    verdicts: rows.map((r) => r.verdict),
    longReasons: rows.map((r) => reasonWithConfounders(r, 'long')),
  };
}

/** "Largest moves not judged (10 of 46)" */
export function unjudgedTitle(m: CompareModel): string {
  const shown = m.unjudgedMoves.length;
  return `Largest moves that could not be judged (${shown === m.unjudgedTotal ? shown : `${shown} of ${m.unjudgedTotal}`})`;
}

export function compareTables(m: CompareModel, form: ReasonForm): CompareTable[] {
  const groups = m.groups.map((g) => table(m, g.verdict, `${VERDICT_HEADINGS[g.verdict]} (${g.rows.length})`, g.open, g.rows, form));
  const unjudged = m.unjudgedMoves.length > 0 ? [table(m, 'unjudged', unjudgedTitle(m), true, m.unjudgedMoves, form)] : [];
  return [...groups.filter((t) => t.open), ...unjudged, ...groups.filter((t) => !t.open)];
}
