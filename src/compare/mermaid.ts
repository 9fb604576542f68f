/**
 * The headline comparisons as Mermaid charts for compare.md, which GitHub renders in the pull
 * request itself (the PNGs stay for compare.html and the artifacts). One chart per workload,
 * headline metric and point: each strategy (and each value of its own variant axes, a batch size)
 * a pair of bars, base and current. Mermaid has no log axis, so a chart whose figures span more
 * than SPLIT_RATIO is split into charts of figures of a kind, or the small bars would not show
 * (latencies only: exact counts are not split, and not charted at all when every pair is equal).
 * Latencies are charted only where the comparison may compare them (one testbed); counts and bytes
 * always, as they are exact anywhere.
 */
import type { Comparison, RowComparison } from '../analysis/comparison.js';
import { paramsKey, shortParams, varyingParamsByWorkload } from '../analysis/keys.js';
import { strategyOrder } from '../analysis/shapes.js';
import { variantAxesOf } from '../analysis/specs.js';
import { formatValue } from '../render/format.js';
import { pairedBarChart, type BarPair } from '../render/mermaid.js';

/** Charts in one comment at most: a comment has 65,536 characters, and a reviewer patience. */
export const MAX_MERMAID_CHARTS = 24;
/** Latencies further apart than this go to charts of their own: a bar a tenth of another's barely shows. */
export const SPLIT_RATIO = 10;
const COLOURS: [string, string] = ['#9e9e9e', '#0072B2'];

export interface HeadlineCharts {
  /** ```mermaid blocks, each as lines */
  timed: string[][];
  exact: string[][];
  /** charts left out to stay under MAX_MERMAID_CHARTS */
  omitted: number;
  /** why latencies are not charted, when they are not */
  timedLeftOut: string | null;
}

function measured(r: RowComparison): boolean {
  return r.base?.status === 'ok' && r.current?.status === 'ok' && r.base.value !== null && r.current.value !== null;
}

interface Group {
  workload: string;
  metric: string;
  unit: string;
  point: string;
  /** sampled timings, whose small bars must stay visible to show a change */
  timed: boolean;
  rows: RowComparison[];
}

function groupsOf(c: Comparison, rows: RowComparison[]): Group[] {
  const vary = varyingParamsByWorkload(c.rows);
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const variant = variantAxesOf(c.current, r.workload);
    const key = `${r.workload}\u0000${r.metric}\u0000${paramsKey(r.params, variant)}`;
    let g = groups.get(key);
    if (!g) {
      const axes = (vary.get(r.workload) ?? []).filter((a) => !variant.includes(a));
      groups.set(key, (g = { workload: r.workload, metric: r.metric, unit: r.unit, point: shortParams(r.params, axes), timed: r.spec.noise === 'timed', rows: [] }));
    }
    g.rows.push(r);
  }
  return [...groups.values()];
}

/** A strategy's pair of bars, named with its variant values when it has several in the chart. */
function pairsOf(c: Comparison, g: Group): BarPair[] {
  const variant = variantAxesOf(c.current, g.workload);
  const rows = [...g.rows].sort((a, b) => strategyOrder(a.strategy, b.strategy));
  return rows.map((r) => {
    const several = rows.filter((x) => x.strategy === r.strategy).length > 1;
    const label = several ? `${r.strategy} ${shortParams(r.params, variant)}` : r.strategy;
    return { label, base: r.base!.value!, current: r.current!.value! };
  });
}

/** Pairs in bands of figures within SPLIT_RATIO of the band's largest, each band in the pairs' own order. */
function bands(pairs: BarPair[]): BarPair[][] {
  const size = (p: BarPair) => Math.max(Math.abs(p.base), Math.abs(p.current));
  const bySize = [...pairs].sort((a, b) => size(b) - size(a));
  const out: BarPair[][] = [];
  let top = Infinity;
  for (const p of bySize) {
    if (out.length === 0 || size(p) * SPLIT_RATIO < top) {
      out.push([]);
      top = size(p);
    }
    out[out.length - 1]!.push(p);
  }
  return out.map((band) => pairs.filter((p) => band.includes(p)));
}

/**
 * The group's charts. Titles name no release (the section says both once: a title cut at Mermaid's
 * width cut them mid-release); each label carries its figure.
 */
function chartsOf(c: Comparison, g: Group): string[][] {
  const pairs = pairsOf(c, g);
  // Counts the same in both runs, pair by pair, are a chart that says nothing.
  if (!g.timed && pairs.every((p) => p.base === p.current)) return [];
  // Exact counts are not split: prot-none's 32,767 VMAs beside a marker's 0 is the figure itself.
  const split = g.timed ? bands(pairs) : [pairs];
  return split.map((band, i) => pairedBarChart({
    title: `${g.workload} ${g.metric}${g.point ? ` at ${g.point}` : ''}${split.length > 1 ? ` (${i + 1} of ${split.length})` : ''}`,
    axisTitle: g.unit,
    pairs: band,
    sides: ['base', 'current'],
    colours: COLOURS,
    valueText: (v) => formatValue(v),
  }));
}

/** The Mermaid charts of a comparison's headline metrics. */
export function headlineCharts(c: Comparison): HeadlineCharts {
  const headline = c.rows.filter((r) => r.spec.headline && measured(r));
  const timedComparable = c.latencies.comparable;
  const timed = timedComparable
    ? groupsOf(c, headline.filter((r) => r.spec.noise === 'timed' && r.verdict !== 'incomparable')).flatMap((g) => chartsOf(c, g)) : [];
  const exact = groupsOf(c, headline.filter((r) => r.spec.noise !== 'timed')).flatMap((g) => chartsOf(c, g));
  const keptTimed = timed.slice(0, MAX_MERMAID_CHARTS);
  const keptExact = exact.slice(0, MAX_MERMAID_CHARTS - keptTimed.length);
  return {
    timed: keptTimed,
    exact: keptExact,
    omitted: timed.length + exact.length - keptTimed.length - keptExact.length,
    timedLeftOut: c.latencies.comparable ? null : c.latencies.reason,
  };
}
