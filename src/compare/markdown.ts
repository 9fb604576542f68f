/**
 * A comparison as Markdown: a one-line result, the runs side by side, environment warnings, then
 * one table per verdict (regressed first). The same text goes to the console, to compare.md and,
 * in CI, into the pull-request comment, so it must read well in all three.
 */
import type { Comparison, RowComparison, Verdict } from '../analysis/comparison.js';
import { shortParams, varyingParamsByWorkload } from '../analysis/keys.js';
import { TEST_NAME } from '../stats/significance.js';
import { formatValue, percent as pct } from '../render/format.js';
import { mdEscape, mdTable } from '../render/markdown.js';

const HEADINGS: Record<Verdict, string> = {
  regressed: 'Regressed',
  improved: 'Improved',
  noisy: 'Noisy (too uncertain to decide)',
  changed: 'Changed figures without a verdict (informational)',
  unchanged: 'Unchanged',
  'not-compared': 'Not compared',
};

/** Tables a reader should see without clicking; the rest are folded. */
const OPEN: readonly Verdict[] = ['regressed', 'improved'];

/** One table per verdict that has rows, regressed first: the same cells for Markdown and HTML. */
export interface VerdictTable {
  verdict: Verdict;
  title: string;
  open: boolean;
  header: string[];
  rows: string[][];
}

export const TABLE_HEADER = ['workload', 'strategy', 'point', 'metric', 'base', 'current', 'change', 'confidence of a change', 'why'];
/** Which columns hold figures (right-aligned). */
export const NUMERIC_COLUMNS = [false, false, false, false, true, true, true, true, false];

export function verdictTables(c: Comparison): VerdictTable[] {
  const vary = varyingParamsByWorkload(c.rows);
  const tables: VerdictTable[] = [];
  for (const verdict of ['regressed', 'improved', 'noisy', 'changed', 'unchanged', 'not-compared'] as const) {
    const rows = c.rows.filter((r) => r.verdict === verdict);
    if (rows.length === 0) continue;
    tables.push({
      verdict,
      title: `${HEADINGS[verdict]} (${rows.length})`,
      open: OPEN.includes(verdict),
      header: TABLE_HEADER,
      rows: rows.map((r) => [
        r.workload, r.strategy, shortParams(r.params, vary.get(r.workload) ?? []) || '–', r.metric,
        figure(r, 'base'), figure(r, 'current'), changeCell(r), confidenceCell(r), r.why,
      ]),
    });
  }
  return tables;
}

export function renderCompareMarkdown(c: Comparison, title = 'guardbench compare'): string {
  const out: string[] = [`## ${title}`, '', `**${resultHead(c)}** · ${resultTail(c)}`, '', ...runsTable(c), ''];
  if (c.environment.length > 0) {
    out.push('> [!WARNING]', '> The runs were made in different environments; differences below may come from these:');
    for (const d of c.environment) out.push(`> - **${d.field}**: \`${d.base}\` → \`${d.current}\` (${d.matters})`);
    out.push('');
  }
  for (const w of c.warnings) out.push(`- ⚠ ${w}`);
  if (c.warnings.length > 0) out.push('');
  for (const t of verdictTables(c)) {
    // A reason or parameter from a run must not break the table or become markup in a PR comment.
    const table = mdTable(t.header, t.rows.map((r) => r.map(mdEscape)), (i) => NUMERIC_COLUMNS[i] ?? false);
    if (t.open) out.push(`### ${t.title}`, '', ...table, '');
    else out.push('<details>', `<summary>${t.title}</summary>`, '', ...table, '', '</details>', '');
  }
  out.push('<sub>', methodNote(c), '</sub>');
  return out.join('\n') + '\n';
}

/** "3 regressed beyond 5%" or "No regression beyond 5%": the verdict of the whole comparison. */
export function resultHead(c: Comparison): string {
  const t = pct(c.options.threshold);
  return c.regressed ? `${c.counts.regressed} regressed beyond ${t}` : `No regression beyond ${t}`;
}

export function resultTail(c: Comparison): string {
  const n = c.counts;
  const rest = [`${n.improved} improved`, `${n.noisy} noisy`, `${n.unchanged} unchanged`];
  if (n.changed > 0) rest.push(`${n.changed} other figures changed`);
  if (n['not-compared'] > 0) rest.push(`${n['not-compared']} not compared`);
  return rest.join(' · ');
}

function runsTable(c: Comparison): string[] {
  const line = (label: string, b: string, cur: string) => `| ${label} | ${b} | ${cur} |`;
  return [
    '| | base | current |',
    '| --- | --- | --- |',
    line('run', `\`${c.base.id}\``, `\`${c.current.id}\``),
    line('kernel', c.base.env.kernel.release, c.current.env.kernel.release),
    line('profile', c.base.profile, c.current.profile),
    line('started', c.base.startedAt, c.current.startedAt),
  ];
}

function figure(r: RowComparison, side: 'base' | 'current'): string {
  const row = r[side];
  if (!row) return '–';
  if (row.status !== 'ok') return row.status;
  return formatValue(row.value, r.unit);
}

function changeCell(r: RowComparison): string {
  if (r.change === null) return '–';
  if (!Number.isFinite(r.change)) return r.delta !== null ? `${r.delta > 0 ? '+' : ''}${formatValue(r.delta)} (from 0)` : '–';
  const change = `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`;
  if (r.spec.noise !== 'timed') return r.delta !== null && r.delta !== 0 ? `${change} (${r.delta > 0 ? '+' : ''}${formatValue(r.delta)})` : change;
  return r.rme !== null ? `${change} ±${r.rme.toFixed(1)}%` : change;
}

function confidenceCell(r: RowComparison): string {
  if (r.confidence === null) return '–';
  if (r.spec.noise === 'exact') return 'exact';
  // A counter's noise is a tolerance, not a probability: the why column gives it.
  if (r.spec.noise !== 'timed') return '–';
  if (r.confidence >= 0.999) return '>99.9%';
  return `${(r.confidence * 100).toFixed(1)}%`;
}

export function methodNote(c: Comparison): string {
  const o = c.options;
  return [
    `Latency rows: change of the median; significance by ${TEST_NAME} from each row's mean, sd and sample count`,
    `(Student-t CDF from @stdlib/stats-base-dists-t-cdf), α=${o.alpha}. Regressed only when the median, the mean and the minimum all`,
    `moved beyond ${pct(o.threshold)} the same way and the test is significant; a side with a relative margin of error above ${o.maxRme}%`,
    'is noisy unless the change clears threshold plus margin. Counts and bytes are judged by the direction the run gives each metric:',
    'exact counts (VMAs added, system calls) fail on any change the wrong way, figures from a process- or system-wide counter',
    '(page tables, VMA slab) only on a change beyond the threshold and the counter\'s own noise; figures with no direction are shown only.',
  ].join('\n');
}
