/**
 * `npm run bench:stability -- [--runs K] [--profile quick] [--out DIR] [-- RUN OPTIONS]`: run the benchmark K times
 * back to back, each in a fresh process, and report each headline latency's coefficient of
 * variation across the runs. The criterion checked: every `install` median of allocator-arenas and
 * madvise-batches varies by less than 5% (CV).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRun, type Run } from '../src/results/schema.js';
import { stabilityAcross } from '../src/analysis/stability.js';
import { coefficientOfVariation } from '../src/stats/describe.js';
import { HOST_SPREAD_WARN_PERCENT, hostSpeedOf } from '../src/analysis/host-speed.js';
import { writeJsonAtomic } from '../src/results/write.js';

const CV_LIMIT = 5;
// Options after a second `--` go to every run (e.g. `-- --no-aslr --pin 1`).
const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const runArgs = split === -1 ? [] : argv.slice(split + 1);
const { values } = parseArgs({
  args: split === -1 ? argv : argv.slice(0, split),
  options: { runs: { type: 'string', default: '5' }, profile: { type: 'string', default: 'quick' }, out: { type: 'string' } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 2) {
  console.error(`stability: --runs must be an integer of at least 2, got ${values.runs}`);
  process.exit(2);
}
const outDir = resolve(values.out ?? join('results', 'runs', `stability-${new Date().toISOString().replace(/[:.]/g, '-')}`));
mkdirSync(outDir, { recursive: true });

const docs: Run[] = [];
for (let i = 1; i <= runs; i++) {
  const dir = join(outDir, `run-${i}`);
  process.stderr.write(`run ${i}/${runs} -> ${dir}\n`);
  // Only run.json is read here: no reports, and each run's own summary (stdout) is left out.
  const r = spawnSync(process.execPath, ['bin/guardbench.js', 'run', '--profile', values.profile!, '--out', dir, '--quiet', '--report', 'none', ...runArgs],
    { stdio: ['inherit', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error(`stability: run ${i} exited ${r.status}`);
    process.exit(1);
  }
  docs.push(parseRun(readFileSync(join(dir, 'run.json'), 'utf8'), join(dir, 'run.json')));
}

const rows = stabilityAcross(docs).sort((a, b) => b.cvPercent - a.cvPercent);
const checked = rows.filter((r) => r.metric === 'install' && (r.workload === 'allocator-arenas' || r.workload === 'madvise-batches'));
console.log(`\nCoefficient of variation of each latency median over ${runs} ${values.profile} runs (highest first)\n`);
console.log('CV %    mean         workload / strategy / metric [params]');
for (const r of rows) {
  const mark = checked.includes(r) ? (r.cvPercent < CV_LIMIT ? ' ' : '!') : ' ';
  console.log(`${r.cvPercent.toFixed(2).padStart(5)} ${mark} ${r.mean.toFixed(1).padStart(11)}  ${r.workload} / ${r.strategy} / ${r.metric} [${r.params}]`);
}
const worst = checked.reduce((m, r) => Math.max(m, r.cvPercent), 0);
console.log(`\ninstall medians of allocator-arenas and madvise-batches: worst CV ${worst.toFixed(2)}% (limit ${CV_LIMIT}%)`);

// The host's own speed in each run (a koffi labs() loop read before every point): when it moved,
// every latency moved with it, and no harness can be steadier than the machine it runs on.
const speeds = docs.map(hostSpeedOf);
let hostCv: number | null = null;
if (speeds.every((h) => h !== null)) {
  const medians = speeds.map((h) => h!.medianNs);
  hostCv = coefficientOfVariation(medians);
  console.log(`host speed (ns per koffi labs() call), per run: median ${medians.map((m) => m.toFixed(0)).join(', ')}; `
    + `p90/p10 within runs ${speeds.map((h) => `${h!.spreadPercent.toFixed(0)}%`).join(', ')}; CV across runs ${hostCv.toFixed(2)}%`);
  if (worst >= CV_LIMIT && speeds.some((h) => h!.spreadPercent > HOST_SPREAD_WARN_PERCENT)) {
    console.log('the host itself changed speed during these runs (p90/p10 above '
      + `${HOST_SPREAD_WARN_PERCENT}%): rerun when it is quiet before reading the CVs as the harness's own`);
  }
}
writeJsonAtomic(join(outDir, 'stability.json'), { runs, profile: values.profile, runArgs, limitPercent: CV_LIMIT, worstInstallCv: worst, hostSpeed: speeds, hostSpeedCv: hostCv, rows });
process.exitCode = worst < CV_LIMIT ? 0 : 1;
