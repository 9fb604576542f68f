/**
 * What makes two rows "the same" across runs and which point a row belongs to: the keys compare,
 * history, baselines and stability all pair rows by.
 */
import type { Params, Row } from '../results/schema.js';

/** "batch=64 guards=16384": a point's parameters in name order, less the names in `drop`. */
export function paramsKey(params: Params, drop: readonly string[] = []): string {
  return Object.keys(params).filter((k) => !drop.includes(k)).sort().map((k) => `${k}=${params[k]}`).join(' ');
}

/** Rows are the same measurement when workload, strategy, metric and parameter point agree. */
export function rowKey(row: Pick<Row, 'workload' | 'strategy' | 'params' | 'metric'>): string {
  return `${row.workload}|${row.strategy}|${row.metric}|${paramsKey(row.params)}`;
}

/** Per workload, the parameter names whose values differ between its rows: the rest says nothing. */
export function varyingParamsByWorkload(rows: readonly { workload: string; params: Params }[]): Map<string, string[]> {
  const values = new Map<string, Map<string, Set<string>>>();
  for (const r of rows) {
    let byName = values.get(r.workload);
    if (!byName) values.set(r.workload, (byName = new Map()));
    for (const [k, v] of Object.entries(r.params)) {
      if (!byName.has(k)) byName.set(k, new Set());
      byName.get(k)!.add(String(v));
    }
  }
  const out = new Map<string, string[]>();
  for (const [workload, byName] of values) out.set(workload, [...byName].filter(([, vs]) => vs.size > 1).map(([k]) => k));
  return out;
}

/** The point named by only the parameters that vary: "threads=true" rather than all five. */
export function shortParams(params: Params, keep: readonly string[]): string {
  const kept = Object.fromEntries(Object.entries(params).filter(([k]) => keep.includes(k)));
  return paramsKey(kept);
}
