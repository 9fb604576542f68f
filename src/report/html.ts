/**
 * report.html: one self-contained file (chart.js, the chart runtime and the page script inlined; no
 * network) with the report's content, interactive charts and the raw rows in a sortable table.
 *
 * Nothing from the run is written into the markup. The run's data travels in one
 * <script type="application/json"> block with `<`, `>` and `&` escaped as \u003c, \u003e and \u0026
 * (so no string can end the block), and the page builds the DOM from it with textContent. A
 * Content-Security-Policy allows only the inline scripts written here, by hash, and no requests.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Run } from '../results/schema.js';
import { writeFileAtomic } from '../results/write.js';
import type { ChartSpec } from '../render/charts.js';
import { renderPageShell } from '../render/page-shell.js';
import { chartsForRun } from './charts.js';
import { censusView } from './census.js';
import { buildReportModel, type ReportModel } from './model.js';
import type { Reporter } from './types.js';

const PAGE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'assets', 'page.js');

const STYLE = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #d9d9d9; --soft: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 20px 48px; }
/* Text from a run can be one long word (a kernel release, a path): it wraps rather than widening the page. */
h1, h2, p, li, dd, caption, summary, blockquote, figcaption { overflow-wrap: anywhere; }
h1 { font-size: 1.5em; margin: 0 0 4px; line-height: 1.25; }
h2 { font-size: 1.25em; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05em; margin: 18px 0 6px; }
.about, .constants, .hint, figcaption, .noise-notes, footer, .gist { color: var(--muted); font-size: 0.9em; }
.about, .envline { margin: 4px 0 0; }
.banner { padding: 10px 14px; border-radius: 6px; margin: 16px 0; }
.banner.warn { background: #fff7e0; border: 1px solid #f0d48a; }
.banner.bad { background: #fdecec; border: 1px solid #efb0b0; }
.remark { border-left: 4px solid #f0d48a; padding-left: 10px; }
.noisy-note, .mark { color: #9a6100; }
figure { margin: 18px 0; }
.chart { position: relative; width: 100%; max-width: 900px; }
/* A table wider than the page scrolls inside its own box; the page never scrolls sideways. */
.table-wrap { overflow-x: auto; max-width: 100%; margin: 10px 0; }
table { border-collapse: collapse; font-size: 0.9em; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
thead th { background: var(--soft); text-align: left; white-space: nowrap; }
table.figures td, td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.figures td { white-space: normal; } table.figures td .part { white-space: nowrap; }
table.figures tbody th { text-align: left; font-weight: normal; white-space: nowrap; }
table.headline tbody th { white-space: normal; min-width: 9em; }
/* A headline figure and its gain read as one; the label columns wrap instead. */
table.headline td { white-space: nowrap; }
#headline h2 { margin-top: 16px; }
table.headline th, table.headline td { padding-top: 2px; padding-bottom: 2px; }
table.headline tbody th:first-child { font-weight: 600; }
table.headline tbody tr:not(.group) th:nth-child(2) { min-width: 13em; }
td.noisy, th.noisy { background: #fff7e0; }
/* A marker's gain and its loss against prot-none carry the same weight. */
td.win, td.loss { font-weight: 600; } td.win { color: #11693a; } td.loss { color: #b3261e; }
.has-note .part { text-decoration: underline dotted #888; text-underline-offset: 3px; cursor: help; }
/*
 * On a phone the headline table scrolls sideways under its figure column, which stays in view:
 * the workload names move to rows of their own, and prot-none and the markers come right after the
 * figure, the unguarded floor last.
 */
table.headline tr.group { display: none; }
@media (max-width: 640px) {
  main { padding: 12px 10px 32px; }
  table.headline tr.group { display: table-row; }
  table.headline tr.group th { background: var(--soft); font-weight: 600; }
  table.headline tr.group th span { position: sticky; left: 8px; }
  table.headline tr > :first-child:not([colspan]) { display: none; }
  table.headline tr > :nth-child(2) { position: sticky; left: 0; z-index: 1; background: #fff; min-width: 8.5em; max-width: 9.5em;
    white-space: normal; box-shadow: 2px 0 0 var(--line); }
  table.headline thead tr > :nth-child(2) { background: var(--soft); }
}
table.claims td { min-width: 120px; }
table.verify td { text-align: left; white-space: normal; overflow-wrap: anywhere; }
table.verify td.check { white-space: nowrap; }
.verdict { font-weight: 700; white-space: nowrap; }
.verdict.confirms { color: #11693a; } .verdict.weakens { color: #8a6100; } .verdict.contradicts { color: #b3261e; }
td.ok { color: #11693a; } td.bad { color: #b3261e; } ul.features li.no { color: #b3261e; }
blockquote { margin: 12px 0; padding: 4px 14px; border-left: 4px solid var(--line); color: #333; }
details { margin: 10px 0; } summary { cursor: pointer; font-weight: 600; }
details.noise-notes summary { font-weight: normal; }
details.section { margin: 0; border-bottom: 1px solid var(--line); }
details.section > summary { list-style: none; padding: 10px 0; display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap; }
details.section > summary::-webkit-details-marker { display: none; }
details.section > summary::before { content: "\\25b8"; color: var(--muted); }
details.section[open] > summary::before { content: "\\25be"; }
details.section > summary h2 { display: inline; margin: 0; padding: 0; border: 0; font-size: 1.15em; }
details.section[open] { padding-bottom: 16px; }
dl.env { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
td div + div { margin-top: 6px; }
dl.env dt { color: var(--muted); } dl.env dd { margin: 0; }
dl.env details.fact { margin: 0; } dl.env details.fact summary { font-weight: normal; color: var(--muted); } dl.env details.fact p { margin: 4px 0; overflow-wrap: anywhere; }
ul.features { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 14px; }
table.rows th button { all: unset; cursor: pointer; font-weight: 600; }
table.rows th[aria-sort="ascending"] button::after { content: " \\25b2"; }
table.rows th[aria-sort="descending"] button::after { content: " \\25bc"; }
table.rows td { white-space: nowrap; }
table.rows td.wrap { white-space: normal; min-width: 14em; max-width: 22em; overflow-wrap: anywhere; }
pre { background: var(--soft); padding: 10px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
`;

export function renderHtml(model: ReportModel, charts: ChartSpec[], run: Run): string {
  return renderPageShell({
    title: 'guardbench report',
    style: STYLE,
    mainId: 'report',
    noscript: 'This report draws its content with JavaScript; report.md has the same content as text.',
    dataId: 'guardbench-data',
    data: { model, charts, rows: run.rows },
    pageScript: PAGE_SCRIPT,
  });
}

export const htmlReporter: Reporter = {
  format: 'html',
  async render(run: Run, outDir: string): Promise<string[]> {
    const file = join(outDir, 'report.html');
    writeFileAtomic(file, renderHtml(buildReportModel(run, censusView(run)), chartsForRun(run), run));
    return [file];
  },
};
