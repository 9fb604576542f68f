/**
 * The pieces report tables are made of, shared by the model and the headline table: a cell of
 * text with the reason to distrust it, a table of such cells, and the noise a figure or a ratio
 * carries. Plain text: escaping is each format's job.
 */
import type { MetricSpec, Row } from '../results/schema.js';
import type { Gain } from '../analysis/gains.js';
import { noiseWarning } from '../analysis/noise.js';
import { formatValue } from '../render/format.js';
import { shownRow } from './figures.js';

/** A piece of text, with the reason to distrust it when it is noisy. */
export interface Cell {
  text: string;
  warn?: string;
  /** what a closer look adds (HTML shows it on hover): the measured value under a resolution, a headline's question */
  note?: string;
  /** a guard marker's gain (win) or loss against prot-none: shown with the same weight either way */
  tone?: 'win' | 'loss';
}

export interface ReportTable {
  caption: string;
  header: string[];
  rows: Cell[][];
  /** how many leading columns name the row (metric, point) rather than hold figures */
  labelColumns: number;
  /** long enough to fold away (a <details> in Markdown) */
  bulky: boolean;
}

/**
 * A table cell for one row: median ±rme · p99 for latency, the figure otherwise, shown as 0 (with
 * what was measured in the note) where its counter cannot tell it from zero.
 */
export function rowCell(row: Row | undefined, spec: Pick<MetricSpec, 'unit' | 'kind'>): Cell {
  if (!row) return { text: '–' };
  if (row.status !== 'ok') return { text: row.status };
  const warn = noiseWarning(row) ?? undefined;
  if (!row.stats) {
    // The unit stays in the table's caption: only the resolution and small-share rules apply here.
    const shown = shownRow(row, { ...spec, unit: spec.unit.startsWith('ns') ? 'count' : spec.unit });
    return shown.note ? { text: shown.text, note: shown.note } : { text: shown.text };
  }
  const t = `${formatValue(row.value)} ±${row.stats.rme.toFixed(1)}% · p99 ${formatValue(row.stats.p99)}`;
  return warn ? { text: t, warn } : { text: t };
}

/** A ratio's noise, for a cell under the strategy's own column: its own rows' warning, then prot-none's. */
export function gainWarn(g: Gain): { warn?: string } {
  const own = noiseWarning(g.row);
  const base = noiseWarning(g.base);
  const parts = [own, base ? `prot-none ${base}` : null].filter(Boolean);
  return parts.length ? { warn: parts.join(', ') } : {};
}
