/**
 * A comparison as Markdown: a one-line result, the runs side by side, environment warnings, then
 * one table per verdict (regressed first). The same text goes to the console, to compare.md and,
 * in CI, into the pull-request comment, so it must read well in all three.
 */
import type { Params } from '../results/schema.js';
import { formatValue, paramsKey } from '../report/summary.js';
import type { Comparison, RowComparison, Verdict } from './compare.js';
import { TEST_NAME } from './stats.js';

const HEADINGS: Record<Verdict, string> = {
  regressed: 'Regressed',
  improved: 'Improved',
  noisy: 'Noisy (too uncertain to decide)',
  changed: 'Changed figures without a verdict (bytes, other counts)',
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
    const table = [`| ${t.header.join(' | ')} |`, `| ${NUMERIC_COLUMNS.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
      ...t.rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`)];
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
  if (r.kind !== 'latency') return r.delta !== null && r.delta !== 0 ? `${change} (${r.delta > 0 ? '+' : ''}${formatValue(r.delta)})` : change;
  return r.rme !== null ? `${change} ±${r.rme.toFixed(1)}%` : change;
}

function confidenceCell(r: RowComparison): string {
  if (r.confidence === null) return '–';
  if (r.kind !== 'latency') return 'exact';
  if (r.confidence >= 0.999) return '>99.9%';
  return `${(r.confidence * 100).toFixed(1)}%`;
}

/** Per workload, the parameter names whose values differ between its rows: the rest is noise. */
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

function escapeCell(text: string): string {
  // A reason or parameter from a run must not break the table or become markup in a PR comment.
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;');
}

function pct(fraction: number): string {
  return `${+(fraction * 100).toFixed(2)}%`;
}

export function methodNote(c: Comparison): string {
  const o = c.options;
  return [
    `Latency rows: change of the median; significance by ${TEST_NAME} from each row's mean, sd and sample count`,
    `(Student-t CDF from @stdlib/stats-base-dists-t-cdf), α=${o.alpha}. Regressed only when the median, the mean and the minimum all`,
    `moved beyond ${pct(o.threshold)} the same way and the test is significant; a side with a relative margin of error above ${o.maxRme}%`,
    'is noisy unless the change clears threshold plus margin. Counts are exact: VMAs added, system calls and guards',
    'detected fail on any change the wrong way, other counts and the system-wide slab/page-table bytes are shown only.',
  ].join('\n');
}
