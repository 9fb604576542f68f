/**
 * `npm run bench:stability -- [--runs K] [--profile quick] [--out DIR] [-- RUN OPTIONS]`: run the
 * benchmark K times back to back, each in a fresh process, with a plain C program making the same
 * guard installs (test/fixtures/native-install.c) right after each run, in the same window. It
 * reports, for every headline latency, how much each candidate statistic (median, p10, minimum,
 * trimmed mean, the medians normalised by the host meters) varied across the runs, beside how much
 * the C program's own figures varied over the same windows, and how far each statistic sits from
 * the C program's figure at the allocator-arenas anchor point. That table is what decides which
 * statistic comparisons should trust (docs/methodology.md, "How the statistic was chosen").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CALL_METER_NOMINAL_NS, HOST_METER_NOMINAL_NS, parseRun, STATISTICS, type Run, type Statistic } from '../src/results/schema.js';
import { readCallMeter, readHostMeter } from '../src/runner/host-speed.js';
import { candidateStability, statisticSpread, type CandidateStability } from '../src/analysis/stability.js';
import { coefficientOfVariation, lowerMedian } from '../src/stats/describe.js';
import { hostSpeedOf } from '../src/analysis/host-speed.js';
import { writeJsonAtomic } from '../src/results/write.js';
import { textTable } from '../src/render/text-table.js';

const CV_LIMIT = 5;
/** The allocator-arenas point the C program reproduces exactly. */
const ANCHOR = { regions: 16384, slotBytes: 12288, guardBytes: 4096 };
const C_MODES = ['prot-none', 'guard-madvise', 'guard-process-madvise'] as const;
const C_BATCH = 1024;

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

const native = join(mkdtempSync(join(tmpdir(), 'guardbench-native-')), 'native-install');
execFileSync('gcc', ['-O2', '-o', native, new URL('../test/fixtures/native-install.c', import.meta.url).pathname]);

/** The C program's figures in one window, and the harness's host meters read around it. */
interface CWindow { median: number; min: number; labsNs: number; getppidNs: number }

/** Median of a few meter readings: the window's host speed, as the runs' samples see theirs. */
function meterNow(read: () => number): number {
  return lowerMedian(Array.from({ length: 9 }, read));
}

function cWindow(mode: string): CWindow {
  const before = { labs: meterNow(readHostMeter), getppid: meterNow(readCallMeter) };
  const out = execFileSync(native, [mode, String(ANCHOR.regions), String(ANCHOR.slotBytes), String(ANCHOR.guardBytes), String(C_BATCH), '15'], { encoding: 'utf8' });
  const after = { labs: meterNow(readHostMeter), getppid: meterNow(readCallMeter) };
  const doc = JSON.parse(out) as { medianNsPerOp: number; minNsPerOp: number };
  return { median: doc.medianNsPerOp, min: doc.minNsPerOp, labsNs: (before.labs + after.labs) / 2, getppidNs: (before.getppid + after.getppid) / 2 };
}

/**
 * The C program's figure a statistic is set beside: its minimum for the low quantiles, and for the
 * host-normalised medians its median normalised the same way, by the meters read around its window
 * (a normalised figure is what the cost would be on a host at the meter's nominal speed).
 */
function cFigure(s: Statistic, w: CWindow): number {
  if (s === 'min' || s === 'p10') return w.min;
  if (s === 'hostNormalisedMedian') return (w.median * HOST_METER_NOMINAL_NS) / w.labsNs;
  if (s === 'callNormalisedMedian') return (w.median * CALL_METER_NOMINAL_NS) / w.getppidNs;
  return w.median;
}

const docs: Run[] = [];
const cWindows: Record<string, CWindow>[] = [];
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
  cWindows.push(Object.fromEntries(C_MODES.map((m) => [m, cWindow(m)])));
}

const all = candidateStability(docs);
const headline = all.filter((r) => r.spec.headline && r.spec.kind === 'latency');
const label = (r: CandidateStability) => `${r.workload} / ${r.strategy} / ${r.metric} [${r.params}]`;
const cv = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));

console.log(`\nCross-run CV (%) of each headline latency over ${runs} ${values.profile} runs, per candidate statistic\n`);
console.log(textTable(['row', ...STATISTICS], headline.map((r) => [label(r), ...STATISTICS.map((s) => cv(r.cvPercent[s]))]), { align: ['left'], rule: true }));

// The C program's own spread over the same windows: no harness can be steadier than the machine.
const cCv = C_MODES.map((m) => ({
  mode: m,
  median: coefficientOfVariation(cWindows.map((w) => w[m]!.median)),
  min: coefficientOfVariation(cWindows.map((w) => w[m]!.min)),
}));
console.log('\nThe C program in the same windows (allocator-arenas anchor, ns per guard): CV of its median and minimum');
console.log(textTable(['mode', 'median CV %', 'min CV %'], cCv.map((c) => [c.mode, c.median.toFixed(1), c.min.toFixed(1)]), { align: ['left'], rule: true }));

// How far each statistic sits from the C program's figure at the anchor, run by run (median of the ratios).
const anchorKey = (strategy: string) => all.find((r) => r.workload === 'allocator-arenas' && r.metric === 'install' && r.strategy === strategy
  && r.params.includes(`regions=${ANCHOR.regions}`) && r.params.includes(`slotBytes=${ANCHOR.slotBytes}`));
const accuracy = C_MODES.map((mode) => {
  const row = anchorKey(mode);
  const ratios = Object.fromEntries(STATISTICS.map((s) => {
    const xs = row?.values[s];
    if (!xs) return [s, null];
    return [s, lowerMedian(xs.map((x, i) => x / cFigure(s, cWindows[i]![mode]!)))];
  })) as Record<Statistic, number | null>;
  return { mode, ratios };
});
console.log('\nHarness statistic / the C program\'s figure at the anchor (median over runs; min and p10 set beside C\'s minimum, normalised medians beside C\'s normalised the same way)');
console.log(textTable(['mode', ...STATISTICS], accuracy.map((a) => [a.mode, ...STATISTICS.map((s) => (a.ratios[s] === null ? '-' : a.ratios[s]!.toFixed(3)))]), { align: ['left'], rule: true }));

const spread = statisticSpread(headline);
console.log('\nPer statistic over the headline latencies: worst and median CV (%)');
console.log(textTable(['statistic', 'worst CV', 'median CV'], spread.map((s) => [s.statistic, s.worst.toFixed(1), s.median.toFixed(1)]), { align: ['left'], rule: true }));

// The batched install is where the harness matches C (its FFI price is paid once per 1024 guards):
// a statistic that moves that figure more than 5% away from C's is biased, whatever its spread.
const batched = accuracy.find((a) => a.mode === 'guard-process-madvise')!;
const honest = spread.filter((s) => batched.ratios[s.statistic] !== null && Math.abs(batched.ratios[s.statistic]! - 1) <= 0.05);
const chosen = [...honest].sort((a, b) => a.worst - b.worst || a.median - b.median)[0] ?? null;
console.log(chosen
  ? `\nsteadiest statistic within 5% of the C program: ${chosen.statistic} (worst CV ${chosen.worst.toFixed(1)}%, limit ${CV_LIMIT}%)`
  : '\nno candidate statistic stays within 5% of the C program at the batched anchor');

// The figures that used to land 2-10x apart from run to run (docs/results.md, "Figures that depend on where
// page tables fall"): the scaling cycle at each page-table placement and the stacks' teardown.
const placementRows = all.filter((r) => (r.workload === 'scaling' && r.metric === 'cycle') || (r.workload === 'thread-stacks' && r.metric === 'teardown'));
if (placementRows.length > 0) {
  console.log('\nThe placement-sensitive figures: value range (median statistic) and CV (%) per candidate statistic');
  console.log(textTable(['row', 'medians (ns)', ...STATISTICS], placementRows.map((r) => [label(r),
    `${Math.min(...r.values.median!).toFixed(0)}-${Math.max(...r.values.median!).toFixed(0)}`, ...STATISTICS.map((s) => cv(r.cvPercent[s]))]),
  { align: ['left'], rule: true }));
}

const speeds = docs.map(hostSpeedOf);
if (speeds.every((h) => h !== null)) {
  console.log(`host speed (ns per koffi labs() call), per run: median ${speeds.map((h) => h!.medianNs.toFixed(0)).join(', ')}; `
    + `p90/p10 within runs ${speeds.map((h) => `${h!.spreadPercent.toFixed(0)}%`).join(', ')}`);
}
writeJsonAtomic(join(outDir, 'stability.json'), {
  runs, profile: values.profile, runArgs, limitPercent: CV_LIMIT, runIds: docs.map((d) => d.id),
  headline, placementRows, cWindows, cCv, accuracy, spread, chosen, hostSpeed: speeds,
});
process.exitCode = chosen && chosen.worst < CV_LIMIT ? 0 : 1;
