/**
 * `guardbench run` (what `npm run bench` does): probe, plan, measure point by point, write the run
 * document after every point, then print the summary and render the reports.
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
import { takeCensus } from '../census/index.js';
import { renderConsoleSummary } from '../report/console.js';
import { renderReports } from '../report/index.js';
import { runVerification } from '../verify/index.js';
import { memoryKindOf } from '../sys/memory.js';
import type { Profile } from '../results/schema.js';
import { WORKLOADS } from '../workloads/index.js';
import { PROFILES } from '../../bench/profiles.js';
import { parseCommandArgs } from './args.js';

const HELP = `usage: guardbench run [options]     (npm run bench -- [options])

Measures guard markers against PROT_NONE guards on the running kernel and writes
results/runs/<id>/run.json and run.csv (the guardbench.run/v1 contract).

options:
  --quick               quick profile (${PROFILES.quick.description})
  --full                full profile (${PROFILES.full.description})
  --profile NAME        quick | default | full (default: default)
  --workload NAME       only this workload; repeatable (${WORKLOADS.map((w) => w.name).join(', ')})
  --strategy NAME       only this strategy; repeatable (no-guard, prot-none, guard-madvise, guard-process-madvise)
  --out DIR             write the run into DIR instead of results/runs/<id>/
  --quiet               no progress output
  --pin CPU             pin the measuring thread to CPU (sched_setaffinity)
  --no-aslr             run with address-space randomisation off (personality ADDR_NO_RANDOMIZE)
  --no-verify           skip the guard-semantics checks (guardbench verify) that gate each strategy
  --help                this text

parameter overrides (comma-separated values replace the profile's axis):
  ${axisNames(PROFILES).map((n) => `--${n} V[,V...]`).join('\n  ')}
`;

interface RunArgs {
  profile: Profile;
  workloads: string[];
  strategies: string[];
  out: string | undefined;
  quiet: boolean;
  pin: number | null;
  noAslr: boolean;
  noVerify: boolean;
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
      pin: { type: 'string' },
      'no-aslr': { type: 'boolean' },
      'no-verify': { type: 'boolean' },
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
    pin: typeof values.pin === 'string' ? parsePinCpu(values.pin) : null,
    noAslr: Boolean(values['no-aslr']),
    noVerify: Boolean(values['no-verify']),
    overrides,
  };
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
    return 0;
  }
  const plan = buildPlan(args, PROFILES);
  if (args.noAslr) {
    const code = reexecWithoutAslr();
    if (code !== null) return code;
  }
  if (args.pin !== null) pinToCpu(args.pin);
  const probe = probeFeatures();
  const env = captureEnv(probe);
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
    writer.updateEnv({ vmaCountAtEnd: countVmas(), loadAvgAfter: loadAverage(), hostSpeed: hostSpeed.summary() });
    writer.finish(interrupted === null);
  }
  if (interrupted) {
    console.error(`guardbench: ${interrupted}: stopped after ${writer.run.rows.length} rows; partial run kept in ${writer.jsonPath}`);
    return interrupted === 'SIGINT' ? 130 : 143;
  }
  // report.md, charts/*.png and report.html next to run.json; the run is already written, so a
  // reporting error costs only the reports (guardbench report can render them again).
  try {
    await renderReports(writer.run, dir);
  } catch (e) {
    console.error(`guardbench: reports not rendered (${oneLine(e)}); the run is kept in ${writer.jsonPath}`);
  }
  if (!args.quiet) {
    console.log(renderConsoleSummary(writer.run));
    console.log(`\nrun written to ${writer.jsonPath} and ${writer.csvPath}`);
  }
  return 0;
}
