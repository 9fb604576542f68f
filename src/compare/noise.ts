/**
 * Run-to-run noise carried by a baseline. Within-run statistics (rme, Welch's t-test) only see the
 * jitter between iterations of one run; on a shared VM whole runs shift by tens of percent when
 * other work competes for the CPUs, and a second run is not a second sample of the first. So a
 * baseline saved from several back-to-back runs records, per latency row, how much its median
 * varied across them, and compare tests a change against that as well.
 *
 * Stored as the `baselineNoise` member of the run document (the contract allows extra top-level
 * members), so a baseline stays a valid `guardbench.run/v1` run that every reader can open.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { InvalidRunError, type Row, type Run } from '../results/schema.js';
import { stabilityAcross } from '../stats/stability.js';
import { paramsKey } from '../report/summary.js';

export const NoiseModelSchema = Type.Object({
  /** runs the spread was measured over (the baseline itself among them) */
  runs: Type.Integer({ minimum: 3 }),
  ids: Type.Array(Type.String()),
  /** row key (see noiseKey) -> coefficient of variation of the row's median, percent */
  cvPercent: Type.Record(Type.String(), Type.Number({ minimum: 0 })),
});
export type NoiseModel = Static<typeof NoiseModelSchema>;

export type RunWithNoise = Run & { baselineNoise?: NoiseModel };

const validateNoise = new Ajv({ strict: false }).compile<NoiseModel>(NoiseModelSchema);

/** The key stabilityAcross uses, so the two modules agree on what "the same row" is. */
export function noiseKey(row: Pick<Row, 'workload' | 'strategy' | 'params' | 'metric'>): string {
  return `${row.workload}|${row.strategy}|${row.metric}|${paramsKey(row.params)}`;
}

/** The noise model a run carries, checked; null when it has none. */
export function noiseOf(run: Run, source = 'run'): NoiseModel | null {
  const doc = (run as RunWithNoise).baselineNoise;
  if (doc === undefined) return null;
  if (!validateNoise(doc)) {
    const err = validateNoise.errors?.[0];
    throw new InvalidRunError(`${source}: baselineNoise ${err?.instancePath || ''} ${err?.message ?? 'is invalid'}`.replace(/\s+/g, ' '));
  }
  return doc;
}

/** Per-row spread of the medians over repeated runs; rows missing from any run are left out. */
export function estimateNoise(runs: readonly Run[]): NoiseModel {
  if (runs.length < 3) throw new Error(`a run-to-run spread needs at least 3 runs, got ${runs.length}`);
  const cvPercent: Record<string, number> = {};
  for (const s of stabilityAcross(runs)) cvPercent[s.key] = s.cvPercent;
  return { runs: runs.length, ids: runs.map((r) => r.id), cvPercent };
}

/**
 * The run most like the others: the one whose latency medians are, summed over rows, closest (in
 * log ratio) to the per-row median across all runs. Saving it rather than the first run keeps a
 * baseline from being the one that was measured during a burst.
 */
export function mostTypicalRun(runs: readonly Run[]): Run {
  const medianOf = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor((s.length - 1) / 2)]!;
  };
  const byKey = new Map<string, number[]>();
  for (const run of runs) {
    for (const row of run.rows) {
      if (row.status !== 'ok' || !row.stats || !row.value) continue;
      const key = noiseKey(row);
      byKey.set(key, [...(byKey.get(key) ?? []), row.value]);
    }
  }
  const centre = new Map([...byKey].map(([k, xs]) => [k, medianOf(xs)]));
  let best = runs[0]!;
  let bestDistance = Infinity;
  for (const run of runs) {
    let distance = 0;
    for (const row of run.rows) {
      const c = row.status === 'ok' && row.stats && row.value ? centre.get(noiseKey(row)) : undefined;
      if (c) distance += Math.abs(Math.log(row.value! / c));
    }
    if (distance < bestDistance) [best, bestDistance] = [run, distance];
  }
  return best;
}
