/**
 * How often does `guardbench compare` cry wolf on this machine? Give it runs made back to back on
 * one kernel with one checkout (nothing changed between them): every regression it reports is a
 * false alarm by construction. Three ways of comparing, as a user or CI would:
 *
 *   plain      each run against the next, as `compare A B` does with two single runs
 *   --noise K  the first K runs form a baseline with a run-to-run spread (as `baseline save` makes
 *              from several runs); every later run is compared with it
 *   --confirm  with --noise: later runs taken in pairs, the second confirming the first
 *   --leave-one-out  each run against a baseline saved from all the others (as `baseline save`
 *              makes it, with their run-to-run spread)
 *
 *   for i in 1 2 3 4 5 6 7 8 9 10; do node bin/guardbench.js run --quick --out /tmp/fa$i --quiet; done
 *   node --import tsx scripts/false-alarms.ts /tmp/fa{1..10} [--noise 5 [--confirm]] [--threshold 5%]
 */
import { parseArgs } from 'node:util';
import { readRun } from '../src/results/read.js';
import type { Run } from '../src/results/schema.js';
import { compareRuns, confirmComparison, DEFAULT_OPTIONS, type Comparison, type CompareOptions } from '../src/analysis/comparison.js';
import { estimateNoise, mostTypicalRun } from '../src/analysis/stability.js';
import { parseAlpha, parseMaxRme, parseThreshold } from '../src/compare/options.js';
import { paramsKey } from '../src/analysis/keys.js';
import { reasonText } from '../src/compare/reasons.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    threshold: { type: 'string' },
    alpha: { type: 'string' },
    'max-rme': { type: 'string' },
    noise: { type: 'string' },
    confirm: { type: 'boolean' },
    'leave-one-out': { type: 'boolean' },
  },
});
const options: CompareOptions = {
  threshold: values.threshold ? parseThreshold(values.threshold) : DEFAULT_OPTIONS.threshold,
  alpha: values.alpha ? parseAlpha(values.alpha) : DEFAULT_OPTIONS.alpha,
  maxRme: values['max-rme'] ? parseMaxRme(values['max-rme']) : DEFAULT_OPTIONS.maxRme,
};
const noiseRuns = values.noise ? Number(values.noise) : 0;
if (positionals.length < 2 || (values.noise && !(noiseRuns >= 3 && noiseRuns < positionals.length)) || (values.confirm && !noiseRuns)) {
  console.error('usage: false-alarms.ts RUN RUN [RUN...] [--noise K (>= 3, fewer than the runs) [--confirm]] [--threshold 5%]');
  process.exit(2);
}
const runs = positionals.map((p) => ({ path: p, run: readRun(p) }));

interface Trial { label: string; comparison: Comparison }
const trials: Trial[] = [];
if (values['leave-one-out']) {
  if (runs.length < 4) {
    console.error('false-alarms: --leave-one-out needs at least 4 runs (a baseline of 3 or more for each)');
    process.exit(2);
  }
  runs.forEach((r, i) => {
    const others = runs.filter((_, j) => j !== i).map((o) => o.run);
    const base: Run = { ...mostTypicalRun(others), baselineNoise: estimateNoise(others) };
    trials.push({ label: `baseline(the other ${others.length}) -> ${r.path}`, comparison: compareRuns(base, r.run, options) });
  });
} else if (!noiseRuns) {
  for (let i = 0; i + 1 < runs.length; i++) {
    trials.push({ label: `${runs[i]!.path} -> ${runs[i + 1]!.path}`, comparison: compareRuns(runs[i]!.run, runs[i + 1]!.run, options) });
  }
} else {
  const used = runs.slice(0, noiseRuns).map((r) => r.run);
  const base: Run = { ...mostTypicalRun(used), baselineNoise: estimateNoise(used) } as Run;
  const rest = runs.slice(noiseRuns);
  const step = values.confirm ? 2 : 1;
  for (let i = 0; i + step - 1 < rest.length; i += step) {
    const confirmed = { ...options, confirmations: values.confirm ? 1 : 0 };
    const first = compareRuns(base, rest[i]!.run, confirmed);
    const confirm = values.confirm ? [compareRuns(base, rest[i + 1]!.run, confirmed)] : [];
    const label = `baseline(${noiseRuns}) -> ${rest[i]!.path}${values.confirm ? ` confirmed by ${rest[i + 1]!.path}` : ''}`;
    trials.push({ label, comparison: confirmComparison(first, confirm) });
  }
}

let alarms = 0;
let flagged = 0;
let latencyRows = 0;
let noisy = 0;
for (const { label, comparison: c } of trials) {
  const bad = c.rows.filter((r) => r.verdict === 'regressed');
  const latency = c.rows.filter((r) => r.kind === 'latency' && r.verdict !== 'not-compared');
  latencyRows += latency.length;
  noisy += latency.filter((r) => r.verdict === 'noisy').length;
  if (bad.length > 0) alarms++;
  flagged += bad.length;
  console.log(`${label}: ${bad.length} regressed, ${c.counts.improved} improved, ${c.counts.noisy} noisy`);
  for (const r of bad) console.log(`    ${r.workload}/${r.strategy}/${r.metric} [${paramsKey(r.params)}] ${reasonText(r)}`);
}
const rate = trials.length ? (100 * alarms) / trials.length : 0;
console.log(`\n${alarms}/${trials.length} comparisons would have failed (false-alarm rate ${rate.toFixed(0)}%);`
  + ` ${flagged} rows regressed in all; of ${latencyRows} compared latency rows ${noisy} were called noisy`);
