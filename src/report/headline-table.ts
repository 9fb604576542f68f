/**
 * The headline table, the first thing report.md, report.html and the console show: one row per
 * workload and headline figure (what the workload's questions ask, every latency where markers
 * win or lose by 2x, the VMAs the guards occupy, the kernel memory they cost), one column per
 * strategy. prot-none and the markers come first, so a narrow screen shows the comparison, and
 * no-guard, the floor, comes last. A marker's cell adds its gain or loss against prot-none, the one
 * as plainly as the other.
 */
import type { Run } from '../results/schema.js';
import { headlineFigures, type HeadlineCell, type HeadlineFigure, type HeadlineWorkload } from '../analysis/headline.js';
import type { HeadlineReason } from '../analysis/headline-rule.js';
import { cell, strategyOrder, type PointInfo } from '../analysis/shapes.js';
import { isMarkerStrategy } from '../analysis/specs.js';
import { describePoint, formatRatio, pointLabel } from '../render/format.js';
import { gainWarn, type Cell, type ReportTable } from './cells.js';
import { memoryLabel } from './charts.js';
import { metricLabel, shownRow, shownValue } from './figures.js';
import { gainShort, ratioShort } from './words.js';
import { withinNoise } from '../analysis/gains.js';

const NONE: Cell = { text: '–' };

/** prot-none, the markers, other strategies, and the unguarded floor last. */
export function headlineOrder(a: string, b: string): number {
  const last = (s: string) => (s === 'no-guard' ? 1 : 0);
  return last(a) - last(b) || strategyOrder(a, b);
}

function figureCell(f: HeadlineFigure, c: HeadlineCell | undefined): Cell {
  if (!c) return NONE;
  const variant = c.variant ? ` (${describePoint(c.variant, Object.keys(c.variant))})` : '';
  const shown = shownRow(c.row, f.metric);
  const base: Cell = { text: `${shown.text}${variant}`, ...(shown.note ? { note: shown.note } : {}) };
  if (!c.gain) return base;
  const tone = withinNoise(c.gain) ? {} : { tone: c.gain.speedup >= 1 ? 'win' as const : 'loss' as const };
  return { ...base, text: `${base.text} · ${gainShort(c.gain)}`, ...gainWarn(c.gain), ...tone };
}

/**
 * The point a workload's label names: its main point, unless none of its rows is read there (a
 * workload whose only headline is a large loss elsewhere), then its first figure's.
 */
function labelPoint(h: HeadlineWorkload): PointInfo {
  const atMain = h.footprints.length > 0 || h.figures.some((f) => f.point === h.point);
  return atMain ? h.point : h.figures[0]?.point ?? h.point;
}

/** The workload's name, and its point when it has several. */
function workloadLabel(h: HeadlineWorkload): string {
  if (h.shape.points.length < 2) return h.shape.name;
  const axes = h.shape.varying.filter((a) => !h.shape.variantAxes.includes(a));
  return axes.length ? `${h.shape.name} (${pointLabel(labelPoint(h).params, axes)})` : h.shape.name;
}

/** Why a figure is a headline, for a closer look at its label. */
function reasonNote(reason: HeadlineReason): string | undefined {
  if (reason.kind === 'large-gain') return `markers ${formatRatio(reason.factor)} faster or slower than prot-none: every such gain or loss is a headline`;
  return reason.question || undefined;
}

/** "teardown (per stack)", and the point when a question reads it elsewhere ("cycle (per op) at pageTables=own"). */
function figureLabel(h: HeadlineWorkload, f: HeadlineFigure): Cell {
  const named = labelPoint(h);
  const axes = h.shape.varying.filter((a) => !h.shape.variantAxes.includes(a) && f.point.params[a] !== named.params[a]);
  const at = axes.length ? ` at ${describePoint(f.point.params, axes)}` : '';
  const note = reasonNote(f.reason);
  return { text: `${metricLabel(f.metric)}${at}`, ...(note ? { note } : {}) };
}

function vmaRow(h: HeadlineWorkload, strategies: string[]): Cell[] | null {
  if (!h.vmas || !h.footprints.some((f) => f.vma)) return null;
  const spec = h.vmas;
  return [{ text: '' }, { text: `${spec.label ?? spec.metric} (${spec.unit})` }, ...strategies.map((s): Cell => {
    const v = h.footprints.find((f) => f.strategy === s)?.vma;
    if (!v) return NONE;
    const shown = shownRow(v.row, spec);
    return shown.note ? { text: shown.text, note: shown.note } : { text: shown.text };
  })];
}

/** Kernel memory per strategy: the parts' sum, shown as 0 when the sum is within the counters' summed resolution. */
function memoryRow(h: HeadlineWorkload, strategies: string[]): Cell[] | null {
  const withBytes = h.footprints.filter((f) => f.bytes);
  if (withBytes.length === 0) return null;
  // The parts measured, on a closer look: a workload that counts page tables only says so.
  const parts = h.memory.filter((m) => withBytes.some((f) => f.bytes!.parts.some((p) => p.spec.metric === m.metric)));
  const unit = withBytes[0]!.bytes!.unit;
  const label: Cell = { text: `kernel memory (${unit})`, note: `${parts.map(memoryLabel).join(' + ')} the guards add` };
  return [{ text: '' }, label, ...strategies.map((s): Cell => {
    const b = h.footprints.find((f) => f.strategy === s)?.bytes;
    if (!b) return NONE;
    const resolution = b.parts.reduce((sum, p) => sum + (cell(h.shape, h.point, s, p.spec.metric)?.resolution ?? 0), 0);
    const shown = shownValue(b.value, { unit, kind: 'bytes' }, resolution || undefined);
    const ratio = isMarkerStrategy(s) && shown.text !== '0' ? ratioShort(b.value, b.base) : null;
    return { text: ratio ? `${shown.text} · ${ratio}` : shown.text, ...(shown.note ? { note: shown.note } : {}) };
  })];
}

function workloadRows(h: HeadlineWorkload, strategies: string[]): Cell[][] {
  const rows: Cell[][] = h.figures.map((f) => [{ text: '' }, figureLabel(h, f), ...strategies.map((s) => figureCell(f, f.cells.find((c) => c.strategy === s)))]);
  for (const r of [vmaRow(h, strategies), memoryRow(h, strategies)]) if (r) rows.push(r);
  if (rows.length > 0) rows[0]![0] = { text: workloadLabel(h) };
  return rows;
}

/** The headline table of a run, or null when no workload has a headline. */
export function headlineTable(run: Run): ReportTable | null {
  const headlines = headlineFigures(run);
  if (headlines.length === 0) return null;
  const strategies = [...new Set(headlines.flatMap((h) => h.shape.strategies))].sort(headlineOrder);
  return {
    caption: 'Medians; each guard marker\'s gain or loss against prot-none (≈: within the margin of error); the VMAs and kernel memory the guards cost',
    header: ['workload', 'figure', ...strategies],
    rows: headlines.flatMap((h) => workloadRows(h, strategies)),
    labelColumns: 2,
    bulky: false,
  };
}
