/**
 * A kernel trail: the runs of one profile over many kernels, read as one story. Figures that do
 * not depend on the CPU (features, verify outcomes, VMAs, slab and page-table bytes) are set side
 * by side across every kernel, each change named at the release where it appears; the slab bytes
 * a guard costs are taken apart by cache; latencies appear only among kernels of one testbed that
 * is not an emulated CPU, never across testbeds (the rule compare and history follow).
 */
import type { Row, Run } from '../results/schema.js';
import { checkFeatures, describeMismatch } from './feature-check.js';
import { rowKey, shortParams, varyingParamsByWorkload } from './keys.js';
import { cacheChanges, slabShares, type CacheChange, type CacheShare } from './slab-explained.js';
import { specOf } from './specs.js';
import { latencyComparability } from './testbed.js';
import { trailColumns, type TrailColumn, type TrailRunInput } from './trail-columns.js';
import { figureText, trailFigures, type ChangePoint, type TrailFigure } from './trail-figures.js';

export type { TrailColumn, TrailRunInput } from './trail-columns.js';
export type { TrailFigure } from './trail-figures.js';

export interface TrailChange {
  /** the column (kernel) where it appears */
  column: number;
  text: string;
}

export interface SlabTrail {
  /** the figure taken apart: "allocator-arenas prot-none, anon" */
  figure: string;
  unit: string;
  /** per column, the figure and its shares by cache (null where the run did not record them) */
  perColumn: { total: number | null; shares: CacheShare[] | null }[];
  /** per column after the first, what moved in the caches since the kernel before */
  changes: { column: number; previous: number; caches: CacheChange[] }[];
}

export interface LatencyGroup {
  testbed: string;
  /** indices of the trail's columns in this group */
  columns: number[];
  rows: { key: string; group: string; label: string; unit: string; medians: (number | null)[] }[];
}

export interface Trail {
  columns: TrailColumn[];
  leftOut: { path: string; why: string }[];
  figures: TrailFigure[];
  /** "what changed along the trail", in kernel order */
  changes: TrailChange[];
  /** counter moves the next kernel undid (noise of one run), in kernel order */
  transients: TrailChange[];
  /** features the probe answered against the feature history: every mismatch, on every kernel */
  featureMismatches: TrailChange[];
  slab: SlabTrail | null;
  latency: LatencyGroup[];
  /** why the latencies of other columns are not shown */
  latencyNotes: string[];
}

/** The figure the slab explanation follows: a PROT_NONE arena on anonymous memory, the fidelity anchor. */
function isSlabAnchor(row: Row): boolean {
  return row.workload === 'allocator-arenas' && row.strategy === 'prot-none' && row.metric === 'vma_slab_bytes'
    && (row.params.memory ?? 'anon') === 'anon';
}

function slabTrail(columns: readonly TrailColumn[]): SlabTrail | null {
  const rows = columns.map((c) => c.run.rows.find(isSlabAnchor));
  if (rows.every((r) => r === undefined)) return null;
  const perColumn = columns.map((c, i) => {
    const row = rows[i];
    return { total: row?.status === 'ok' ? row.value : null, shares: row ? slabShares(c.run, row) : null };
  });
  const changes: SlabTrail['changes'] = [];
  for (let i = 1; i < columns.length; i++) {
    const caches = cacheChanges(columns[i - 1]!.run, columns[i]!.run, rows[i - 1], rows[i]);
    if (caches.length > 0) changes.push({ column: i, previous: i - 1, caches });
  }
  const unit = rows.find((r) => r)?.unit ?? 'bytes/region';
  return { figure: 'allocator-arenas, prot-none, anonymous memory', unit, perColumn, changes };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const STATE_WORDS: Record<string, string> = { ok: 'measured', skipped: 'skipped', failed: 'failed', absent: 'not run' };

/** "guard-madvise: 23 figures skipped → measured" */
function statusKey(f: TrailFigure, c: ChangePoint): string {
  const who = f.section === 'verify' ? f.group : f.strategy ?? f.label;
  const transition = f.section === 'verify' || !c.states ? `${c.from} → ${c.to}` : `${STATE_WORDS[c.states.from]} → ${STATE_WORDS[c.states.to]}`;
  return `${who}|${f.section === 'verify' ? 'check' : 'figure'}|${transition}`;
}

/**
 * A change set against a kernel measured on another testbed (a TCG guest beside the native host)
 * may be the testbed's, not the kernel's: a writable /tmp, a busier machine, another process
 * layout. Such changes carry the two testbeds.
 */
function testbedNote(columns: readonly TrailColumn[], c: ChangePoint): string {
  const [a, b] = [columns[c.previous]!, columns[c.column]!];
  return a.testbed === b.testbed && a.accel === b.accel ? '' : ` [also the testbed changed: ${a.accel === b.accel ? `${a.testbed} → ${b.testbed}` : `${a.accel} → ${b.accel}`}]`;
}

/** Status changes grouped (a strategy's figures becoming measured at once), value changes one by one. */
function changeLines(columns: readonly TrailColumn[], figures: readonly TrailFigure[], slab: SlabTrail | null): TrailChange[] {
  const out: TrailChange[] = [];
  for (let column = 1; column < columns.length; column++) {
    const grouped = new Map<string, number>();
    const features = new Map<string, string[]>();
    const values: TrailChange[] = [];
    for (const f of figures) {
      for (const c of f.changes.filter((x) => x.column === column)) {
        const note = testbedNote(columns, c);
        if (f.section === 'features') features.set(`${c.from} → ${c.to}${note}`, [...(features.get(`${c.from} → ${c.to}${note}`) ?? []), f.label]);
        else if (c.kind === 'status') grouped.set(`${statusKey(f, c)}|${note}`, (grouped.get(`${statusKey(f, c)}|${note}`) ?? 0) + 1);
        else values.push({ column, text: `${f.group}, ${f.label}: ${c.from} → ${c.to}${signedDelta(c)}${note}` });
      }
    }
    for (const [transition, names] of features) out.push({ column, text: `${names.length === 1 ? 'feature' : 'features'} ${names.join(', ')}: ${transition}` });
    out.push(...values);
    for (const [key, n] of grouped) {
      const [who, noun, transition, note] = key.split('|');
      out.push({ column, text: `${who}: ${plural(n, noun!)} ${transition}${note}` });
    }
    for (const change of slab?.changes.filter((c) => c.column === column) ?? []) {
      for (const c of change.caches) {
        out.push({ column, text: `${c.what}${c.bytesPerUnit === null ? '' : `: ${c.bytesPerUnit >= 0 ? '+' : ''}${figureText(c.bytesPerUnit)} B per region of a PROT_NONE arena`}` });
      }
    }
  }
  return out;
}

function signedDelta(c: ChangePoint): string {
  return c.delta === undefined ? '' : ` (${c.delta >= 0 ? '+' : ''}${figureText(c.delta)})`;
}

function featureMismatches(columns: readonly TrailColumn[]): TrailChange[] {
  return columns.flatMap((c, column) => checkFeatures(c.run)
    .filter((a) => a.verdict === 'earlier' || a.verdict === 'missing')
    .map((a) => ({ column, text: describeMismatch(c.release, a) })));
}

/**
 * Columns whose latencies may stand side by side: one testbed, not an emulated CPU, every pair
 * comparable by the rule compare applies. Each group has two or more kernels.
 */
function latencyGroups(columns: readonly TrailColumn[]): { groups: LatencyGroup[]; notes: string[] } {
  const notes: string[] = [];
  const byTestbed = new Map<string, number[]>();
  columns.forEach((c, i) => {
    const head = byTestbed.get(c.testbed)?.[0];
    const verdict = latencyComparability(columns[head ?? i]!.run, c.run);
    if (!verdict.comparable) {
      notes.push(`${c.label}: latencies not shown (${verdict.reason})`);
      return;
    }
    byTestbed.set(c.testbed, [...(byTestbed.get(c.testbed) ?? []), i]);
  });
  const groups: LatencyGroup[] = [];
  for (const [testbed, indices] of byTestbed) {
    if (indices.length < 2) {
      notes.push(`${columns[indices[0]!]!.label}: the only kernel measured on testbed ${testbed}; its latencies are set beside no other`);
      continue;
    }
    groups.push({ testbed, columns: indices, rows: latencyRows(indices.map((i) => columns[i]!.run)) });
  }
  return { groups, notes };
}

function latencyRows(runs: readonly Run[]): LatencyGroup['rows'] {
  const varying = varyingParamsByWorkload(runs.flatMap((r) => r.rows));
  const rows = new Map<string, LatencyGroup['rows'][number]>();
  runs.forEach((run, i) => {
    for (const row of run.rows) {
      if (specOf(run, row).kind !== 'latency') continue;
      const key = rowKey(row);
      let entry = rows.get(key);
      if (!entry) {
        const point = shortParams(row.params, varying.get(row.workload) ?? []);
        entry = { key, group: `${row.workload} · ${row.metric} (${row.unit})`, label: point ? `${row.strategy} · ${point}` : row.strategy, unit: row.unit, medians: runs.map(() => null) };
        rows.set(key, entry);
      }
      entry.medians[i] = row.status === 'ok' ? row.value : null;
    }
  });
  return [...rows.values()].filter((r) => r.medians.some((m) => m !== null));
}

/** The trail of the given runs. */
export function buildTrail(inputs: readonly TrailRunInput[]): Trail {
  const { columns, leftOut } = trailColumns(inputs);
  const figures = trailFigures(columns);
  const slab = slabTrail(columns);
  const { groups, notes } = latencyGroups(columns);
  return {
    columns, leftOut, figures, slab,
    changes: changeLines(columns, figures, slab),
    transients: figures.flatMap((f) => f.transients.map((c) => ({ column: c.column, text: `${f.group}, ${f.label}: ${c.from} → ${c.to}${signedDelta(c)}, back to ${f.cells.find((cell, i) => i > c.column && cell.state !== 'absent')!.text} on the next kernel` })))
      .sort((a, b) => a.column - b.column),
    featureMismatches: featureMismatches(columns),
    latency: groups, latencyNotes: notes,
  };
}
