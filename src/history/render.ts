/**
 * A trend as text: Markdown (one table per workload and metric, kernels as columns) for files and
 * PR comments, and the same tables as plain ASCII of at most 80 columns for a terminal and a mail
 * (run columns that do not fit go to a further table with the same rows). A latency table holds
 * the runs of one testbed only and says which.
 */
import { hostSpeedRange } from '../analysis/host-speed.js';
import { shortParams, varyingParamsByWorkload } from '../analysis/keys.js';
import { overallChange, type Trend, type TrendCell, type TrendColumn, type TrendGap, type TrendSeries } from '../analysis/trend.js';
import { formatValue, signedPercent } from '../render/format.js';
import { mdEscape, mdTable } from '../render/markdown.js';
import { proseLines, textTable, toAscii } from '../render/text-table.js';

export interface Table {
  title: string;
  header: string[];
  body: string[][];
  /** how many leading columns name the row (strategy, point); the rest are figures */
  labels: number;
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

/** The trend's columns a series is shown in: its testbed's runs for a latency kept apart, else all. */
function columnsOf(trend: Trend, s: TrendSeries): number[] {
  return s.testbed?.columns ?? trend.columns.map((_, i) => i);
}

/** One table per workload and metric (and testbed, for latencies): the series as rows, runs as columns. */
export function trendTables(trend: Trend): Table[] {
  const vary = varyingParamsByWorkload(trend.series);
  const groups = new Map<string, TrendSeries[]>();
  for (const s of trend.series) {
    const on = s.testbed ? `, testbed ${s.testbed.name}${s.testbed.emulated ? ' (emulated CPU)' : ''}` : '';
    const k = `${s.workload} · ${s.metric} (${s.unit})${on}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups].map(([title, series]) => {
    const cols = columnsOf(trend, series[0]!);
    return {
      title,
      header: ['strategy', 'point', ...cols.map((i) => trend.columns[i]!.label), 'first → last'],
      body: series.map((s) => [s.strategy, shortParams(s.params, vary.get(s.workload) ?? []) || '–', ...cols.map((i) => cellText(s.cells[i] ?? null, s.gaps[i] ?? null)), changeText(s)]),
      labels: 2,
    };
  });
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

/** Which testbeds' latencies were kept apart, when the runs come from several. */
function testbedNote(trend: Trend): string | null {
  if (trend.testbeds.length < 2) return null;
  const each = trend.testbeds.map((t) => `${t.name}${t.emulated ? ' (emulated CPU)' : ''}: ${t.columns.map((i) => trend.columns[i]!.label).join(', ')}`);
  return `The runs come from ${trend.testbeds.length} testbeds; latencies are shown per testbed, never side by side or first to last across them `
    + `(counts and bytes span every run). ${each.join('; ')}.`;
}

function notes(trend: Trend): string[] {
  const out: string[] = [];
  const testbeds = testbedNote(trend);
  if (testbeds) out.push(testbeds);
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

export const TEXT_WIDTH = 80;

/** Split a table's run columns into tables that fit the width, each repeating the row labels. */
function fitted(t: Table): string[] {
  const plain = { ...t, header: t.header.map(toAscii), body: t.body.map((r) => r.map(toAscii)) };
  const width = (cells: number[]) => cells.reduce((a, i) => a + Math.max(...[plain.header, ...plain.body].map((r) => r[i]!.length)) + 2, 0);
  // A label column that says nothing (every point '-': one point per workload) gives its room to the runs.
  const labels = Array.from({ length: t.labels }, (_, i) => i).filter((i) => i === 0 || plain.body.some((r) => r[i] !== '-'));
  const figures = plain.header.map((_, i) => i).slice(t.labels);
  const chunks: number[][] = [];
  for (const i of figures) {
    const last = chunks.at(-1);
    if (last && width([...labels, ...last, i]) <= TEXT_WIDTH) last.push(i);
    else chunks.push([i]);
  }
  const options = { align: labels.map(() => 'left' as const), rule: true, maxWidth: TEXT_WIDTH, wrap: labels.map(() => true) };
  return chunks.map((cols) => textTable([...labels, ...cols].map((i) => plain.header[i]!), plain.body.map((r) => [...labels, ...cols].map((i) => r[i]!)), options));
}

/** The trend as plain ASCII of at most 80 columns: runs, notes, then one table per workload and metric. */
export function renderTrendText(trend: Trend): string {
  const prose = (text: string, first = '', rest = first) => proseLines(text, TEXT_WIDTH, first, rest);
  const out = prose(`${trend.columns.length} runs, oldest kernel first: ${trend.columns.map((c) => c.label).join(', ')}`);
  if (trend.columns.some((c) => c.hostSpeed)) {
    out.push(...prose(`host speed (ns per koffi labs() call, median and p90/p10 spread): ${trend.columns.map((c) => `${c.label} ${hostSpeedText(c)}`).join(', ')}`));
  }
  for (const n of notes(trend)) out.push(...prose(`warning: ${n}`, '', '  '));
  for (const t of trendTables(trend)) out.push('', ...prose(t.title), ...fitted(t).flatMap((table, i) => (i === 0 ? [table] : ['', table])));
  return `${out.join('\n')}\n`;
}
