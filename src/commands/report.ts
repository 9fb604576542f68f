/** `guardbench report RUN.json`: re-render a run, from this machine or another, as Markdown, PNG and HTML. */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readRun } from '../results/read.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/types.js';
import { parseCommandArgs } from './args.js';
import { parseReportFormats } from './reports.js';
import { renderReports } from '../report/index.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

const HELP = `usage: guardbench report RUN.json [--out DIR] [--format md,png,html]

Renders a run (a run.json, or a directory holding one) into reports that read it and nothing else:
  report.md     GitHub Markdown for a pull request or mailing-list thread
  charts/*.png  the charts, for report.md and anywhere else
  report.html   one self-contained page: interactive charts, sortable raw rows, no network

options:
  --out DIR        write the reports into DIR (default: the run's directory)
  --format LIST    comma-separated formats to render (default: ${REPORT_FORMATS.join(',')})
  --help           this text

${exitCodesHelp({
  '0': 'every format asked for was rendered',
  '2': 'or a format needs what this machine lacks (PNG: the @napi-rs/canvas binary)',
})}`;

interface ReportArgs {
  run: string;
  out: string | undefined;
  formats: ReportFormat[];
}

export function parseReportArgs(argv: string[]): ReportArgs | 'help' {
  const parsed = parseCommandArgs(argv, {
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('give the run to render: guardbench report RUN.json');
  if (positionals.length > 1) throw new UsageError(`one run at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  return {
    run: positionals[0]!,
    out: values.out,
    formats: values.format === undefined ? [...REPORT_FORMATS] : parseReportFormats('--format', values.format),
  };
}

export async function main(argv: string[]): Promise<number> {
  const args = parseReportArgs(argv);
  if (args === 'help') {
    console.log(HELP);
    return 0;
  }
  const run = readRun(args.run);
  const runDir = existsSync(args.run) && statSync(args.run).isDirectory() ? args.run : dirname(args.run);
  const outDir = resolve(args.out ?? runDir);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UsageError(`--out ${args.out}: is a file, not a directory`);
  const { files, missing } = await renderReports(run, outDir, args.formats);
  for (const m of missing) console.error(`guardbench report: ${m.reason}`);
  const shown = files.map((f) => relative(process.cwd(), f) || f);
  const charts = shown.filter((f) => f.includes(join('charts', '')));
  const others = shown.filter((f) => !charts.includes(f));
  if (files.length > 0) console.log(`wrote ${[...others, ...(charts.length ? [`${charts.length} charts in ${join(relative(process.cwd(), outDir) || '.', 'charts')}`] : [])].join(', ')}`);
  if (missing.some((m) => m.kind === 'failed')) return EXIT.internal;
  return missing.length > 0 ? EXIT.usage : EXIT.ok;
}
