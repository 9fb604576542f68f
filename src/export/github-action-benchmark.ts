/**
 * A run as github-action-benchmark's custom JSON: arrays of `{ name, unit, value, range?, extra? }`,
 * one for `tool: customSmallerIsBetter` and one for `customBiggerIsBetter`. The run's metric specs
 * decide which: `lower` is smaller-is-better, `higher` bigger-is-better. A figure whose better value
 * is "as expected" (guards a detection method finds) goes to smaller-is-better as its distance from
 * the expected value, named "... off expected": 0 while the kernel behaves, and an alert when it
 * does not. Figures with no better direction (an errno, the CPUs a run had) are left out: there is
 * nothing to alert on.
 */
import type { Row, Run } from '../results/schema.js';
import { specOf } from '../analysis/specs.js';
import { formatValue } from '../render/format.js';
import { benchmarkName, exportedRows } from './names.js';

export interface CustomBenchmark {
  name: string;
  unit: string;
  value: number;
  /** the figure's uncertainty, as text: the action shows it beside the value */
  range?: string;
  /** shown in the chart's tooltip */
  extra?: string;
}

export interface GithubActionBenchmark {
  smallerIsBetter: CustomBenchmark[];
  biggerIsBetter: CustomBenchmark[];
}

/** "± 123": the row's uncertainty in its unit, where it has one (see bmf.ts for which). */
function rangeOf(row: Row, timed: boolean): string | undefined {
  if (timed && row.stats) return `± ${formatValue(Math.abs(row.value!) * (row.stats.rme / 100))}`;
  if (row.resolution !== undefined && row.resolution > 0) return `± ${formatValue(row.resolution)}`;
  return undefined;
}

function extraOf(row: Row): string | undefined {
  if (!row.stats) return undefined;
  return `median of ${row.stats.samples} samples; p99 ${formatValue(row.stats.p99)}; relative margin of error ${row.stats.rme.toFixed(1)}%`;
}

function entry(name: string, unit: string, value: number, range?: string, extra?: string): CustomBenchmark {
  return { name, unit, value, ...(range ? { range } : {}), ...(extra ? { extra } : {}) };
}

export function toGithubActionBenchmark(run: Run): GithubActionBenchmark {
  const out: GithubActionBenchmark = { smallerIsBetter: [], biggerIsBetter: [] };
  for (const row of exportedRows(run.rows)) {
    const spec = specOf(run, row);
    const name = `${benchmarkName(row)} ${row.metric}`;
    const timed = spec.noise === 'timed' && spec.kind === 'latency';
    if (spec.better === 'lower') out.smallerIsBetter.push(entry(name, row.unit, row.value!, rangeOf(row, timed), extraOf(row)));
    else if (spec.better === 'higher') out.biggerIsBetter.push(entry(name, row.unit, row.value!, rangeOf(row, timed), extraOf(row)));
    else if (spec.better === 'expected' && row.expected !== undefined) {
      out.smallerIsBetter.push(entry(`${name} off expected`, `${row.unit} off expected`, Math.abs(row.value! - row.expected),
        undefined, `${formatValue(row.value)} against the ${formatValue(row.expected)} expected`));
    }
  }
  return out;
}
