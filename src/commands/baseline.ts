/**
 * `guardbench baseline save RUN [RUN...] [--name NAME]`, `baseline list` and `baseline pick`:
 * the committed reference runs that compare and CI measure new runs against.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { writeJsonAtomic } from '../results/write.js';
import type { Run } from '../results/schema.js';
import { readRunForCli } from '../compare/input.js';
import { estimateNoise, mostTypicalRun, noiseOf, type RunWithNoise } from '../compare/noise.js';
import { baselineFileName, baselineFiles, chooseBaseline, DEFAULT_BASELINE_DIR, type BaselineEntry } from '../compare/baselines.js';
import { compareKernelReleases } from '../history/kernel-version.js';
import { kernelRelease } from '../history/runs.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

const HELP = `usage: guardbench baseline save RUN [RUN...] [--name NAME] [--force]
       guardbench baseline list [--json]
       guardbench baseline pick [--kernel RELEASE] [--profile NAME] [--json]

save   copy a validated, complete run to results/baselines/<kernel-release>.json (atomically).
       Given 3 or more runs of the same kernel and profile, it saves the most typical one and
       records how much each latency median varied across them, so compare can tell a real change
       from run-to-run noise.
list   the saved baselines, oldest kernel first.
pick   print the path of the baseline a run on RELEASE (default: this kernel) should be compared with.

options:
  --name NAME       file name instead of the kernel release
  --force           replace an existing baseline of that name
  --dir DIR         baseline directory (default ${DEFAULT_BASELINE_DIR})
  --kernel RELEASE  for pick: the kernel of the run to compare (default: uname -r)
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
    case 'pick': return pick(dir, values.kernel ?? kernelRelease(), values.profile, json);
    default: throw new UsageError(`unknown subcommand '${sub}' (save, list, pick)`);
  }
}

/** Check that repeated runs are repeats: same kernel, profile and rows. */
function checkRepeats(runs: readonly Run[], paths: readonly string[]): void {
  const first = runs[0]!;
  runs.forEach((run, i) => {
    if (!run.complete) throw new UsageError(`${paths[i]}: the run was interrupted (complete: false); a baseline must be a complete run`);
    if (noiseOf(run, paths[i]) !== null && runs.length > 1) throw new UsageError(`${paths[i]}: is already a baseline with a spread; give plain runs`);
    if (run.env.kernel.release !== first.env.kernel.release) {
      throw new UsageError(`${paths[i]}: kernel ${run.env.kernel.release} differs from ${first.env.kernel.release}; repeats must come from one kernel`);
    }
    if (run.profile !== first.profile) throw new UsageError(`${paths[i]}: profile ${run.profile} differs from ${first.profile}`);
  });
  if (runs.length === 2) throw new UsageError('give one run, or three or more repeats (two runs cannot estimate a spread)');
}

function save(paths: string[], dir: string, name: string | undefined, force: boolean): number {
  if (paths.length === 0) throw new UsageError('baseline save needs a run.json (see guardbench baseline --help)');
  const runs = paths.map((p) => readRunForCli(p));
  checkRepeats(runs, paths);
  const chosen = runs.length >= 3 ? mostTypicalRun(runs) : runs[0]!;
  const doc: RunWithNoise = runs.length >= 3 ? { ...chosen, baselineNoise: estimateNoise(runs) } : chosen;
  const file = join(dir, baselineFileName(name ?? chosen.env.kernel.release));
  if (existsSync(file) && !force) throw new UsageError(`${file} exists; pass --force to replace it`);
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(file, doc);
  const spread = doc.baselineNoise ? `, with the run-to-run spread of ${runs.length} runs` : '';
  console.log(`saved ${chosen.id} (kernel ${chosen.env.kernel.release}, ${chosen.profile} profile${spread}) as ${file}`);
  const failed = chosen.verify.filter((v) => !v.ok);
  if (failed.length > 0) console.error(`guardbench baseline: warning: the run failed verification: ${failed.map((v) => v.check).join(', ')}`);
  return 0;
}

function readBaselines(dir: string): BaselineEntry[] {
  return baselineFiles(dir).map((path) => ({ path, run: readRunForCli(path) }));
}

/** A baseline as list --json and pick --json print it. */
function baselineJson(e: BaselineEntry): Record<string, unknown> {
  const noise = noiseOf(e.run, e.path);
  return {
    path: e.path, id: e.run.id, kernel: e.run.env.kernel.release, profile: e.run.profile,
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
    const noise = noiseOf(e.run, e.path);
    return [e.path, e.run.env.kernel.release, e.run.profile, e.run.startedAt.slice(0, 10), e.run.env.cpu.model,
      noise ? `${noise.runs} runs` : 'single run'];
  });
  const header = ['file', 'kernel', 'profile', 'date', 'cpu', 'spread'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  return 0;
}

function pick(dir: string, kernel: string, profile: string | undefined, json: boolean): number {
  const chosen = chooseBaseline(readBaselines(dir), kernel, profile);
  if (!chosen) throw new UsageError(`no baselines in ${dir} to compare a ${kernel} run with`);
  if (json) console.log(JSON.stringify({ forKernel: kernel, sameKernel: chosen.run.env.kernel.release === kernel, ...baselineJson(chosen) }, null, 2));
  else console.log(chosen.path);
  if (chosen.run.env.kernel.release !== kernel) {
    console.error(`guardbench baseline: no baseline for ${kernel}; using ${chosen.run.env.kernel.release} (${chosen.path})`);
  }
  return 0;
}
