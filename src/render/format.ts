/**
 * How figures, sizes, ratios and parameter points are written, the same way in every view: the
 * console, Markdown, HTML, charts.
 */
import type { ParamValue, Params } from '../results/schema.js';

/** A figure for a table: 3 significant digits, thousands separated. */
export function formatValue(value: number | null, unit = ''): string {
  if (value === null) return '-';
  const abs = Math.abs(value);
  if (abs > 0 && abs < 0.01) return `${Number(value.toPrecision(2))}${unit ? ` ${unit}` : ''}`;
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${text} ${unit}` : text;
}

/** 8388608 -> "8 MiB" when exact; other sizes in bytes. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (Math.abs(n) >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n.toLocaleString('en-US')} B`;
}

export function formatParam(name: string, value: ParamValue): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return /bytes$/i.test(name) ? formatBytes(value) : value.toLocaleString('en-US');
  return value;
}

/** "stacks=256, threads=yes" over the given names, in the order given. */
export function describePoint(params: Params, names: readonly string[]): string {
  return names.filter((n) => n in params).map((n) => `${n}=${formatParam(n, params[n]!)}`).join(', ');
}

/** A point named by the axes that vary in its workload ("one point" when none do). */
export function pointLabel(params: Params, varying: readonly string[]): string {
  return describePoint(params, varying) || 'one point';
}

/** 19.4 -> "19x", 5.04 -> "5.0x", 1.083 -> "1.08x": enough digits to tell neighbours apart. */
export function formatRatio(r: number): string {
  const digits = r >= 10 ? 0 : r >= 2 ? 1 : 2;
  return `${r.toFixed(digits)}x`;
}

/** 0.053 -> "+5.3%" */
export function signedPercent(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
}

/** 0.05 -> "5%", 0.125 -> "12.5%" */
export function percent(fraction: number): string {
  return `${+(fraction * 100).toFixed(2)}%`;
}

/** "count/stack" -> "per stack"; "count" -> "" */
export function perWhat(unit: string): string {
  const i = unit.indexOf('/');
  return i < 0 ? '' : `per ${unit.slice(i + 1)}`;
}

/** A p-value: three decimals, "<0.001" below that. */
export function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** A number in a sentence: two significant digits (0.00123 -> "0.0012", 1234 -> "1200"). */
export function twoDigits(x: number): string {
  return Number(x.toPrecision(2)).toString();
}
