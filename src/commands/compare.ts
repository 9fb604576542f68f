/**
 * `guardbench compare BASE CURRENT`: pair the two runs' rows, judge each pair, print the comparison
 * in the format asked for (text on a terminal, Markdown elsewhere) and exit 0 (no regression beyond the threshold), 1 (a
 * regression), 2 (unusable input, through the CLI's handling of InvalidRunError and UsageError) or,
 * with --strict, 4 (latencies that could not be compared).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { readRun } from '../results/read.js';
import { writeFileAtomic } from '../results/write.js';
import { compareRuns, comparedRows, confirmComparison, DEFAULT_OPTIONS, MAX_USABLE_DETECTABLE, type CompareOptions } from '../analysis/comparison.js';
import { chartsForComparison } from '../compare/charts.js';
import type { CompareFormat } from '../compare/format.js';
import { COMPARE_FORMATS, loadCompareFormat } from '../compare/formats.js';
import { buildCompareModel, type CompareModel } from '../compare/model.js';
import { verdictLine } from '../compare/words.js';
import { parseAlpha, parseMaxRme, parseThreshold } from '../compare/options.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

const HELP = `usage: guardbench compare BASE CURRENT [options]

Compares two runs (run.json files, or directories holding one) row by row and prints what it
judged: plain text on a terminal, Markdown otherwise (a file, a pipe, CI). Latencies are
compared only between runs of one testbed (the machine a run records); counts and bytes between
any two runs. A figure these runs could not have seen change by ${MAX_USABLE_DETECTABLE * 100}% is inconclusive.

options:
  --threshold P   smallest change that counts, in percent (default ${DEFAULT_OPTIONS.threshold * 100}%)
  --alpha A       significance level of Welch's t-test (default ${DEFAULT_OPTIONS.alpha})
  --max-rme P     margin of error above which a row is too noisy to judge (default ${DEFAULT_OPTIONS.maxRme}%)
  --confirm RUN   another run of the same code as CURRENT; a regression counts only if it shows
                  against this run too (repeatable)
  --same-testbed  compare latencies of runs that record no testbed (older runs) as if from one
                  machine
  --strict        exit 4 when latencies could not be compared (different testbeds, an emulated CPU)
  --format F      what to print: ${COMPARE_FORMATS.join(', ')} (default: text on a terminal, md
                  otherwise); text is plain ASCII of at most 80 columns, for a mail
  --out DIR       also write compare.txt, compare.md, compare.json, compare.html and charts/*.png
                  (base and current side by side) into DIR
  --json          the same as --format json (guardbench.compare/v2, as compare.json)
  --quiet         print only the verdict line, not the whole comparison
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
  /** the format to print */
  format: string;
  strict: boolean;
}

export function parseCompareArgs(argv: string[]): CompareArgs | 'help' {
  const parsed = parseCommandArgs(argv, { allowPositionals: true, options: OPTIONS });
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.json && values.format !== undefined && values.format !== 'json') throw new UsageError('--json and --format exclude each other');
  const format = values.json ? 'json' : values.format ?? (process.stdout.isTTY ? 'text' : 'md');
  if (values.quiet && (values.json || values.format !== undefined)) throw new UsageError('--quiet prints only the verdict line: it takes no --format or --json');
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
    format,
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
  format: { type: 'string' },
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
  const format = await loadCompareFormat(args.format);
  const base = readRun(args.basePath);
  const current = readRun(args.currentPath);
  // Each run's comparison knows how many others will confirm it: its rows are tested to match.
  const options = { ...args.options, confirmations: args.confirmPaths.length };
  const confirming = args.confirmPaths.map((p) => compareRuns(base, readRun(p), options));
  const comparison = confirmComparison(compareRuns(base, current, options), confirming);
  if (comparedRows(comparison).length === 0) {
    throw new UsageError(`${args.basePath} and ${args.currentPath} have no measured rows in common (different workloads or parameter points?)`);
  }
  const model = buildCompareModel(comparison);
  if (args.quiet) console.log(verdictLine(model));
  else process.stdout.write(format.render(model));
  if (comparison.environment.length > 0) {
    console.error(`guardbench compare: warning: the runs' environments differ in ${comparison.environment.map((d) => d.field).join(', ')}`);
  }
  if (args.out) await writeOutputs(model, args.out);
  if (comparison.regressed) return EXIT.finding;
  return args.strict && comparison.counts.incomparable > 0 ? EXIT.notComparable : EXIT.ok;
}

/** What --out writes: every format's file, then the charts as PNGs. */
async function writeOutputs(model: CompareModel, out: string): Promise<void> {
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new UsageError(`--out ${out}: cannot create (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const formats: CompareFormat[] = await Promise.all(COMPARE_FORMATS.map(loadCompareFormat));
  for (const f of formats) writeFileAtomic(join(out, f.file), f.render(model));
  const charts = chartsForComparison(model.comparison);
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
