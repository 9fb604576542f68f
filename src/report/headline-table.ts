/**
 * The headline table, the first thing report.md and report.html show: one row per workload and
 * figure (each headline latency, the VMAs the guards occupy, the kernel memory they cost), one
 * column per strategy, at the point that stands for the workload. A guard marker's cell adds its
 * gain over prot-none, so the comparison is read across a row rather than from sentences.
 */
import type { Run } from '../results/schema.js';
import { headlineFigures, type HeadlineCell, type HeadlineWorkload } from '../analysis/headline.js';
import { strategyOrder } from '../analysis/shapes.js';
import { isMarkerStrategy } from '../analysis/specs.js';
import { describePoint, formatValue, pointLabel } from '../render/format.js';
import { gainWarn, type Cell, type ReportTable } from './cells.js';
import { memoryLabel } from './charts.js';
import { gainShort, ratioShort } from './words.js';

const NONE: Cell = { text: '–' };

function latencyCell(c: HeadlineCell | undefined): Cell {
  if (!c) return NONE;
  const variant = c.variant ? ` (${describePoint(c.variant, Object.keys(c.variant))})` : '';
  const figure = `${formatValue(c.row.value)}${variant}`;
  if (!c.gain) return { text: figure };
  return { text: `${figure} · ${gainShort(c.gain)}`, ...gainWarn(c.gain) };
}

/** The workload's name, and its point when it has several. */
function workloadLabel(h: HeadlineWorkload): string {
  if (h.shape.points.length < 2) return h.shape.name;
  const axes = h.shape.varying.filter((a) => !h.shape.variantAxes.includes(a));
  return axes.length ? `${h.shape.name} (${pointLabel(h.point.params, axes)})` : h.shape.name;
}

function workloadRows(h: HeadlineWorkload, strategies: string[]): Cell[][] {
  const rows: Cell[][] = [];
  for (const l of h.latencies) {
    rows.push([{ text: '' }, { text: `${l.metric.metric} (${l.metric.unit})` }, ...strategies.map((s) => latencyCell(l.cells.find((c) => c.strategy === s)))]);
  }
  const footprint = (s: string) => h.footprints.find((f) => f.strategy === s);
  if (h.vmas && h.footprints.some((f) => f.vma)) {
    rows.push([{ text: '' }, { text: `${h.vmas.label ?? h.vmas.metric} (${h.vmas.unit})` },
      ...strategies.map((s) => {
        const v = footprint(s)?.vma;
        return v ? { text: formatValue(v.row.value) } : NONE;
      })]);
  }
  const withBytes = h.footprints.filter((f) => f.bytes);
  if (withBytes.length > 0) {
    // Name the parts measured: a workload that counts page tables only says so, rather than calling them all its kernel memory.
    const parts = h.memory.filter((m) => withBytes.some((f) => f.bytes!.parts.some((p) => p.spec.metric === m.metric)));
    rows.push([{ text: '' }, { text: `kernel memory: ${parts.map(memoryLabel).join(' + ')} (${withBytes[0]!.bytes!.unit})` },
      ...strategies.map((s) => {
        const b = footprint(s)?.bytes;
        if (!b) return NONE;
        const ratio = isMarkerStrategy(s) ? ratioShort(b.value, b.base) : null;
        return { text: ratio ? `${formatValue(b.value)} · ${ratio}` : formatValue(b.value) };
      })]);
  }
  if (rows.length > 0) rows[0]![0] = { text: workloadLabel(h) };
  return rows;
}

/** The headline table of a run, or null when no workload has a headline. */
export function headlineTable(run: Run): ReportTable | null {
  const headlines = headlineFigures(run);
  if (headlines.length === 0) return null;
  const strategies = [...new Set(headlines.flatMap((h) => h.shape.strategies))].sort(strategyOrder);
  return {
    caption: 'Headline figures per workload: latency medians with each guard marker\'s gain over prot-none (≈: within the margin of error), '
      + 'the VMAs the guards occupy and the kernel memory they cost, against prot-none\'s',
    header: ['workload', 'figure', ...strategies],
    rows: headlines.flatMap((h) => workloadRows(h, strategies)),
    labelColumns: 2,
    bulky: false,
  };
}
