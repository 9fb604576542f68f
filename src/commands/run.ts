/**
 * `guardbench run` (what `npm run bench` does): probe, plan, measure point by point, write the run
 * document after every point, then render the reports and print the summary (or, with --json, one
 * JSON document) on stdout. Progress and notes go to stderr.
 */
import { existsSync, statSync, mkdirSync, accessSync, constants as fsConstants } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, oneLine } from '../errors.js';
import { probeFeatures } from '../probe/features.js';
import { captureEnv } from '../probe/env.js';
import { axisNames, buildPlan, planPoints } from '../runner/plan.js';
import { PointAccumulator, passBudget, workloadSpec } from '../runner/runner.js';
import { runPasses } from '../runner/passes.js';
import { Progress, progressMode } from '../runner/progress.js';
import { RunWriter, runId } from '../results/run-writer.js';
import { makeStrategies } from '../strategies/index.js';
import { loadAverage, parsePinCpu, pinToCpu, reexecWithoutAslr } from '../runner/noise.js';
import { HostSpeedMeter } from '../runner/host-speed.js';
import { WorkerPool } from '../workloads/scaling-pool.js';
import { calibrateFfi } from '../runner/calibrate.js';
import { countVmas } from '../metrics/vmas.js';
import { v8PagedHeapBytes } from '../metrics/heap.js';
import { takeCensus } from '../census/take.js';
import { renderConsoleSummary } from '../report/console.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/types.js';
import { runVerification } from '../verify/index.js';
import { memoryKindOf } from '../sys/memory.js';
import type { Profile } from '../results/schema.js';
import { WORKLOADS } from '../workloads/index.js';
import { PROFILES } from '../../bench/profiles.js';
import { parseCommandArgs } from './args.js';
import { parseReportFormats } from './reports.js';
import { runResult } from './run-result.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

const HELP = `usage: guardbench run [options]     (npm run bench -- [options])

Measures guard markers against PROT_NONE guards on the running kernel and writes
results/runs/<id>/run.json and run.csv (the guardbench.run/v1 contract).

options:
  --quick               quick profile (${PROFILES.quick.description})
  --full                full profile (${PROFILES.full.description})
  --profile NAME        ${Object.keys(PROFILES).join(' | ')} (default: default)
  --workload NAME       only this workload; repeatable (${WORKLOADS.map((w) => w.name).join(', ')})
  --strategy NAME       only this strategy; repeatable (no-guard, prot-none, guard-madvise, guard-process-madvise)
  --out DIR             write the run into DIR instead of results/runs/<id>/
  --format LIST         reports to render after measuring: none, or any of ${REPORT_FORMATS.join(',')} (default: all);
                        --report LIST is the same (its older name)
  --json                print one JSON document on stdout instead of the summary: the files written,
                        completeness, row counts by status and every ok row's value
  --quiet               no progress on stderr (the summary, or --json's document, still prints)
  --pin CPU             pin the measuring thread to CPU (sched_setaffinity)
  --no-aslr             run with address-space randomisation off (personality ADDR_NO_RANDOMIZE)
  --no-verify           skip the guard-semantics checks (guardbench verify) that gate each strategy
  --testbed NAME        name this machine's testbed (default: derived from its CPU, memory, hypervisor and
                        machine id); latencies are only ever compared between runs of one testbed
  --help                this text

parameter overrides (comma-separated values replace the profile's axis):
  ${axisNames(PROFILES).map((n) => `--${n} V[,V...]`).join('\n  ')}

${exitCodesHelp({
  '0': 'measured; run.json is complete (a report that could not be rendered is a note on stderr)',
  '130/143': 'interrupted by SIGINT/SIGTERM: run.json keeps every finished row (complete: false)',
})}
`;

interface RunArgs {
  profile: Profile;
  workloads: string[];
  strategies: string[];
  out: string | undefined;
  quiet: boolean;
  json: boolean;
  reports: ReportFormat[];
  pin: number | null;
  noAslr: boolean;
  noVerify: boolean;
  testbed: string | undefined;
  overrides: Record<string, string>;
}

export function parseRunArgs(argv: string[]): RunArgs | 'help' {
  const axisOptions = Object.fromEntries(axisNames(PROFILES).map((n) => [n, { type: 'string' as const }]));
  const { values } = parseCommandArgs(argv, {
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      profile: { type: 'string' },
      workload: { type: 'string', multiple: true },
      strategy: { type: 'string', multiple: true },
      out: { type: 'string' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
      report: { type: 'string' },
      format: { type: 'string' },
      pin: { type: 'string' },
      'no-aslr': { type: 'boolean' },
      'no-verify': { type: 'boolean' },
      testbed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...axisOptions,
    },
  }) as { values: Record<string, string | boolean | string[] | undefined> };
  if (values.help) return 'help';
  const picked = [values.quick && 'quick', values.full && 'full', values.profile].filter(Boolean) as string[];
  if (picked.length > 1) throw new UsageError(`choose one profile, got ${picked.join(' and ')}`);
  const profile = (picked[0] ?? 'default') as string;
  if (!(profile in PROFILES)) throw new UsageError(`unknown profile '${profile}' (profiles: ${Object.keys(PROFILES).join(', ')})`);
  const overrides: Record<string, string> = {};
  for (const n of axisNames(PROFILES)) if (typeof values[n] === 'string') overrides[n] = values[n] as string;
  return {
    profile: profile as Profile,
    workloads: (values.workload as string[] | undefined) ?? [],
    strategies: (values.strategy as string[] | undefined) ?? [],
    out: values.out as string | undefined,
    quiet: Boolean(values.quiet),
    json: Boolean(values.json),
    reports: reportFormats(values.format, values.report),
    pin: typeof values.pin === 'string' ? parsePinCpu(values.pin) : null,
    noAslr: Boolean(values['no-aslr']),
    noVerify: Boolean(values['no-verify']),
    testbed: typeof values.testbed === 'string' ? parseTestbedName(values.testbed) : undefined,
    overrides,
  };
}

/** A testbed name names baseline directories: letters, digits and . _ - only. */
/** --format, or --report as the same flag was called before every command took --format. */
function reportFormats(format: unknown, report: unknown): ReportFormat[] {
  if (typeof format === 'string' && typeof report === 'string') throw new UsageError('--format and --report are one flag: give one');
  if (typeof format === 'string') return parseReportFormats('--format', format, true);
  return typeof report === 'string' ? parseReportFormats('--report', report, true) : [...REPORT_FORMATS];
}

function parseTestbedName(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(text)) throw new UsageError(`--testbed: '${text}' is not a usable name (letters, digits, . _ - only, at most 64)`);
  return text;
}

/** Make sure results can be written before anything is measured. */
export function prepareOutDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out ${dir}: is a file, not a directory`);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, fsConstants.W_OK);
  } catch (e) {
    throw new UsageError(`--out ${dir}: cannot write there (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`);
  }
}

/**
 * A cheap census of the whole system at the start of every run, so history shows how the share of
 * guard VMAs moves across kernel and libc upgrades. A census that fails costs the run nothing.
 */
function recordSystemCensus(writer: RunWriter, probe: ReturnType<typeof probeFeatures>): void {
  try {
    const f = probe.features;
    writer.setCensus(takeCensus({
      maxProcesses: 10,
      budgetMs: 1500,
      features: { guardInstall: f.guardInstall, smapsGuardFlag: f.smapsGuardFlag, pagemapScanGuard: f.pagemapScanGuard, pagemapGuardBit: f.pagemapGuardBit },
    }));
  } catch (e) {
    console.error(`guardbench: census skipped: ${oneLine(e)}`);
  }
}

/** Write the empty run document now: a full disk or a read-only directory fails before measuring. */
function startWriter(dir: string, header: ConstructorParameters<typeof RunWriter>[1]): RunWriter {
  try {
    const writer = new RunWriter(dir, header);
    writer.flush();
    return writer;
  } catch (e) {
    throw new UsageError(`--out ${dir}: cannot write the run there (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`);
  }
}

export async function main(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  if (args === 'help') {
    console.log(HELP);
    return EXIT.ok;
  }
  const plan = buildPlan(args, PROFILES);
  if (args.noAslr) {
    const code = reexecWithoutAslr();
    if (code !== null) return code;
  }
  if (args.pin !== null) pinToCpu(args.pin);
  const probe = probeFeatures();
  const env = captureEnv(probe, args.testbed);
  const startedAt = new Date();
  const dir = resolve(args.out ?? join('results', 'runs', runId(startedAt, env.kernel.release)));
  prepareOutDir(dir);
  const writer = startWriter(dir, { profile: args.profile, argv, env, startedAt });
  // Guard semantics before any figure: a strategy whose guards misbehave gets failed rows, not numbers.
  // ... on each memory kind the run's points use (anonymous memory where a point has no `memory`).
  const kinds = [...new Set(planPoints(plan).map((p) => memoryKindOf(p.params)))];
  const verification = args.noVerify ? { results: [], failed: {} } : runVerification(probe, { kinds });
  writer.setVerify(verification.results);
  recordSystemCensus(writer, probe);

  const passes = plan.profile.passes;
  const budget = passBudget(plan.profile.budget, passes);
  writer.updateEnv({
    pinnedCpu: args.pin,
    passes,
    ffi: calibrateFfi(budget),
    vmaCountAtStart: countVmas(),
    v8HeapBytesAtStart: v8PagedHeapBytes(),
  });
  writer.setWorkloads(plan.workloads.map((w) => workloadSpec(w.workload)));
  writer.flush();

  const strategies = makeStrategies(probe);
  const points = planPoints(plan).map((p) => new PointAccumulator({ workload: p.workload, strategy: strategies[p.strategy], params: p.params }));
  const progress = new Progress(progressMode(args.quiet), points.length * passes);
  const hostSpeed = new HostSpeedMeter();
  // Complete only when every pass ran: a signal or an error leaves complete: false.
  let interrupted: string | null = 'an error';
  try {
    interrupted = await runPasses({ points, passes, probe, budget, failedVerification: verification.failed, writer, progress, hostSpeed });
  } finally {
    progress.finish();
    await WorkerPool.shutdown();
    writer.updateEnv({ vmaCountAtEnd: countVmas(), v8HeapBytesAtEnd: v8PagedHeapBytes(), loadAvgAfter: loadAverage(), hostSpeed: hostSpeed.summary() });
    writer.finish(interrupted === null);
  }
  if (interrupted) {
    console.error(`guardbench: ${interrupted}: stopped after ${writer.run.rows.length} rows; partial run kept in ${writer.jsonPath}`);
    if (args.json) printJson(runResult(writer.run, writer, { files: [], missing: [] }, interrupted));
    return interrupted === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  }
  // report.md, charts/*.png and report.html next to run.json, their code loaded only now; the run
  // is already written, so a report that cannot load or fails costs only itself (guardbench report
  // renders it again where it can).
  const reports = await (await import('../report/index.js')).renderReports(writer.run, dir, args.reports);
  for (const m of reports.missing) console.error(`guardbench: ${m.reason}`);
  if (args.json) {
    printJson(runResult(writer.run, writer, reports, null));
  } else {
    console.log(renderConsoleSummary(writer.run, { json: writer.jsonPath, csv: writer.csvPath, reports: reports.files }));
  }
  return EXIT.ok;
}

function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}
