/**
 * `guardbench baseline save RUN [RUN...] [--name NAME]`, `baseline list` and `baseline pick`:
 * the committed reference runs that compare and CI measure new runs against.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { writeJsonAtomic } from '../results/write.js';
import type { Run } from '../results/schema.js';
import { release as kernelRelease } from 'node:os';
import { readRun } from '../results/read.js';
import { estimateNoise, mostTypicalRun, noiseOf } from '../analysis/stability.js';
import { baselineFiles, baselinePath, DEFAULT_BASELINE_DIR } from '../results/baseline-files.js';
import { captureTestbed } from '../probe/testbed.js';
import { textTable } from '../render/text-table.js';
import { chooseBaseline, type BaselineEntry } from '../analysis/baselines.js';
import { compareKernelReleases } from '../analysis/kernel-version.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

const HELP = `usage: guardbench baseline save RUN [RUN...] [--name NAME] [--force]
       guardbench baseline list [--json]
       guardbench baseline pick [--kernel RELEASE] [--profile NAME] [--json]

save   copy a validated, complete run to results/baselines/<testbed>/<kernel-release>.json
       (atomically). Given 3 or more runs of one testbed, kernel and profile, it saves the most
       typical one and records how much each latency (its deciding statistic and its median) and
       each counter figure varied across them, so compare can tell a real change from run-to-run
       noise and state the smallest change it could detect. 10 runs resolve about twice as fine
       as 3.
list   the saved baselines, oldest kernel first.
pick   print the path of the baseline of this testbed a run on RELEASE (default: this kernel)
       should be compared with; never another testbed's.

options:
  --name NAME       file name instead of the kernel release
  --force           replace an existing baseline of that name
  --dir DIR         baseline directory (default ${DEFAULT_BASELINE_DIR})
  --kernel RELEASE  for pick: the kernel of the run to compare (default: uname -r)
  --testbed NAME    for pick: the testbed of the run to compare (default: this machine's)
  --profile NAME    for pick: prefer baselines of this profile
  --json            for list and pick: print JSON instead of text
  --help            this text

${exitCodesHelp({ '0': 'saved, listed or picked', '2': 'or no baseline to pick' })}
`;

const OPTIONS = {
  name: { type: 'string' },
  force: { type: 'boolean' },
  dir: { type: 'string' },
  kernel: { type: 'string' },
  testbed: { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { allowPositionals: true, options: OPTIONS });
  const { values, positionals } = parsed;
  const [sub, ...paths] = positionals;
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (sub === undefined) throw new UsageError('missing subcommand: save, list or pick (see guardbench baseline --help)');
  const dir = values.dir ?? DEFAULT_BASELINE_DIR;
  const json = values.json ?? false;
  switch (sub) {
    case 'save':
      if (json) throw new UsageError('--json is for baseline list and pick');
      return save(paths, dir, values.name, values.force ?? false);
    case 'list': return list(dir, json);
    case 'pick': return pick(dir, values.kernel ?? kernelRelease(), values.testbed ?? captureTestbed().name, values.profile, json);
    default: throw new UsageError(`unknown subcommand '${sub}' (save, list, pick)`);
  }
}

/** Check that repeated runs are repeats: same kernel, profile and rows. */
function checkRepeats(runs: readonly Run[], paths: readonly string[]): void {
  const first = runs[0]!;
  runs.forEach((run, i) => {
    if (!run.complete) throw new UsageError(`${paths[i]}: the run was interrupted (complete: false); a baseline must be a complete run`);
    if (noiseOf(run) !== null && runs.length > 1) throw new UsageError(`${paths[i]}: is already a baseline with a spread; give plain runs`);
    if (!run.env.testbed) throw new UsageError(`${paths[i]}: the run records no testbed (made by an older guardbench); baselines are kept per testbed`);
    if (run.env.testbed.name !== first.env.testbed?.name) {
      throw new UsageError(`${paths[i]}: testbed ${run.env.testbed.name} differs from ${first.env.testbed?.name}; repeats must come from one machine`);
    }
    if (run.env.kernel.release !== first.env.kernel.release) {
      throw new UsageError(`${paths[i]}: kernel ${run.env.kernel.release} differs from ${first.env.kernel.release}; repeats must come from one kernel`);
    }
    if (run.profile !== first.profile) throw new UsageError(`${paths[i]}: profile ${run.profile} differs from ${first.profile}`);
  });
  if (runs.length === 2) throw new UsageError('give one run, or three or more repeats (two runs cannot estimate a spread)');
}

function save(paths: string[], dir: string, name: string | undefined, force: boolean): number {
  if (paths.length === 0) throw new UsageError('baseline save needs a run.json (see guardbench baseline --help)');
  const runs = paths.map((p) => readRun(p));
  checkRepeats(runs, paths);
  const chosen = runs.length >= 3 ? mostTypicalRun(runs) : runs[0]!;
  const doc: Run = runs.length >= 3 ? { ...chosen, baselineNoise: estimateNoise(runs) } : chosen;
  const file = baselinePath(dir, chosen.env.testbed!.name, name ?? chosen.env.kernel.release);
  if (existsSync(file) && !force) throw new UsageError(`${file} exists; pass --force to replace it`);
  mkdirSync(dirname(file), { recursive: true });
  writeJsonAtomic(file, doc);
  const spread = doc.baselineNoise ? `, with the run-to-run spread of ${runs.length} runs` : '';
  console.log(`saved ${chosen.id} (kernel ${chosen.env.kernel.release}, ${chosen.profile} profile${spread}) as ${file}`);
  const failed = chosen.verify.filter((v) => !v.ok);
  if (failed.length > 0) console.error(`guardbench baseline: warning: the run failed verification: ${failed.map((v) => v.check).join(', ')}`);
  return 0;
}

function readBaselines(dir: string): BaselineEntry[] {
  return baselineFiles(dir).map((path) => ({ path, run: readRun(path) }));
}

/** A baseline as list --json and pick --json print it. */
function baselineJson(e: BaselineEntry): Record<string, unknown> {
  const noise = noiseOf(e.run);
  return {
    path: e.path, id: e.run.id, testbed: e.run.env.testbed?.name ?? null, kernel: e.run.env.kernel.release, profile: e.run.profile,
    startedAt: e.run.startedAt, cpu: e.run.env.cpu.model, spreadRuns: noise ? noise.runs : null,
  };
}

function list(dir: string, json: boolean): number {
  const entries = readBaselines(dir).sort((a, b) => compareKernelReleases(a.run.env.kernel.release, b.run.env.kernel.release));
  if (json) {
    console.log(JSON.stringify({ dir, baselines: entries.map(baselineJson) }, null, 2));
    return EXIT.ok;
  }
  if (entries.length === 0) {
    console.log(`no baselines in ${dir} (save one with: guardbench baseline save RUN.json)`);
    return 0;
  }
  const rows = entries.map((e) => {
    const noise = noiseOf(e.run);
    return [e.path, e.run.env.testbed?.name ?? 'not recorded', e.run.env.kernel.release, e.run.profile, e.run.startedAt.slice(0, 10),
      noise ? `${noise.runs} runs` : 'single run'];
  });
  console.log(textTable(['file', 'testbed', 'kernel', 'profile', 'date', 'spread'], rows, { align: Array(6).fill('left') }));
  return 0;
}

function pick(dir: string, kernel: string, testbed: string, profile: string | undefined, json: boolean): number {
  const chosen = chooseBaseline(readBaselines(dir), kernel, testbed, profile);
  if (!chosen) throw new UsageError(`no baselines of testbed ${testbed} in ${dir} to compare a ${kernel} run with (save one from this machine: guardbench baseline save RUN RUN RUN)`);
  if (json) {
    const sameKernel = chosen.run.env.kernel.release === kernel;
    console.log(JSON.stringify({ forKernel: kernel, forTestbed: testbed, sameKernel, ...baselineJson(chosen) }, null, 2));
  } else console.log(chosen.path);
  if (chosen.run.env.kernel.release !== kernel) {
    console.error(`guardbench baseline: no baseline for ${kernel}; using ${chosen.run.env.kernel.release} (${chosen.path})`);
  }
  return 0;
}
