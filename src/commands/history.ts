/**
 * `guardbench history PATH...`: headline metrics across runs, ordered by kernel release, as a
 * console table (or Markdown) and, with --out, history.md, history.html and line charts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../results/write.js';
import { renderPage } from '../render/page.js';
import { collectRuns } from '../results/read.js';
import { orderRuns } from '../analysis/kernel-version.js';
import { buildTrend, type Trend } from '../analysis/trend.js';
import { renderTrendMarkdown, renderTrendText, trendNotes, trendTables } from '../history/render.js';
import { chartsForTrend } from '../history/charts.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

const HELP = `usage: guardbench history PATH... [options]

The trend of headline metrics across runs, oldest kernel first (6.9 < 6.13 < 6.18-rc3 < 6.18 <
6.18.1; runs of one kernel by start time). PATH is a run.json or other run file (a baseline), a run
directory, or a directory of those (results/runs, results/baselines).

options:
  --metric NAME     metrics to show; repeatable (default: the metrics each run marks as headline figures)
  --all-metrics     every metric
  --workload NAME   only this workload; repeatable
  --strategy NAME   only this strategy; repeatable
  --format F        what to print: text (default: plain ASCII, at most 80 columns), md, or json
                    (guardbench.history/v1, as history.json)
  --markdown, --json  the same as --format md, --format json

Latencies are shown per testbed (the machine a run records): runs of two machines, or of an
emulated CPU and a real one, never stand side by side in one latency table, and no first -> last
change spans them. Counts and bytes span every run.
  --out DIR         also write history.md, history.json, history.html and charts/history-*.png
  --help            this text

${exitCodesHelp({ '0': 'the trend was printed' })}
`;

const OPTIONS = {
  metric: { type: 'string', multiple: true },
  'all-metrics': { type: 'boolean' },
  workload: { type: 'string', multiple: true },
  strategy: { type: 'string', multiple: true },
  format: { type: 'string' },
  markdown: { type: 'boolean' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { allowPositionals: true, options: OPTIONS });
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('give at least one run or directory of runs (see guardbench history --help)');
  if (values['all-metrics'] && values.metric) throw new UsageError('--metric and --all-metrics exclude each other');
  const format = historyFormat(values);

  const collected = collectRuns(positionals);
  for (const s of collected.skipped) console.error(`guardbench history: skipped ${s.why}`);
  if (collected.runs.length === 0) throw new UsageError(`no runs found in ${positionals.join(', ')}`);
  const runs = orderRuns(collected.runs);
  const filter = {
    metrics: values['all-metrics'] ? 'all' as const : values.metric ?? 'headline' as const,
    workloads: values.workload ?? [],
    strategies: values.strategy ?? [],
  };
  const trend = buildTrend(runs.map((r) => r.run), filter);
  if (trend.series.length === 0) {
    const metrics = [...new Set(runs.flatMap((r) => r.run.rows.map((row) => row.metric)))].sort();
    throw new UsageError(`no measured rows match the filter (metrics in these runs: ${metrics.join(', ')})`);
  }
  const markdown = renderTrendMarkdown(trend);
  if (format === 'json') console.log(JSON.stringify(trendDocument(trend), null, 2));
  else process.stdout.write(format === 'md' ? markdown : renderTrendText(trend));
  if (values.out) await writeOutputs(trend, markdown, values.out);
  return EXIT.ok;
}

const HISTORY_FORMATS = ['text', 'md', 'json'] as const;

/** --format, or the older --markdown and --json that name one. */
function historyFormat(values: { format?: string; markdown?: boolean; json?: boolean }): (typeof HISTORY_FORMATS)[number] {
  const asked = [values.format, values.markdown ? 'md' : undefined, values.json ? 'json' : undefined].filter((f): f is string => f !== undefined);
  if (new Set(asked).size > 1) throw new UsageError(`--format, --markdown and --json name one format each: got ${asked.join(', ')}`);
  const format = asked[0] ?? 'text';
  if (!(HISTORY_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: '${format}' is not a history format (${HISTORY_FORMATS.join(', ')})`);
  return format as (typeof HISTORY_FORMATS)[number];
}

/** The trend as data: what --json prints and --out writes as history.json. */
function trendDocument(trend: Trend): { schema: 'guardbench.history/v1' } & Trend {
  return { schema: 'guardbench.history/v1', ...trend };
}

async function writeOutputs(trend: Trend, markdown: string, out: string): Promise<void> {
  try {
    mkdirSync(join(out, 'charts'), { recursive: true });
  } catch (e) {
    throw new UsageError(`--out ${out}: cannot create (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  writeFileAtomic(join(out, 'history.md'), markdown);
  writeJsonAtomic(join(out, 'history.json'), trendDocument(trend));
  const charts = chartsForTrend(trend);
  const numeric = (n: number) => [false, false, ...Array.from({ length: n - 2 }, () => true)];
  writeFileAtomic(join(out, 'history.html'), renderPage({
    title: 'guardbench history',
    lead: [`${trend.columns.length} runs, oldest kernel first: ${trend.columns.map((c) => c.label).join(', ')}`],
    warnings: trendNotes(trend),
    tables: trendTables(trend).map((t) => ({ title: t.title, header: t.header, rows: t.body, open: true, numeric: numeric(t.header.length) })),
    chartsTitle: 'Across kernels',
    charts,
    notes: ['Medians (± relative margin of error of the mean, 95%) for latencies; exact values for counts.'],
  }));
  // Loaded only here: the chart renderer needs @napi-rs/canvas, which the trend itself does not.
  const { chartRendererUnavailable, renderChartPng } = await import('../render/png.js');
  const unavailable = chartRendererUnavailable();
  if (unavailable) {
    console.error(`guardbench history: ${unavailable}`);
    return;
  }
  for (const spec of charts) writeFileAtomic(join(out, 'charts', `${spec.id}.png`), await renderChartPng(spec));
}
