/**
 * A comparison as Markdown: a one-line result, the runs side by side, environment warnings, then
 * one table per verdict (regressed first). The same text goes to the console, to compare.md and,
 * in CI, into the pull-request comment, so it must read well in all three.
 */
import { MAX_USABLE_DETECTABLE, VERDICTS, type Comparison, type RowComparison, type Verdict } from '../analysis/comparison.js';
import { shortParams, varyingParamsByWorkload } from '../analysis/keys.js';
import { TEST_NAME } from '../stats/significance.js';
import { formatValue, percent as pct } from '../render/format.js';
import { folded, mdCode, mdEscape, mdTable } from '../render/markdown.js';
import { headlineCharts } from './mermaid.js';
import { reasonWithConfounders } from './reasons.js';

const HEADINGS: Record<Verdict, string> = {
  regressed: 'Regressed',
  improved: 'Improved',
  inconclusive: 'Inconclusive (these runs could not have seen a change of the size that matters)',
  noisy: 'Noisy (too uncertain to decide)',
  changed: 'Changed figures without a verdict (informational)',
  incomparable: 'Latencies not compared (different testbeds or an emulated CPU)',
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

export const TABLE_HEADER = ['workload', 'strategy', 'point', 'metric', 'base', 'current', 'change', 'confidence of a change', 'smallest detectable change', 'why'];
/** Which columns hold figures (right-aligned). */
export const NUMERIC_COLUMNS = [false, false, false, false, true, true, true, true, true, false];

export function verdictTables(c: Comparison): VerdictTable[] {
  const vary = varyingParamsByWorkload(c.rows);
  const tables: VerdictTable[] = [];
  for (const verdict of VERDICTS) {
    const rows = c.rows.filter((r) => r.verdict === verdict);
    if (rows.length === 0) continue;
    tables.push({
      verdict,
      title: `${HEADINGS[verdict]} (${rows.length})`,
      open: OPEN.includes(verdict),
      header: TABLE_HEADER,
      rows: rows.map((r) => [
        r.workload, r.strategy, shortParams(r.params, vary.get(r.workload) ?? []) || '–', r.metric,
        figure(r, 'base'), figure(r, 'current'), changeCell(r), confidenceCell(r), detectableCell(r), reasonWithConfounders(r),
      ]),
    });
  }
  return tables;
}

export function renderCompareMarkdown(c: Comparison, title = 'guardbench compare'): string {
  const out: string[] = [`## ${title}`, '', `**${resultHead(c)}** · ${resultTail(c)}`, '', ...runsTable(c), ''];
  if (c.environment.length > 0) {
    out.push('> [!WARNING]', '> The runs were made in different environments; differences below may come from these:');
    for (const d of c.environment) out.push(`> - **${mdEscape(d.field)}**: ${mdCode(d.base)} → ${mdCode(d.current)} (${mdEscape(d.matters)})`);
    out.push('');
  }
  if (c.confounders.length > 0) {
    out.push('> [!WARNING]', '> Settings of this testbed changed between the runs; each verdict they could explain names them:');
    for (const d of c.confounders) out.push(`> - **${mdEscape(d.field)}**: ${mdEscape(clip(d.base))} → ${mdEscape(clip(d.current))}`);
    out.push('');
  }
  for (const w of c.warnings) out.push(`- ⚠ ${w}`);
  if (c.warnings.length > 0) out.push('');
  const tables = verdictTables(c);
  // The verdicts a reader must see, the charts, then the folded tables (cut first when a comment is too long).
  for (const t of tables.filter((x) => x.open)) out.push(`### ${t.title}`, '', ...verdictTable(t), '');
  out.push(...chartsSection(c));
  for (const t of tables.filter((x) => !x.open)) out.push('<details>', `<summary>${t.title}</summary>`, '', ...verdictTable(t), '', '</details>', '');
  out.push('<sub>', methodNote(c), '</sub>');
  return out.join('\n') + '\n';
}

/** A reason or parameter from a run must not break the table or become markup in a PR comment. */
function verdictTable(t: VerdictTable): string[] {
  return mdTable(t.header, t.rows.map((r) => r.map(mdEscape)), (i) => NUMERIC_COLUMNS[i] ?? false);
}

/** The headline figures as Mermaid charts GitHub draws in place: latencies open, exact figures folded. */
function chartsSection(c: Comparison): string[] {
  const charts = headlineCharts(c);
  if (charts.timed.length + charts.exact.length === 0 && !charts.timedLeftOut) return [];
  const out = ['### Headline figures, base against current', ''];
  out.push(`Each pair of bars is one strategy at one point: grey the base run (${mdEscape(c.base.env.kernel.release)}), `
    + `blue the current run (${mdEscape(c.current.env.kernel.release)}); the figures are in the tables.`, '');
  if (charts.timedLeftOut) out.push(`Latencies are not charted: ${mdEscape(charts.timedLeftOut)}.`, '');
  for (const chart of charts.timed) out.push(...chart, '');
  if (charts.exact.length > 0) {
    const body = charts.exact.flatMap((chart) => [...chart, '']);
    out.push(...folded(`VMAs and other exact headline figures (${charts.exact.length} ${charts.exact.length === 1 ? 'chart' : 'charts'})`, body));
  }
  if (charts.omitted > 0) out.push(`${charts.omitted} more charts are left out of this comment; compare.html and the PNG charts have every row.`, '');
  return out;
}

/** The largest smallest-detectable change among latencies judged for pass/fail, or null when none was. */
export function latencyResolution(c: Comparison): number | null {
  const judged = c.rows.filter((r) => r.spec.noise === 'timed' && r.detectable !== null && r.detectable <= MAX_USABLE_DETECTABLE
    && ['regressed', 'improved', 'unchanged'].includes(r.verdict));
  return judged.length ? Math.max(...judged.map((r) => r.detectable!)) : null;
}

/**
 * "3 regressed beyond 5%", or what "no regression" means here: no latency regression larger than
 * the largest change these runs could have told from noise, counts and bytes exact.
 */
export function resultHead(c: Comparison): string {
  const t = pct(c.options.threshold);
  if (c.regressed) return `${c.counts.regressed} regressed beyond ${t}`;
  const res = latencyResolution(c);
  if (res !== null) return `No regression: no latency regression larger than ${pct(Math.round(res * 100) / 100)}, counts and bytes within their noise`;
  return c.latencies.comparable ? `No regression beyond ${t}` : 'No regression in counts and bytes (latencies not compared)';
}

export function resultTail(c: Comparison): string {
  const n = c.counts;
  const rest = [`${n.improved} improved`, `${n.noisy} noisy`, `${n.unchanged} unchanged`];
  if (n.changed > 0) rest.push(`${n.changed} other figures changed`);
  if (n.incomparable > 0) rest.push(`${n.incomparable} latencies not comparable (${c.latencies.comparable ? 'emulated CPU' : c.latencies.reason})`);
  if (n['not-compared'] > 0) rest.push(`${n['not-compared']} not compared`);
  const unusable = c.rows.filter((r) => r.spec.noise === 'timed' && r.detectable !== null && r.detectable > MAX_USABLE_DETECTABLE).length;
  if (unusable > 0) rest.push(`${unusable} latencies too noisy on this testbed for pass/fail (smallest detectable change over ${pct(MAX_USABLE_DETECTABLE)})`);
  return rest.join(' · ');
}

/** A long setting (a kernel command line) cut for a table. */
function clip(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function runsTable(c: Comparison): string[] {
  const line = (label: string, b: string, cur: string) => `| ${label} | ${b} | ${cur} |`;
  return [
    '| | base | current |',
    '| --- | --- | --- |',
    // Every string here comes from a run: escaped, so none can break the table or open a code block.
    line('run', mdCode(c.base.id), mdCode(c.current.id)),
    line('kernel', mdEscape(c.base.env.kernel.release), mdEscape(c.current.env.kernel.release)),
    line('profile', c.base.profile, c.current.profile),
    line('testbed', mdEscape(c.base.env.testbed?.name ?? 'not recorded'), mdEscape(c.current.env.testbed?.name ?? 'not recorded')),
    line('started', mdEscape(c.base.startedAt), mdEscape(c.current.startedAt)),
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

function detectableCell(r: RowComparison): string {
  if (r.detectable === null) return '–';
  if (r.detectable === 0) return 'any';
  return `${(r.detectable * 100).toFixed(r.detectable < 0.1 ? 1 : 0)}%`;
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
    'is noisy unless the change clears threshold plus margin. The smallest detectable change of a latency is the change the test',
    `would find with 80% power at α=${o.alpha}, from both runs' margins of error and the baseline's run-to-run spread; a latency whose`,
    `smallest detectable change is over ${pct(MAX_USABLE_DETECTABLE)} is not used for pass/fail. Latencies are compared only within one testbed`,
    '(the machine a run records); counts and bytes on any. Counts and bytes are judged by the direction the run gives each metric:',
    'exact counts (VMAs added, system calls) fail on any change the wrong way, figures from a process- or system-wide counter',
    '(page tables, VMA slab) only on a change beyond the threshold and the counter\'s own noise; figures with no direction are shown only.',
  ].join('\n');
}
