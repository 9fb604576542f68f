/**
 * Side-by-side charts of a comparison, in the chart kit's format, so render/png.ts draws them
 * and the HTML page embeds them with the chart runtime. Per workload and latency metric: the base and the current median of every row
 * next to each other with p99 whiskers, the current bar coloured by its verdict. Counts that
 * changed get one chart of their own.
 */
import type { Comparison, RowComparison, Verdict } from '../analysis/comparison.js';
import { shortParams, varyingParamsByWorkload } from '../analysis/keys.js';
import { axis, chartOptions, LOG_SPREAD, slug, spreadOf, type ChartConfig, type ChartDataset, type ChartSpec } from '../render/charts.js';

/** Okabe-Ito, as the report uses: red-orange for worse, green for better, amber for unsure. */
export const VERDICT_COLOURS: Record<Verdict, string> = {
  regressed: '#D55E00',
  improved: '#009E73',
  noisy: '#E69F00',
  inconclusive: '#F0E442',
  changed: '#CC79A7',
  incomparable: '#bdbdbd',
  unchanged: '#0072B2',
  'not-compared': '#bdbdbd',
};
const BASE_COLOUR = '#b0b0b0';

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
  // Rows of one metric can differ a hundredfold (batched vs one call per guard): log axis then.
  const log = spreadOf(values) > LOG_SPREAD;
  const datasets: ChartDataset[] = [
    { label: `base (${c.base.env.kernel.release})`, data: rows.map((r) => side('base', r)), backgroundColor: BASE_COLOUR, whiskers: rows.map((r) => whisker('base', r)), rme: rows.map((r) => r.base!.stats?.rme ?? null), unit },
    { label: `current (${c.current.env.kernel.release})`, data: rows.map((r) => side('current', r)), backgroundColor: rows.map((r) => VERDICT_COLOURS[r.verdict]), whiskers: rows.map((r) => whisker('current', r)), rme: rows.map((r) => r.current!.stats?.rme ?? null), unit },
  ];
  const counts = (['regressed', 'improved', 'noisy'] as const).map((v) => `${rows.filter((r) => r.verdict === v).length} ${v}`).join(', ');
  const config: ChartConfig = {
    type: 'bar',
    data: { labels: rows.map((r) => category(r, vary)), datasets },
    options: chartOptions(`${workload}: ${metric}`, `median, whisker to p99; current bar coloured by verdict (${counts})`,
      axis({ title: 'strategy and point' }), axis({ title: unit, log, numeric: true })),
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
    options: chartOptions('Counts that changed', 'exact figures; a rise is a regression', axis({ title: 'row' }), axis({ title: 'count', numeric: true }), { labels: true }),
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
