/**
 * `guardbench compare BASE CURRENT`: pair the two runs' rows, judge each pair, print the Markdown
 * (or, with --json, the comparison as data) and exit 0 (no regression beyond the threshold), 1 (a
 * regression), 2 (unusable input, through the CLI's handling of InvalidRunError and UsageError) or,
 * with --strict, 4 (latencies that could not be compared).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { readRun } from '../results/read.js';
import { writeFileAtomic, writeJsonAtomic } from '../results/write.js';
import { compareRuns, comparedRows, confirmComparison, DEFAULT_OPTIONS, type Comparison, type CompareOptions } from '../analysis/comparison.js';
import { renderCompareMarkdown } from '../compare/markdown.js';
import { comparisonJson } from '../compare/json.js';
import { chartsForComparison } from '../compare/charts.js';
import { renderCompareHtml } from '../compare/html.js';
import { parseAlpha, parseMaxRme, parseThreshold } from '../compare/options.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

const HELP = `usage: guardbench compare BASE CURRENT [options]

Compares two runs (run.json files, or directories holding one) row by row and prints a Markdown
report. Latencies are compared only between runs of one testbed (the machine a run records);
counts and bytes between any two runs.

options:
  --threshold P   smallest change that counts, in percent (default ${DEFAULT_OPTIONS.threshold * 100}%)
  --alpha A       significance level of Welch's t-test (default ${DEFAULT_OPTIONS.alpha})
  --max-rme P     margin of error above which a row is too noisy to judge (default ${DEFAULT_OPTIONS.maxRme}%)
  --confirm RUN   another run of the same code as CURRENT; a regression counts only if it shows
                  against this run too (repeatable)
  --same-testbed  compare latencies of runs that record no testbed (older runs) as if from one machine
  --strict        exit 4 when latencies could not be compared (different testbeds, an emulated CPU)
  --out DIR       also write compare.md, compare.json, compare.html and charts/*.png (base and
                  current side by side) into DIR
  --json          print the comparison as JSON (guardbench.compare/v1, as compare.json) instead
  --quiet         print only the result line, not the whole report
  --help          this text

${exitCodesHelp({
  '0': 'no regression beyond the threshold',
  '1': 'at least one regression (with --confirm: one that repeated)',
  '4': 'with --strict: latencies not comparable (different testbeds, an emulated CPU)',
})}
`;

interface CompareArgs {
  basePath: string;
  currentPath: string;
  options: CompareOptions;
  confirmPaths: string[];
  out: string | undefined;
  quiet: boolean;
  json: boolean;
  strict: boolean;
}

export function parseCompareArgs(argv: string[]): CompareArgs | 'help' {
  const parsed = parseCommandArgs(argv, { allowPositionals: true, options: OPTIONS });
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.json && values.quiet) throw new UsageError('--json and --quiet exclude each other');
  if (positionals.length !== 2) {
    throw new UsageError(`expected two runs, BASE and CURRENT, got ${positionals.length} (see guardbench compare --help)`);
  }
  return {
    basePath: positionals[0]!,
    currentPath: positionals[1]!,
    options: {
      threshold: values.threshold !== undefined ? parseThreshold(values.threshold) : DEFAULT_OPTIONS.threshold,
      alpha: values.alpha !== undefined ? parseAlpha(values.alpha) : DEFAULT_OPTIONS.alpha,
      maxRme: values['max-rme'] !== undefined ? parseMaxRme(values['max-rme']) : DEFAULT_OPTIONS.maxRme,
      sameTestbed: values['same-testbed'] ?? false,
    },
    strict: values.strict ?? false,
    confirmPaths: values.confirm ?? [],
    out: values.out,
    quiet: values.quiet ?? false,
    json: values.json ?? false,
  };
}

const OPTIONS = {
  threshold: { type: 'string' },
  alpha: { type: 'string' },
  'max-rme': { type: 'string' },
  confirm: { type: 'string', multiple: true },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  json: { type: 'boolean' },
  'same-testbed': { type: 'boolean' },
  strict: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  const args = parseCompareArgs(argv);
  if (args === 'help') {
    console.log(HELP);
    return EXIT.ok;
  }
  const base = readRun(args.basePath);
  const current = readRun(args.currentPath);
  // Each run's comparison knows how many others will confirm it: its rows are tested to match.
  const options = { ...args.options, confirmations: args.confirmPaths.length };
  const confirming = args.confirmPaths.map((p) => compareRuns(base, readRun(p), options));
  const comparison = confirmComparison(compareRuns(base, current, options), confirming);
  if (comparedRows(comparison).length === 0) {
    throw new UsageError(`${args.basePath} and ${args.currentPath} have no measured rows in common (different workloads or parameter points?)`);
  }
  const markdown = renderCompareMarkdown(comparison);
  if (args.json) console.log(JSON.stringify(comparisonJson(comparison), null, 2));
  else if (args.quiet) console.log(markdown.split('\n').find((l) => l.startsWith('**')) ?? '');
  else console.log(markdown);
  if (comparison.environment.length > 0) {
    console.error(`guardbench compare: warning: the runs' environments differ in ${comparison.environment.map((d) => d.field).join(', ')}`);
  }
  if (args.out) await writeOutputs(comparison, markdown, args.out);
  if (comparison.regressed) return EXIT.finding;
  return args.strict && comparison.counts.incomparable > 0 ? EXIT.notComparable : EXIT.ok;
}

async function writeOutputs(comparison: Comparison, markdown: string, out: string): Promise<void> {
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new UsageError(`--out ${out}: cannot create (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  writeFileAtomic(join(out, 'compare.md'), markdown);
  writeJsonAtomic(join(out, 'compare.json'), comparisonJson(comparison));
  const charts = chartsForComparison(comparison);
  writeFileAtomic(join(out, 'compare.html'), renderCompareHtml(comparison, charts));
  // Loaded only here: the chart renderer needs @napi-rs/canvas, which comparing does not. Without
  // it the verdict stands (its exit code must not turn into a chart failure's).
  const { chartRendererUnavailable, renderChartPng } = await import('../render/png.js');
  const unavailable = chartRendererUnavailable();
  if (unavailable) {
    console.error(`guardbench compare: ${unavailable}`);
    return;
  }
  mkdirSync(join(out, 'charts'), { recursive: true });
  for (const spec of charts) writeFileAtomic(join(out, 'charts', `${spec.id}.png`), await renderChartPng(spec));
}
