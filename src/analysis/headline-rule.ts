/**
 * Which figures are headlines, by rule rather than by hand: a figure is one when it answers a
 * question its workload asks (the metric's spec names the question, the workload's spec poses it,
 * perhaps at a point of its own), and a latency is one wherever guard markers are LARGE_GAIN times
 * faster or slower than prot-none, whether or not a question foresaw it: a loss as large as a win
 * is news of the same weight. Pure functions of a run.
 */
import type { MetricSpec, Question, Run } from '../results/schema.js';
import { gainsOverProtNone } from './gains.js';
import { paramsKey } from './keys.js';
import { pointOf, type PointInfo, type WorkloadShape } from './shapes.js';
import { workloadSpecs } from './specs.js';

/** A marker strategy this many times faster or slower than prot-none makes the latency a headline. */
export const LARGE_GAIN_FACTOR = 2;

/** Why a figure is a headline. */
export type HeadlineReason =
  | { kind: 'question'; question: string }
  | { kind: 'large-gain'; factor: number };

export interface HeadlinePlacement {
  metric: MetricSpec;
  point: PointInfo;
  reason: HeadlineReason;
}

/** The questions a run's workload asks (none for runs made before workloads stated them). */
function questionsOf(run: Run, workload: string): readonly Question[] {
  return workloadSpecs(run).get(workload)?.questions ?? [];
}

/** The point a question is read at: the first whose params hold the question's `at`, else the workload's main point. */
function questionPoint(shape: WorkloadShape, question: Question, main: PointInfo): PointInfo {
  const at = Object.entries(question.at ?? {});
  if (at.length === 0) return main;
  const holds = (p: PointInfo) => at.every(([k, v]) => p.params[k] === v);
  if (holds(main)) return main;
  return shape.points.find(holds) ?? main;
}

/** The same point whatever a strategy's own variant (a batch size): the point a headline row stands for. */
function sameSpot(a: PointInfo, b: PointInfo, shape: WorkloadShape): boolean {
  return paramsKey(a.params, shape.variantAxes) === paramsKey(b.params, shape.variantAxes);
}

/**
 * How many times faster or slower than prot-none a marker strategy is at `point` for `metric`, at
 * its most extreme (1 where no marker was set against prot-none there).
 */
export function markerGainFactor(run: Run, shape: WorkloadShape, metric: string, point: PointInfo): number {
  let factor = 1;
  for (const g of gainsOverProtNone(run, metric)) {
    if (g.row.workload !== shape.name) continue;
    const at = pointOf(shape, g.row);
    if (!at || !sameSpot(at, point, shape) || !(g.speedup > 0)) continue;
    factor = Math.max(factor, g.speedup, 1 / g.speedup);
  }
  return factor;
}

/** Where the workload's questions put `metric`, with the question's words; the main point for a headline of a run without questions. */
function answeredAt(run: Run, shape: WorkloadShape, metric: MetricSpec, main: PointInfo): HeadlinePlacement[] {
  const questions = questionsOf(run, shape.name);
  const answered = questions.filter((q) => metric.answers?.includes(q.id));
  if (answered.length > 0) return answered.map((q) => ({ metric, point: questionPoint(shape, q, main), reason: { kind: 'question', question: q.text } }));
  return metric.headline ? [{ metric, point: main, reason: { kind: 'question', question: '' } }] : [];
}

/**
 * The headline figures of one workload: every metric that answers one of its questions, where the
 * question is asked, then every latency whose markers are LARGE_GAIN_FACTOR from prot-none at the
 * main point or at its most extreme other point. `main` is the point that stands for the workload.
 */
export function headlinePlacements(run: Run, shape: WorkloadShape, main: PointInfo): HeadlinePlacement[] {
  const placed: HeadlinePlacement[] = [];
  const has = (metric: string, point: PointInfo) => placed.some((p) => p.metric.metric === metric && sameSpot(p.point, point, shape));
  for (const metric of shape.metrics) {
    for (const p of answeredAt(run, shape, metric, main)) if (!has(metric.metric, p.point)) placed.push(p);
  }
  for (const metric of shape.metrics.filter((m) => m.kind === 'latency')) {
    const candidates = [main, ...shape.points.filter((p) => !sameSpot(p, main, shape))]
      .map((point) => ({ point, factor: markerGainFactor(run, shape, metric.metric, point) }))
      .filter((c) => c.factor >= LARGE_GAIN_FACTOR && !has(metric.metric, c.point));
    const atMain = candidates.find((c) => sameSpot(c.point, main, shape));
    const elsewhere = candidates.filter((c) => c !== atMain).sort((a, b) => b.factor - a.factor)[0];
    for (const c of [atMain, elsewhere]) if (c) placed.push({ metric, point: c.point, reason: { kind: 'large-gain', factor: c.factor } });
  }
  return placed;
}
