/**
 * What a comparison says, independent of its format (as src/report/model.ts is for a run): the two
 * runs, what could be judged and what the verdict rests on, the rows grouped by verdict, the
 * largest moves that could not be judged, and the constants the method note states. Every format
 * (src/compare/formats.ts) renders this and nothing else; none of it is worded yet.
 */
import { hasDirection, MAX_USABLE_DETECTABLE, VERDICTS, type Comparison, type RowComparison, type Verdict } from '../analysis/comparison.js';
import { HOST_SHIFT_GATE_PERCENT } from '../analysis/host-speed.js';
import { DETECTION_POWER, TEST_NAME } from '../stats/significance.js';
import type { Run } from '../results/schema.js';

export interface CompareSide {
  id: string;
  kernel: string;
  profile: string;
  testbed: string | null;
  startedAt: string;
}

/** How much of the comparison could be judged: the verdict line says it before anything else. */
export interface JudgedScope {
  /** latency rows measured on both sides */
  latencies: number;
  /** of those, judged for pass/fail: regressed, improved or unchanged, with a smallest detectable change within the usable limit */
  latenciesJudged: number;
  /** the largest smallest-detectable change among the judged latencies */
  worstDetectable: number | null;
  /** counts and bytes measured on both sides, with a direction */
  figures: number;
  figuresJudged: number;
  /** what the verdict rests on: latencies only count when at least half of them could be judged */
  restsOn: 'everything' | 'counts-and-bytes';
}

export interface VerdictGroup {
  verdict: Verdict;
  rows: RowComparison[];
  /** shown without a click (regressions, improvements) */
  open: boolean;
}

/** The numbers the verdict rules use, for the method note. */
export interface MethodConstants {
  test: string;
  alpha: number;
  threshold: number;
  maxRme: number;
  maxDetectable: number;
  power: number;
  hostShiftGatePercent: number;
  /** latency rows tested together as one family against the baseline's run-to-run spread */
  family: number;
}

export interface CompareModel {
  comparison: Comparison;
  base: CompareSide;
  current: CompareSide;
  scope: JudgedScope;
  groups: VerdictGroup[];
  /** moves of rows that could not be judged (noisy, inconclusive), largest first */
  unjudgedMoves: RowComparison[];
  /** how many such moves there are in all */
  unjudgedTotal: number;
  method: MethodConstants;
}

/** Moves that could not be judged, at most this many in their table. */
export const UNJUDGED_SHOWN = 10;

const OPEN: readonly Verdict[] = ['regressed', 'improved'];

function side(run: Run): CompareSide {
  return { id: run.id, kernel: run.env.kernel.release, profile: run.profile, testbed: run.env.testbed?.name ?? null, startedAt: run.startedAt };
}

const measuredBoth = (r: RowComparison) => r.base?.status === 'ok' && r.current?.status === 'ok' && r.base.value !== null && r.current.value !== null;
/** Verdicts that decide: a noisy row moved but could not be told from noise, so it was not judged either. */
const JUDGED: readonly Verdict[] = ['regressed', 'improved', 'unchanged'];

export function judgedScope(c: Comparison): JudgedScope {
  const latencies = c.rows.filter((r) => r.kind === 'latency' && measuredBoth(r));
  const judged = latencies.filter((r) => JUDGED.includes(r.verdict) && r.detectable !== null && r.detectable <= MAX_USABLE_DETECTABLE);
  const figures = c.rows.filter((r) => r.spec.noise !== 'timed' && hasDirection(r.spec) && measuredBoth(r));
  const figuresJudged = figures.filter((r) => JUDGED.includes(r.verdict));
  return {
    latencies: latencies.length,
    latenciesJudged: judged.length,
    worstDetectable: judged.length ? Math.max(...judged.map((r) => r.detectable!)) : null,
    figures: figures.length,
    figuresJudged: figuresJudged.length,
    restsOn: latencies.length > 0 && judged.length * 2 >= latencies.length ? 'everything' : 'counts-and-bytes',
  };
}

/** Noisy and inconclusive rows with a finite change, largest move first. */
function unjudged(c: Comparison): RowComparison[] {
  const moves = c.rows.filter((r) => (r.verdict === 'noisy' || r.verdict === 'inconclusive') && r.change !== null && Number.isFinite(r.change) && r.change !== 0);
  return moves.sort((a, b) => Math.abs(b.change!) - Math.abs(a.change!));
}

export function buildCompareModel(c: Comparison): CompareModel {
  const moves = unjudged(c);
  return {
    comparison: c,
    base: side(c.base),
    current: side(c.current),
    scope: judgedScope(c),
    groups: VERDICTS.map((verdict) => ({ verdict, rows: c.rows.filter((r) => r.verdict === verdict), open: OPEN.includes(verdict) })).filter((g) => g.rows.length > 0),
    unjudgedMoves: moves.slice(0, UNJUDGED_SHOWN),
    unjudgedTotal: moves.length,
    method: {
      test: TEST_NAME, alpha: c.options.alpha, threshold: c.options.threshold, maxRme: c.options.maxRme,
      maxDetectable: MAX_USABLE_DETECTABLE, power: DETECTION_POWER, hostShiftGatePercent: HOST_SHIFT_GATE_PERCENT,
      family: c.latencyFamily,
    },
  };
}
