/** compare.html: the comparison's tables and side-by-side charts as one self-contained page. */
import type { Comparison } from '../analysis/comparison.js';
import type { ChartSpec } from '../render/charts.js';
import { renderPage, type PageDoc } from '../render/page.js';
import { methodNote, NUMERIC_COLUMNS, resultHead, resultTail, verdictTables } from './markdown.js';

export function compareDoc(c: Comparison, charts: ChartSpec[]): PageDoc {
  return {
    title: `guardbench compare: ${c.base.env.kernel.release} → ${c.current.env.kernel.release}`,
    lead: [
      `${resultHead(c)} · ${resultTail(c)}`,
      `base ${c.base.id} (${c.base.profile}), current ${c.current.id} (${c.current.profile})`,
    ],
    warnings: [
      ...c.environment.map((d) => `Environments differ in ${d.field}: ${d.base} → ${d.current} (${d.matters})`),
      ...c.warnings,
    ],
    tables: verdictTables(c).map((t) => ({
      title: t.title, header: t.header, rows: t.rows, open: t.open, numeric: NUMERIC_COLUMNS, rowClass: t.rows.map(() => t.verdict),
    })),
    chartsTitle: 'Base and current side by side',
    charts,
    notes: [methodNote(c).replace(/\n/g, ' ')],
  };
}

export function renderCompareHtml(c: Comparison, charts: ChartSpec[]): string {
  return renderPage(compareDoc(c, charts));
}
