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

const LONG_HEADER = ['workload', 'strategy', 'point', 'metric', 'base', 'current', 'change', 'confidence of a change', 'smallest detectable change', 'why'];
/**
 * The short form fits a 1280 px page: the unit beside the metric rather than in every figure, no
 * confidence column (the reason says p where it decided), a reason of a few words.
 */
const SHORT_HEADER = ['workload', 'strategy', 'point', 'metric', 'base', 'current', 'change', 'detectable', 'why'];

/** Which columns of a table of `form` hold figures (right-aligned). */
export function numericColumns(form: ReasonForm): boolean[] {
  return (form === 'long' ? LONG_HEADER : SHORT_HEADER).map((h) => ['base', 'current', 'change', 'detectable', 'confidence of a change', 'smallest detectable change'].includes(h));
}

function cells(r: RowComparison, point: string, form: ReasonForm): string[] {
  if (form === 'short') {
    return [r.workload, r.strategy, point || '-', `${r.metric} (${r.unit})`, figureCell(r, 'base', false), figureCell(r, 'current', false),
      changeCell(r), detectableCell(r), reasonWithConfounders(r, 'short')];
  }
  return [r.workload, r.strategy, point || '-', r.metric, figureCell(r, 'base'), figureCell(r, 'current'), changeCell(r), confidenceCell(r),
    detectableCell(r), reasonWithConfounders(r, 'long')];
}

function table(m: CompareModel, kind: CompareTable['kind'], title: string, open: boolean, rows: RowComparison[], form: ReasonForm): CompareTable {
  const point = pointNamer(m);
  return {
    kind, title, open, header: form === 'long' ? LONG_HEADER : SHORT_HEADER,
    rows: rows.map((r) => cells(r, point(r), form)),
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
