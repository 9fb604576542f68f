/**
 * Parameter axes to points: the cross product of every axis, in declaration order, as Node's
 * benchmark/common.js builds it. Axes are plain data, so a profile is a table, not code.
 */
import type { ParamValue, Params } from '../results/schema.js';
import type { Axes } from '../workloads/types.js';

export function crossProduct(axes: Axes): Params[] {
  let points: Params[] = [{}];
  for (const [name, values] of Object.entries(axes)) {
    if (values.length === 0) throw new Error(`axis ${name} has no values`);
    const kinds = new Set(values.map((v) => typeof v));
    if (kinds.size > 1) throw new Error(`axis ${name} mixes ${[...kinds].join(' and ')}`);
    points = points.flatMap((p) => values.map((v: ParamValue) => ({ ...p, [name]: v })));
  }
  return points;
}

/** `regions=16384 slotBytes=12288`: how a point is named in progress lines and tables. */
export function describeParams(params: Params): string {
  return Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');
}
