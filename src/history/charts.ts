/**
 * History charts in the chart kit's format: per workload and metric one line chart, kernels
 * along x in release order, one line per strategy and point (strategy colours from the report).
 */
import { shortParams, varyingParamsByWorkload } from '../analysis/keys.js';
import type { Trend, TrendSeries } from '../analysis/trend.js';
import { axis, chartOptions, LOG_SPREAD, slug, spreadOf, strategyColour, type ChartConfig, type ChartDataset, type ChartSpec } from '../render/charts.js';

/** Dash patterns that tell apart points of one strategy drawn in the same colour. */
const DASHES: number[][] = [[], [6, 4], [2, 3], [10, 3, 2, 3]];

function chart(trend: Trend, workload: string, metric: string, series: TrendSeries[], vary: Map<string, string[]>, testbed: string): ChartSpec {
  const unit = series[0]!.unit;
  // A latency kept to one testbed is drawn over that testbed's runs only.
  const columns = series[0]!.testbed?.columns ?? trend.columns.map((_, i) => i);
  const on = testbed ? ` on ${testbed}` : '';
  const perStrategy = new Map<string, number>();
  const datasets: ChartDataset[] = series.map((s, i) => {
    const n = perStrategy.get(s.strategy) ?? 0;
    perStrategy.set(s.strategy, n + 1);
    const point = shortParams(s.params, vary.get(s.workload) ?? []);
    return {
      type: 'line',
      label: point ? `${s.strategy} ${point}` : s.strategy,
      data: columns.map((i) => s.cells[i]?.value ?? null),
      borderColor: strategyColour(s.strategy, i),
      backgroundColor: strategyColour(s.strategy, i),
      borderDash: DASHES[n % DASHES.length]!,
      borderWidth: 2,
      pointRadius: 4,
      rme: columns.map((i) => s.cells[i]?.rme ?? null),
      unit,
    };
  });
  const log = spreadOf(series.flatMap((s) => s.cells.map((c) => c?.value ?? 0))) > LOG_SPREAD;
  const config: ChartConfig = {
    type: 'line',
    data: { labels: columns.map((i) => trend.columns[i]!.label), datasets },
    options: {
      ...chartOptions(`${workload}: ${metric}${on}`, `${unit}, median per run; kernels in release order`, axis({ title: 'kernel' }), axis({ title: unit, log, numeric: true })),
      spanGaps: true,
    },
  };
  return {
    id: `history-${slug(workload)}-${slug(metric)}${testbed ? `-${slug(testbed)}` : ''}`,
    workload,
    title: `${workload}: ${metric} across kernels${on}`,
    alt: `${workload} ${metric} (${unit}) for ${series.length} strategy/point series across ${columns.length} runs${on}, oldest kernel first.`,
    config,
  };
}

/** One chart per workload and metric, and per testbed for latencies kept apart (never two machines' latencies in one chart). */
export function chartsForTrend(trend: Trend): ChartSpec[] {
  const vary = varyingParamsByWorkload(trend.series);
  const groups = new Map<string, TrendSeries[]>();
  for (const s of trend.series) {
    const k = `${s.workload}\u0000${s.metric}\u0000${s.testbed?.name ?? ''}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups].map(([k, series]) => {
    const [workload, metric, testbed] = k.split('\u0000') as [string, string, string];
    return chart(trend, workload, metric, series, vary, testbed);
  });
}
