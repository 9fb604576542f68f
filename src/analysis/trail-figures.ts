/**
 * The figures of a kernel trail that do not depend on the CPU: feature answers, verify outcomes per
 * check and memory kind, and every count and byte row (VMAs, slab and page-table bytes), one row
 * per strategy and point, one cell per kernel. A change point is the first kernel whose value
 * differs from the kernel before it (the last one that has the figure) beyond the figure's own
 * noise: exactly for exact counts, by more than the rows' recorded resolution for counters, and
 * never for a counter that records no resolution or has no better direction (listed, not judged).
 */
import type { MetricSpec, Row, VerifyResult } from '../results/schema.js';
import { checkFeatures, type FeatureVerdict } from './feature-check.js';
import { rowKey, shortParams, varyingParamsByWorkload } from './keys.js';
import { specOf, workloadSpecs } from './specs.js';
import { strategyOrder } from './shapes.js';
import type { TrailColumn } from './trail-columns.js';

export type TrailSection = 'features' | 'verify' | 'vmas' | 'memory' | 'counts';

export type CellState = 'ok' | 'skipped' | 'failed' | 'absent';

export interface TrailCell {
  state: CellState;
  /** the figure (ok numeric rows) */
  value: number | null;
  /** what a table shows */
  text: string;
  /** why a figure is skipped or failed; a feature's mismatch */
  note?: string;
  /** smallest change the figure's counter can tell from its noise (counter rows) */
  resolution?: number;
  /** for features: the probe's answer against the feature history */
  verdict?: FeatureVerdict;
}

export interface ChangePoint {
  /** index of the column where the new value first appears */
  column: number;
  /** the column it is set against (the last one before it that has the figure) */
  previous: number;
  from: string;
  to: string;
  /** a figure that became measured, skipped or failed, or a value that moved */
  kind: 'status' | 'value';
  /** for status changes: the states on either side */
  states?: { from: CellState; to: CellState };
  /** new minus old, for value changes */
  delta?: number;
}

export interface TrailFigure {
  section: TrailSection;
  key: string;
  /** "allocator-arenas · vma_slab_bytes (bytes/region)", "verify · anon", "features" */
  group: string;
  /** "prot-none · memory=shmem", a check's name, a feature's name */
  label: string;
  strategy?: string;
  unit: string;
  cells: TrailCell[];
  changes: ChangePoint[];
  /**
   * moves of a counter (not an exact count) beyond its resolution that the next kernel undid: a
   * value that leaves and comes straight back is the counter's noise on one run (the process's own
   * page tables growing while it sampled), not a kernel's change, and is listed apart
   */
  transients: ChangePoint[];
  /** false for a counter without a recorded resolution: shown, never given change points */
  judged: boolean;
}

const ABSENT: TrailCell = { state: 'absent', value: null, text: 'not run' };

/** Numbers as tables show them: integers as they are, fractions to 4 significant digits. */
export function figureText(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Number(v.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 4 });
}

function rowCell(row: Row): TrailCell {
  if (row.status !== 'ok' || row.value === null) {
    return { state: row.status === 'failed' ? 'failed' : 'skipped', value: null, text: row.status === 'failed' ? 'FAILED' : 'skipped', ...(row.reason ? { note: row.reason } : {}) };
  }
  return { state: 'ok', value: row.value, text: figureText(row.value), ...(row.resolution !== undefined ? { resolution: row.resolution } : {}) };
}

/** Whether two ok values differ beyond what the figure's noise allows. */
function valuesDiffer(a: TrailCell, b: TrailCell, exact: boolean): boolean {
  if (a.value === null || b.value === null) return false;
  const diff = Math.abs(b.value - a.value);
  if (exact) return diff > 1e-9 * Math.max(1, Math.abs(a.value), Math.abs(b.value));
  const resolution = Math.max(a.resolution ?? 0, b.resolution ?? 0);
  // The counters here are what guards add (slab, page tables): a reading below zero beyond the
  // resolution is something else freeing in the window, as compare also rules, never a kernel's change.
  if (Math.min(a.value, b.value) < -resolution) return false;
  return diff > resolution;
}

/** The change points along one figure's cells. */
export function changePoints(cells: readonly TrailCell[], exact: boolean, judged: boolean): ChangePoint[] {
  const out: ChangePoint[] = [];
  let previous = -1;
  cells.forEach((cell, i) => {
    if (cell.state === 'absent') return;
    const at = previous;
    previous = i;
    if (at < 0) return;
    const before = cells[at]!;
    // A figure of words (a verify outcome) changes with its text; a skipped one with its state or reason.
    const words = cell.value === null || before.value === null;
    if (before.state !== cell.state || (words && before.text !== cell.text)) {
      out.push({ column: i, previous: at, from: before.text, to: cell.text, kind: 'status', states: { from: before.state, to: cell.state } });
    } else if (judged && cell.state === 'ok' && valuesDiffer(before, cell, exact)) {
      out.push({ column: i, previous: at, from: before.text, to: cell.text, kind: 'value', delta: cell.value! - before.value! });
    }
  });
  return out;
}

/**
 * Split a counter's value changes into lasting ones and transients: a change at kernel i is
 * transient when the next kernel that has the figure is back within resolution of the value
 * before i and away from the value at i. The last kernel's change cannot be checked and stays.
 */
export function splitTransients(cells: readonly TrailCell[], changes: readonly ChangePoint[]): { changes: ChangePoint[]; transients: ChangePoint[] } {
  const lasting: ChangePoint[] = [];
  const transients: ChangePoint[] = [];
  for (const c of changes) {
    const next = cells.findIndex((cell, i) => i > c.column && cell.state !== 'absent');
    const back = c.kind === 'value' && next >= 0 && cells[next]!.state === 'ok'
      && !valuesDiffer(cells[c.previous]!, cells[next]!, false) && valuesDiffer(cells[c.column]!, cells[next]!, false);
    (back ? transients : lasting).push(c);
  }
  // The kernel after a transient moved back: that is the same excursion, not a change of its own.
  const undo = new Set(transients.map((t) => cells.findIndex((cell, i) => i > t.column && cell.state !== 'absent')));
  return { changes: lasting.filter((c) => !(c.kind === 'value' && undo.has(c.column))), transients };
}

/** A figure's section: the VMAs guards occupy, the kernel memory they cost, or another count. */
function sectionOf(spec: MetricSpec): TrailSection {
  if (spec.footprint === 'vmas' || /vma/.test(spec.metric)) return 'vmas';
  if (spec.footprint === 'memory' || spec.kind === 'bytes') return 'memory';
  return 'counts';
}

/** Counts and bytes only: latencies and throughputs belong to the CPU they ran on. */
function cpuIndependent(spec: MetricSpec): boolean {
  return spec.kind === 'count' || spec.kind === 'bytes';
}

function rowFigures(columns: readonly TrailColumn[]): TrailFigure[] {
  // Labels name the point in full: a row at an axis's default value (anonymous memory) leaves the
  // axis out of its params, and runs made before the axis record no default at all.
  const defaults = new Map(columns.flatMap((c) => [...workloadSpecs(c.run).values()].filter((w) => w.axisDefaults).map((w) => [w.name, w.axisDefaults!] as const)));
  const full = (row: Row): Row => ({ ...row, params: { ...defaults.get(row.workload), ...row.params } });
  const varying = varyingParamsByWorkload(columns.flatMap((c) => c.run.rows.map(full)));
  const figures = new Map<string, { spec: MetricSpec; row: Row; cells: TrailCell[] }>();
  columns.forEach((column, i) => {
    for (const row of column.run.rows) {
      const spec = specOf(column.run, row);
      if (!cpuIndependent(spec)) continue;
      const key = rowKey(row);
      let figure = figures.get(key);
      if (!figure) figures.set(key, (figure = { spec, row: full(row), cells: columns.map(() => ABSENT) }));
      figure.cells[i] = rowCell(row);
    }
  });
  const out = [...figures.entries()].map(([key, { spec, row, cells }]): TrailFigure => {
    // Exact figures are judged exactly; a counter by its resolution, unless which way is better is
    // unknown (bytes a detection method read from /proc: Node's own VMAs move them, as compare says).
    const judged = spec.noise === 'exact' || (spec.better !== 'none' && cells.some((c) => c.resolution !== undefined));
    const point = shortParams(row.params, varying.get(row.workload) ?? []);
    const all = changePoints(cells, spec.noise === 'exact', judged);
    const { changes, transients } = spec.noise === 'exact' ? { changes: all, transients: [] } : splitTransients(cells, all);
    return {
      section: sectionOf(spec), key, group: `${row.workload} · ${row.metric} (${row.unit})`,
      label: point ? `${row.strategy} · ${point}` : row.strategy, strategy: row.strategy, unit: row.unit,
      cells, changes, transients, judged,
    };
  });
  return out.sort((a, b) => a.group.localeCompare(b.group) || strategyOrder(a.strategy ?? '', b.strategy ?? '') || a.label.localeCompare(b.label));
}

function featureFigures(columns: readonly TrailColumn[]): TrailFigure[] {
  const answers = columns.map((c) => checkFeatures(c.run));
  return (answers[0] ?? []).map((first, f) => {
    const cells = answers.map((perColumn): TrailCell => {
      const a = perColumn[f]!;
      if (a.found === null) return { ...ABSENT, text: 'not probed' };
      // A feature the guest could not try (no writable disk for file memory) is unknown, not absent.
      if (!a.found && a.reason?.startsWith('not tested')) return { state: 'skipped', value: null, text: 'not tested', note: a.reason };
      const flag = a.verdict === 'earlier' || a.verdict === 'missing';
      return { state: 'ok', value: a.found ? 1 : 0, text: `${a.found ? 'yes' : 'no'}${flag ? ' ⚠' : ''}`, verdict: a.verdict, ...(a.reason ? { note: a.reason } : {}) };
    });
    const name = first.feature.feature;
    return { section: 'features', key: `feature|${name}`, group: 'features', label: name, unit: '', cells, changes: changePoints(cells, true, true), transients: [], judged: true };
  });
}

function verifyText(v: VerifyResult): string {
  return v.skipped ? 'skip' : v.ok ? 'pass' : 'FAIL';
}

function verifyFigures(columns: readonly TrailColumn[]): TrailFigure[] {
  const figures = new Map<string, TrailFigure>();
  columns.forEach((column, i) => {
    for (const v of column.run.verify) {
      const memory = v.memory ?? 'anon';
      const key = `verify|${memory}|${v.check}`;
      let figure = figures.get(key);
      if (!figure) {
        figure = { section: 'verify', key, group: `verify · ${memory}`, label: v.check, strategy: v.strategy, unit: '', cells: columns.map(() => ABSENT), changes: [], transients: [], judged: true };
        figures.set(key, figure);
      }
      // Outcomes are texts: the state says whether the check ran (skips are part of the value).
      figure.cells[i] = { state: 'ok', value: null, text: verifyText(v), ...(v.ok && !v.skipped ? {} : { note: v.detail }) };
    }
  });
  const out = [...figures.values()];
  for (const f of out) f.changes = changePoints(f.cells, true, true);
  return out.sort((a, b) => a.group.localeCompare(b.group) || a.label.localeCompare(b.label));
}

/** Every CPU-independent figure of the trail, features first. */
export function trailFigures(columns: readonly TrailColumn[]): TrailFigure[] {
  return [...featureFigures(columns), ...verifyFigures(columns), ...rowFigures(columns)];
}
