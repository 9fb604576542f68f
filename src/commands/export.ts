/**
 * `guardbench export RUN.json --format bmf|github-action-benchmark`: a run in the format of a
 * continuous-benchmarking service, to keep history across machines (Bencher) or chart it on GitHub
 * Pages (github-action-benchmark). docs/ci-and-history.md says how to send each, and which to choose.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError, printable } from '../errors.js';
import { readRun } from '../results/read.js';
import { writeJsonAtomic } from '../results/write.js';
import { toBmf } from '../export/bmf.js';
import { toGithubActionBenchmark } from '../export/github-action-benchmark.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

const FORMATS = ['bmf', 'github-action-benchmark'] as const;
type ExportFormat = (typeof FORMATS)[number];

/** The files github-action-benchmark reads, one per `tool:`. */
export const SMALLER_FILE = 'smaller-is-better.json';
export const BIGGER_FILE = 'bigger-is-better.json';

const HELP = `usage: guardbench export RUN.json --format bmf|github-action-benchmark [--out PATH]

Writes a run (a run.json, or a directory holding one) in a continuous-benchmarking service's
format. Only measured rows are exported: a skipped or failed row has no figure.

formats:
  bmf                      Bencher Metric Format, one JSON document, for
                           bencher run --adapter json --file FILE --testbed <the run's testbed>;
                           a benchmark per workload/strategy/point, a measure per metric and unit;
                           latencies with the median ± its 95% margin of error as bounds
  github-action-benchmark  the action's custom JSON in two files, ${SMALLER_FILE}
                           (tool: customSmallerIsBetter) and ${BIGGER_FILE} (customBiggerIsBetter),
                           sorted by each metric's better direction; "as expected" figures as their
                           distance from the expected value; figures with no direction left out

options:
  --format FORMAT  bmf or github-action-benchmark (required)
  --out PATH       bmf: the file to write (default: stdout);
                   github-action-benchmark: the directory for its two files (required); a file
                   with no entries is not written (the action refuses an empty one)
  --help           this text

The run's testbed (the machine it was made on) is printed on stderr: pass it to Bencher's --testbed.

${exitCodesHelp({ '0': 'exported', '2': 'or the run has no measured row to export' })}`;

interface ExportArgs {
  run: string;
  format: ExportFormat;
  out: string | undefined;
}

function parseFormat(value: string | undefined): ExportFormat {
  if (value === undefined) throw new UsageError(`give --format ${FORMATS.join(' or ')}`);
  if (!(FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format: '${printable(value, 60)}' is not ${FORMATS.join(' or ')}`);
  return value as ExportFormat;
}

export function parseExportArgs(argv: string[]): ExportArgs | 'help' {
  const { values, positionals } = parseCommandArgs(argv, {
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('give the run to export: guardbench export RUN.json --format bmf');
  if (positionals.length > 1) throw new UsageError(`one run at a time, got ${positionals.length}: ${positionals.map((p) => printable(p, 60)).join(' ')}`);
  const format = parseFormat(values.format);
  const out = values.out;
  if (format === 'github-action-benchmark') {
    if (out === undefined) throw new UsageError(`--format github-action-benchmark writes two files: give --out DIR for ${SMALLER_FILE} and ${BIGGER_FILE}`);
    if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${printable(out, 80)}: is a file; github-action-benchmark needs a directory`);
  } else if (out !== undefined && existsSync(out) && statSync(out).isDirectory()) {
    throw new UsageError(`--out ${printable(out, 80)}: is a directory; bmf writes one file`);
  }
  return { run: positionals[0]!, format, out };
}

/** A path as the user can find it: relative below the working directory, else as given. */
const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

export async function main(argv: string[]): Promise<number> {
  const args = parseExportArgs(argv);
  if (args === 'help') {
    console.log(HELP);
    return EXIT.ok;
  }
  const run = readRun(args.run);
  const testbed = run.env.testbed?.name;
  console.error(testbed ? `guardbench export: testbed ${testbed} (Bencher: --testbed ${testbed})`
    : 'guardbench export: this run records no testbed (made before testbeds were recorded); name one for Bencher yourself');
  if (args.format === 'bmf') {
    const bmf = toBmf(run);
    const benchmarks = Object.keys(bmf).length;
    if (benchmarks === 0) throw new UsageError(`${printable(args.run, 80)}: no measured row to export`);
    if (args.out === undefined) {
      console.log(JSON.stringify(bmf, null, 2));
      return EXIT.ok;
    }
    writeJsonAtomic(args.out, bmf);
    const measures = Object.values(bmf).reduce((n, b) => n + Object.keys(b).length, 0);
    console.log(`wrote ${shown(args.out)}: ${benchmarks} benchmarks, ${measures} figures`);
    return EXIT.ok;
  }
  const gab = toGithubActionBenchmark(run);
  if (gab.smallerIsBetter.length + gab.biggerIsBetter.length === 0) throw new UsageError(`${printable(args.run, 80)}: no measured row to export`);
  mkdirSync(args.out!, { recursive: true });
  const written: string[] = [];
  for (const [file, entries] of [[SMALLER_FILE, gab.smallerIsBetter], [BIGGER_FILE, gab.biggerIsBetter]] as const) {
    if (entries.length === 0) continue;
    writeJsonAtomic(join(args.out!, file), entries);
    written.push(`${shown(join(args.out!, file))} (${entries.length})`);
  }
  console.log(`wrote ${written.join(', ')}`);
  return EXIT.ok;
}
