/**
 * A figure as a reader should see it: times in the unit their size calls for (ns, µs, ms, s), an
 * errno by its name, and a figure that its counter cannot tell from zero shown as 0 with what was
 * measured and the counter's resolution in a note (hover in HTML), never as 0.00024 or -14.
 */
import { constants } from 'node:os';
import type { MetricSpec, Row } from '../results/schema.js';
import { formatValue } from '../render/format.js';

const TIME_UNITS: readonly [string, number][] = [['s', 1e9], ['ms', 1e6], ['µs', 1e3]];

/** 573 -> "573 ns", 2054 -> "2.05 µs", 9687715 -> "9.69 ms": three significant digits in the unit that fits. */
export function formatNs(ns: number): string {
  const abs = Math.abs(ns);
  for (const [unit, size] of TIME_UNITS) if (abs >= size) return `${Number((ns / size).toPrecision(3)).toLocaleString('en-US')} ${unit}`;
  return `${formatValue(ns)} ns`;
}

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** 12 -> "ENOMEM", 0 -> "none" (the call did not fail), an unknown number -> "errno 140". */
export function errnoName(n: number): string {
  if (n === 0) return 'none';
  return ERRNO_NAMES.get(n) ?? `errno ${n}`;
}

/** "ns/stack" -> "per stack"; "count" -> "count". */
function perUnit(unit: string): string {
  const i = unit.indexOf('/');
  return i < 0 ? unit : `per ${unit.slice(i + 1)}`;
}

/** A metric's name and what its figures count, for a row label: "teardown (per stack)", "vma_delta (count)". */
export function metricLabel(spec: MetricSpec): string {
  const name = spec.label ?? spec.metric;
  if (spec.unit === 'errno') return name;
  return `${name} (${spec.unit.startsWith('ns/') ? perUnit(spec.unit) : spec.unit})`;
}

/** A shown figure: its text, and what a reader should know about it on a closer look. */
export interface ShownFigure {
  text: string;
  note?: string;
}

/** Below this, a per-unit exact count is a pool's one VMA shared among its units, not a cost per unit. */
const SMALL_SHARE = 0.01;

/**
 * `value` (of `spec`'s unit) as a table shows it. `resolution`: the smallest change the figure's
 * counter tells from its own noise (rows of process- and system-wide counters record it).
 */
export function shownValue(value: number, spec: Pick<MetricSpec, 'unit' | 'kind'>, resolution?: number): ShownFigure {
  if (value !== 0 && resolution !== undefined && resolution > 0 && Math.abs(value) < resolution) {
    return { text: '0', note: `measured ${formatValue(value)} ${spec.unit}, within the counter's resolution of ±${formatValue(resolution)}` };
  }
  if (spec.unit.startsWith('ns/') || spec.unit === 'ns') return { text: formatNs(value) };
  if (spec.unit === 'errno') return { text: errnoName(value) };
  if (spec.kind === 'count' && spec.unit.includes('/') && value !== 0 && Math.abs(value) < SMALL_SHARE) {
    return { text: '≈ 0', note: `${formatValue(value)} ${spec.unit}: one shared among the ${formatValue(Math.round(1 / value))} ${spec.unit.split('/')[1]}s` };
  }
  return { text: formatValue(value) };
}

/** A measured row as shown: its value with the row's own resolution. */
export function shownRow(row: Row, spec: Pick<MetricSpec, 'unit' | 'kind'>): ShownFigure {
  return shownValue(row.value ?? 0, spec, row.resolution);
}
