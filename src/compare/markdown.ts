/**
 * A comparison as Markdown: the verdict line, the runs side by side, environment warnings, the
 * regressions and improvements, the largest moves that could not be judged, the charts, then the
 * other verdicts folded. compare.md and, in CI, the pull-request comment; pr-comment.ts cuts it
 * from the end when a comment is too long, so what matters comes first.
 */
import type { Comparison } from '../analysis/comparison.js';
import { folded, mdCode, mdEscape, mdTable } from '../render/markdown.js';
import type { CompareFormat } from './format.js';
import { buildCompareModel, type CompareModel } from './model.js';
import { headlineCharts } from './mermaid.js';
import { compareTables, numericColumns, type CompareTable } from './tables.js';
import { clip, countsText, methodNote, runWarningText, verdictLine } from './words.js';

export function renderCompareMarkdown(c: Comparison | CompareModel, title = 'guardbench compare'): string {
  const m = 'comparison' in c ? c : buildCompareModel(c);
  const out: string[] = [`## ${title}`, '', `**${mdEscape(verdictLine(m))}** · ${countsText(m).join(' · ')}`, '', ...runsTable(m.comparison), ''];
  if (m.comparison.environment.length > 0) {
    out.push('> [!WARNING]', '> The runs were made in different environments; differences below may come from these:');
    for (const d of m.comparison.environment) out.push(`> - **${mdEscape(d.field)}**: ${mdCode(d.base)} → ${mdCode(d.current)} (${mdEscape(d.matters)})`);
    out.push('');
  }
  if (m.comparison.confounders.length > 0) {
    out.push('> [!WARNING]', '> Settings of this testbed changed between the runs; each verdict they could explain names them:');
    for (const d of m.comparison.confounders) out.push(`> - **${mdEscape(d.field)}**: ${mdEscape(clip(d.base))} → ${mdEscape(clip(d.current))}`);
    out.push('');
  }
  if (!m.comparison.latencies.comparable) out.push(`- ⚠ latencies not compared: ${mdEscape(m.comparison.latencies.reason)}`);
  for (const w of m.comparison.warnings) out.push(`- ⚠ ${mdEscape(runWarningText(w))}`);
  if (m.comparison.warnings.length > 0 || !m.comparison.latencies.comparable) out.push('');
  const tables = compareTables(m, 'long');
  // The verdicts a reader must see, the charts, then the folded tables (cut first when a comment is too long).
  for (const t of tables.filter((x) => x.open)) out.push(`### ${t.title}`, '', ...verdictTable(t), '');
  out.push(...chartsSection(m.comparison));
  for (const t of tables.filter((x) => !x.open)) out.push('<details>', `<summary>${t.title}</summary>`, '', ...verdictTable(t), '', '</details>', '');
  out.push('<sub>', methodNote(m).join('\n'), '</sub>');
  return out.join('\n') + '\n';
}

export const markdownFormat: CompareFormat = {
  name: 'md',
  file: 'compare.md',
  render: (m) => renderCompareMarkdown(m),
};

/** A reason or parameter from a run must not break the table or become markup in a PR comment. */
function verdictTable(t: CompareTable): string[] {
  return mdTable(t.header, t.rows.map((r) => r.map(mdEscape)), (i) => numericColumns('long')[i] ?? false);
}

/** The headline figures as Mermaid charts GitHub draws in place: latencies open, exact figures folded. */
function chartsSection(c: Comparison): string[] {
  const charts = headlineCharts(c);
  if (charts.timed.length + charts.exact.length === 0 && !charts.timedLeftOut) return [];
  const out = ['### Headline figures, base against current', ''];
  out.push(`Each pair of bars is one strategy at one point: grey the base run (${mdEscape(c.base.env.kernel.release)}), `
    + `blue the current run (${mdEscape(c.current.env.kernel.release)}); the figures are in the tables.`, '');
  if (charts.timedLeftOut) out.push(`Latencies are not charted: ${mdEscape(charts.timedLeftOut)}.`, '');
  for (const chart of charts.timed) out.push(...chart, '');
  if (charts.exact.length > 0) {
    const body = charts.exact.flatMap((chart) => [...chart, '']);
    out.push(...folded(`VMAs and other exact headline figures (${charts.exact.length} ${charts.exact.length === 1 ? 'chart' : 'charts'})`, body));
  }
  if (charts.omitted > 0) out.push(`${charts.omitted} more charts are left out of this comment; compare.html and the PNG charts have every row.`, '');
  return out;
}

function runsTable(c: Comparison): string[] {
  const line = (label: string, b: string, cur: string) => `| ${label} | ${b} | ${cur} |`;
  return [
    '| | base | current |',
    '| --- | --- | --- |',
    // Every string here comes from a run: escaped, so none can break the table or open a code block.
    line('run', mdCode(c.base.id), mdCode(c.current.id)),
    line('kernel', mdEscape(c.base.env.kernel.release), mdEscape(c.current.env.kernel.release)),
    line('profile', c.base.profile, c.current.profile),
    line('testbed', mdEscape(c.base.env.testbed?.name ?? 'not recorded'), mdEscape(c.current.env.testbed?.name ?? 'not recorded')),
    line('started', mdEscape(c.base.startedAt), mdEscape(c.current.startedAt)),
  ];
}

