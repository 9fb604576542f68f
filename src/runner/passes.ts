/**
 * The measuring loop of a run: every point once per pass, pass after pass, each point's rows
 * rewritten into the run document as soon as the point finishes. SIGINT and SIGTERM stop it between
 * points; the caller finishes the document, so what was measured is kept.
 */
import type { RunWriter } from '../results/run-writer.js';
import type { FeatureProbe } from '../probe/features.js';
import { PointAccumulator, runPointPass, type FailedVerification } from './runner.js';
import type { TimingBudget } from './timing.js';
import { describeParams } from './axes.js';
import type { Progress } from './progress.js';
import type { HostSpeedMeter } from './host-speed.js';

export interface PassesOptions {
  points: readonly PointAccumulator[];
  passes: number;
  probe: FeatureProbe;
  /** the budget of one pass */
  budget: TimingBudget;
  failedVerification: FailedVerification;
  writer: RunWriter;
  progress: Progress;
  /** read before every point, so the run records how the host's own speed moved */
  hostSpeed?: HostSpeedMeter;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Run every pass; returns the signal that stopped it early, or null when all passes ran. */
export async function runPasses(o: PassesOptions): Promise<StopSignal | null> {
  let stoppedBy: StopSignal | null = null;
  const handlers = STOP_SIGNALS.map((signal) => [signal, () => { stoppedBy = signal; }] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    for (let pass = 1; pass <= o.passes; pass++) {
      for (const point of o.points) {
        // Let pending signals be delivered between points; a point itself runs synchronously.
        await new Promise((r) => setImmediate(r));
        if (stoppedBy) return stoppedBy;
        o.hostSpeed?.sample();
        const { workload, strategy, params } = point.plan;
        o.progress.point(`pass ${pass}/${o.passes} ${workload.name} ${strategy.name} ${describeParams(params)}`);
        point.add(runPointPass(point.plan, {
          probe: o.probe, budget: o.budget, countsWanted: pass === 1, failedVerification: o.failedVerification,
        }));
        o.writer.putPoint(`${workload.name}|${strategy.name}|${describeParams(params)}`, point.rows());
      }
    }
    return null;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
