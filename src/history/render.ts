/**
 * A trend as text: Markdown (one table per workload and metric, kernels as columns) for files and
 * PR comments, and the same tables aligned for a terminal.
 */
import { hostSpeedRange } from '../analysis/host-speed.js';
import { shortParams, varyingParamsByWorkload } from '../analysis/keys.js';
import { overallChange, type Trend, type TrendCell, type TrendColumn, type TrendGap, type TrendSeries } from '../analysis/trend.js';
import { formatValue, signedPercent } from '../render/format.js';
import { mdEscape, mdTable } from '../render/markdown.js';
import { textTable } from '../render/text-table.js';

export interface Table {
  title: string;
  header: string[];
  body: string[][];
}

function cellText(c: TrendCell | null, gap: TrendGap | null): string {
  if (!c) return gap?.status ?? '–';
  return c.rme !== null ? `${formatValue(c.value)} ±${c.rme.toFixed(0)}%` : formatValue(c.value);
}

function changeText(s: TrendSeries): string {
  const change = overallChange(s);
  if (change === null) return '–';
  if (!Number.isFinite(change)) return 'from 0';
  return signedPercent(change);
}

/** One table per workload and metric: the series of that metric as rows, runs as columns. */
export function trendTables(trend: Trend): Table[] {
  const vary = varyingParamsByWorkload(trend.series);
  const groups = new Map<string, TrendSeries[]>();
  for (const s of trend.series) {
    const k = `${s.workload} · ${s.metric} (${s.unit})`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups].map(([title, series]) => ({
    title,
    header: ['strategy', 'point', ...trend.columns.map((c) => c.label), 'first → last'],
    body: series.map((s) => [s.strategy, shortParams(s.params, vary.get(s.workload) ?? []) || '–', ...s.cells.map((c, i) => cellText(c, s.gaps[i] ?? null)), changeText(s)]),
  }));
}

/** "69 ns (41%)": the run's host-speed median and its spread within the run. */
function hostSpeedText(c: TrendColumn): string {
  return c.hostSpeed ? `${c.hostSpeed.medianNs.toFixed(0)} ns (${c.hostSpeed.spreadPercent.toFixed(0)}%)` : '–';
}

function hostSpeedNote(trend: Trend): string | null {
  const range = hostSpeedRange(trend.columns.map((c) => c.hostSpeed));
  if (!range) return null;
  const { lo, hi } = range;
  return `The host ran at different speeds across these runs (a koffi labs() call took ${lo.toFixed(0)}-${hi.toFixed(0)} ns, median per run): `
    + 'latency changes of that order may come from the machine, not the kernel.';
}

function notes(trend: Trend): string[] {
  const out: string[] = [];
  const host = hostSpeedNote(trend);
  if (host) out.push(host);
  if (trend.mixedEnvironment.length > 0) out.push(`The runs differ in ${trend.mixedEnvironment.join(', ')}: a change across columns may come from the machine, not the kernel.`);
  if (trend.mixedProfiles) out.push('The runs used different profiles (sampling budgets and points differ).');
  return [...out, ...skipNotes(trend)];
}

/** Per run, the strategies it skipped where others measured (a kernel without guard markers), and why. */
function skipNotes(trend: Trend): string[] {
  return trend.columns.flatMap((column, col) => {
    const reasons = new Map<string, string>();
    for (const s of trend.series) {
      const gap = s.gaps[col];
      if (gap?.status === 'skipped' && !reasons.has(s.strategy)) reasons.set(s.strategy, gap.reason);
    }
    if (reasons.size === 0) return [];
    const [first] = reasons.values();
    return [`${column.label} skipped ${[...reasons.keys()].join(', ')}: ${first}`];
  }).concat(trend.skippedEverywhere.length === 0 ? [] : [
    `Every run skipped ${trend.skippedEverywhere.map((s) => s.strategy).join(', ')}: ${trend.skippedEverywhere[0]!.reason}`,
  ]);
}

/** The notes also go into history.html as warnings. */
export function trendNotes(trend: Trend): string[] {
  return notes(trend);
}

export function renderTrendMarkdown(trend: Trend): string {
  const out = ['## guardbench history', ''];
  out.push('| kernel | run | profile | host speed (labs, spread) |', '| --- | --- | --- | ---: |');
  for (const c of trend.columns) out.push(`| ${mdEscape(c.label)} | ${mdEscape(c.runId)} | ${mdEscape(c.profile)} | ${hostSpeedText(c)} |`);
  out.push('');
  for (const n of notes(trend)) out.push(`> [!WARNING]\n> ${mdEscape(n)}`, '');
  for (const t of trendTables(trend)) {
    out.push(`### ${mdEscape(t.title)}`, '', ...mdTable(t.header.map(mdEscape), t.body.map((r) => r.map(mdEscape)), (i) => i >= 2), '');
  }
  out.push('<sub>Medians (± relative margin of error of the mean, 95%) for latencies; exact values for counts. Columns in kernel release order.</sub>');
  return out.join('\n') + '\n';
}

export function renderTrendConsole(trend: Trend): string {
  const out = [`${trend.columns.length} runs, oldest kernel first: ${trend.columns.map((c) => c.label).join(', ')}`];
  if (trend.columns.some((c) => c.hostSpeed)) {
    out.push(`host speed (ns per koffi labs() call, median and p90/p10 spread): ${trend.columns.map((c) => `${c.label} ${hostSpeedText(c)}`).join(', ')}`);
  }
  for (const n of notes(trend)) out.push(`warning: ${n}`);
  for (const t of trendTables(trend)) out.push('', t.title, textTable(t.header, t.body, { align: ['left', 'left'], rule: true }));
  return out.join('\n');
}
