/**
 * A generic page of lead lines, warnings, tables and charts (compare.html and history.html): one
 * self-contained file (chart.js, the chart runtime and assets/page.js inlined; no network) built
 * from plain data. The data travels as escaped JSON (page-shell.ts, shared with report.html) and
 * the page builds the DOM with textContent; a Content-Security-Policy admits only these inline
 * scripts, by hash.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChartSpec } from './charts.js';
import { renderPageShell } from './page-shell.js';

const PAGE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'assets', 'page.js');

export interface PageTable {
  title: string;
  header: string[];
  rows: string[][];
  /** shown open; otherwise folded in <details> */
  open: boolean;
  /** per column: right-aligned figures */
  numeric?: boolean[];
  /** per row: a CSS class (the verdict) */
  rowClass?: string[];
  /** per row: a tooltip (the long form of a reason the cell gives short) */
  rowTitle?: string[];
}

export interface PageDoc {
  title: string;
  lead: string[];
  warnings: string[];
  tables: PageTable[];
  chartsTitle: string;
  charts: ChartSpec[];
  notes: string[];
}

const STYLE = `
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1b1b1b; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.6em; margin: 0 0 8px; } h2 { font-size: 1.25em; margin: 28px 0 8px; border-bottom: 1px solid #d9d9d9; }
.lead { margin: 4px 0; } .note, figcaption { color: #555; font-size: 0.9em; }
.banner.warn { background: #fff7e0; border: 1px solid #f0d48a; padding: 8px 12px; border-radius: 6px; margin: 10px 0; }
.table-wrap { overflow-x: auto; } table { border-collapse: collapse; font-size: 0.9em; margin: 8px 0; }
th, td { border: 1px solid #d9d9d9; padding: 3px 8px; text-align: left; } thead th { background: #f6f7f9; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td:not(.num):last-child { min-width: 12em; }
tr.regressed td { background: #fdecec; } tr.improved td { background: #eaf6ee; } tr.noisy td { background: #fff7e0; } tr.inconclusive td { background: #f3f3f3; }
details { margin: 10px 0; } summary { cursor: pointer; font-weight: 600; }
figure { margin: 16px 0; } .chart { position: relative; width: 100%; max-width: 900px; }
`;

export function renderPage(doc: PageDoc): string {
  return renderPageShell({
    title: doc.title,
    style: STYLE,
    mainId: 'page',
    noscript: 'This page draws its content with JavaScript; the .md file next to it has the same content as text.',
    dataId: 'guardbench-page',
    data: doc,
    pageScript: PAGE_SCRIPT,
  });
}
