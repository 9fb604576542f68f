/**
 * Side-by-side charts of a comparison, in the report's chart format (ChartSpec from
 * report/charts.ts), so report/png.ts draws them and the HTML page embeds them with the report's
 * chart runtime. Per workload and latency metric: the base and the current median of every row
 * next to each other with p99 whiskers, the current bar coloured by its verdict. Counts that
 * changed get one chart of their own.
 */
import type { ChartConfig, ChartDataset, ChartSpec } from '../report/charts.js';
import type { Comparison, RowComparison, Verdict } from './compare.js';
import { shortParams, varyingParamsByWorkload } from './markdown.js';

/** Okabe-Ito, as the report uses: red-orange for worse, green for better, amber for unsure. */
export const VERDICT_COLOURS: Record<Verdict, string> = {
  regressed: '#D55E00',
  improved: '#009E73',
  noisy: '#E69F00',
  changed: '#CC79A7',
  unchanged: '#0072B2',
  'not-compared': '#bdbdbd',
};
const BASE_COLOUR = '#b0b0b0';

/** chart.js options in the report's look: title, subtitle, legend below, white background. */
export function chartOptions(title: string, subtitle: string, xTitle: string, yTitle: string, extra: { log?: boolean; labels?: boolean } = {}): Record<string, unknown> {
  const scale = (text: string) => ({ title: { display: true, text, color: '#333', font: { size: 13 } }, grid: { color: '#e6e6e6' }, ticks: { color: '#333' } });
  return {
    aspectRatio: 2,
    layout: { padding: { top: 4, right: 16, left: 4, bottom: 0 } },
    plugins: {
      title: { display: true, text: title, color: '#111', font: { size: 16, weight: 'bold' }, padding: { top: 4, bottom: 2 } },
      subtitle: { display: true, text: subtitle, color: '#444', font: { size: 12 }, padding: { bottom: 10 } },
      legend: { display: true, position: 'bottom', labels: { color: '#222', boxWidth: 14 } },
      guardbenchBackground: { color: '#ffffff' },
      guardbenchLabels: { display: extra.labels ?? false },
    },
    scales: {
      x: scale(xTitle),
      y: { ...scale(yTitle), type: extra.log ? 'logarithmic' : 'linear', ...(extra.log ? {} : { beginAtZero: true }) },
    },
  };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function category(r: RowComparison, vary: Map<string, string[]>): string[] {
  const point = shortParams(r.params, vary.get(r.workload) ?? []);
  return point ? [r.strategy, point] : [r.strategy];
}

function latencyChart(workload: string, metric: string, rows: RowComparison[], c: Comparison, vary: Map<string, string[]>): ChartSpec {
  const unit = rows[0]!.unit;
  const side = (which: 'base' | 'current', r: RowComparison) => r[which]!.value!;
  const whisker = (which: 'base' | 'current', r: RowComparison): [number, number] | null => {
    const s = r[which]!.stats;
    return s ? [s.median, s.p99] : null;
  };
  const values = rows.flatMap((r) => [side('base', r), side('current', r), ...(whisker('base', r) ?? []), ...(whisker('current', r) ?? [])]);
  const positive = values.filter((v) => v > 0);
  // Rows of one metric can differ a hundredfold (batched vs one call per guard): log axis then.
  const log = positive.length > 1 && Math.max(...positive) / Math.min(...positive) > 30;
  const datasets: ChartDataset[] = [
    { label: `base (${c.base.env.kernel.release})`, data: rows.map((r) => side('base', r)), backgroundColor: BASE_COLOUR, whiskers: rows.map((r) => whisker('base', r)), rme: rows.map((r) => r.base!.stats?.rme ?? null), unit },
    { label: `current (${c.current.env.kernel.release})`, data: rows.map((r) => side('current', r)), backgroundColor: rows.map((r) => VERDICT_COLOURS[r.verdict]), whiskers: rows.map((r) => whisker('current', r)), rme: rows.map((r) => r.current!.stats?.rme ?? null), unit },
  ];
  const counts = (['regressed', 'improved', 'noisy'] as const).map((v) => `${rows.filter((r) => r.verdict === v).length} ${v}`).join(', ');
  const config: ChartConfig = {
    type: 'bar',
    data: { labels: rows.map((r) => category(r, vary)), datasets },
    options: chartOptions(`${workload}: ${metric}`, `median, whisker to p99; current bar coloured by verdict (${counts})`, 'strategy and point', unit, { log }),
  };
  return {
    id: `compare-${slug(workload)}-${slug(metric)}`,
    workload,
    title: `${workload}: ${metric}, base vs current`,
    alt: `${workload} ${metric} per strategy, base and current side by side: ${counts}.`,
    config,
  };
}

function countChart(rows: RowComparison[], c: Comparison, vary: Map<string, string[]>): ChartSpec {
  const labels = rows.map((r) => [`${r.workload} ${r.metric}`, ...category(r, vary)]);
  const config: ChartConfig = {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: `base (${c.base.env.kernel.release})`, data: rows.map((r) => r.base!.value!), backgroundColor: BASE_COLOUR },
        { label: `current (${c.current.env.kernel.release})`, data: rows.map((r) => r.current!.value!), backgroundColor: rows.map((r) => VERDICT_COLOURS[r.verdict]) },
      ],
    },
    options: chartOptions('Counts that changed', 'exact figures; a rise is a regression', 'row', 'count', { labels: true }),
  };
  return { id: 'compare-counts', workload: '', title: 'Counts that changed', alt: `${rows.length} count rows changed between base and current.`, config };
}

/** Every chart of a comparison: latency per workload and metric, then changed counts. */
export function chartsForComparison(c: Comparison): ChartSpec[] {
  const vary = varyingParamsByWorkload(c.rows);
  const measured = c.rows.filter((r) => r.verdict !== 'not-compared' && r.base?.value != null && r.current?.value != null);
  const groups = new Map<string, RowComparison[]>();
  for (const r of measured.filter((x) => x.kind === 'latency')) {
    const k = `${r.workload}\u0000${r.metric}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const charts = [...groups].map(([k, rows]) => {
    const [workload, metric] = k.split('\u0000') as [string, string];
    return latencyChart(workload, metric, rows, c, vary);
  });
  const counts = measured.filter((r) => r.kind === 'count' && r.delta !== 0);
  if (counts.length > 0) charts.push(countChart(counts, c, vary));
  return charts;
}
