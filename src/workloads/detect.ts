/**
 * detect: finding N guards in another process, the checkpoint/restore question of the seed. The
 * process is a cloned child that inherits our N guards and waits in pause() until killed; each
 * method of detect-methods.ts enumerates its guards from /proc. The method that can see a
 * strategy's guards (maps for PROT_NONE, pagemap and PAGEMAP_SCAN for markers) must find exactly
 * the N installed, or the point fails; the others' counts (0 of N) are the finding.
 */
import { FEATURE_SINCE, type FeatureName } from '../probe/features.js';
import type { StrategyName } from '../results/schema.js';
import { Children } from '../sys/children.js';
import { pageSize } from '../sys/libc.js';
import { countVmas } from '../metrics/vmas.js';
import { bytes, count, defineWorkload, latency, type MetricSpec, type WorkloadContext } from './types.js';
import { guardedArena, unmapArena, type ArenaLayout } from './arena.js';
import { skippedForMapCount } from './headroom.js';
import { detectByMaps, detectByPagemap, detectByScan, type DetectMethod, type Detection, type Span } from './detect-methods.js';

interface DetectParams {
  [key: string]: number;
  guards: number;
}

const PAGE = pageSize();

interface MethodSpec {
  name: DetectMethod;
  what: string;
  needs: FeatureName | null;
  /** the strategies whose guards the method can see */
  sees: readonly StrategyName[];
}

/** How many VMAs Node's own count moves by between runs (vmaCountAtStart read 441-467 in one day's runs here). */
const NODE_VMA_DRIFT = 32;

const METHODS: readonly MethodSpec[] = [
  { name: 'maps', what: 'PROT_NONE VMAs in /proc/PID/maps', needs: null, sees: ['prot-none'] },
  { name: 'pagemap', what: 'smaps VmFlags gu, then pagemap bit 58', needs: 'pagemapGuardBit', sees: ['guard-madvise', 'guard-process-madvise'] },
  { name: 'scan', what: 'PAGEMAP_SCAN with PAGE_IS_GUARD', needs: 'pagemapScanGuard', sees: ['guard-madvise', 'guard-process-madvise'] },
];

const METRICS: readonly MetricSpec[] = [
  count('installed', 'count', 'expected', 'guards the child holds'),
  ...METHODS.flatMap((m): MetricSpec[] => [
    latency(m.name, 'ns/scan', `enumerate the child's guards by ${m.what}`, m.name === 'scan' ? { answers: 'find' } : {}),
    // A method must find exactly the guards it can see, and none of those it cannot.
    count(`${m.name}_found`, 'count', 'expected', `guards found by ${m.what}`, { answers: 'find' }),
    // The child inherits this process's mappings, so what a method reads grows with Node's own
    // VMAs, whose count moves from run to run by more than any kernel change to the guards' share:
    // listed, never judged (better: none).
    bytes(`${m.name}_bytes`, 'bytes', 'process', `bytes read from /proc by ${m.what}`, 'none'),
  ]),
];

function detect(method: DetectMethod, pid: number, span: Span, ctx: WorkloadContext): Detection {
  if (method === 'maps') return detectByMaps(pid, span);
  if (method === 'pagemap') return detectByPagemap(pid, span, ctx.probe.features.smapsGuardFlag);
  return detectByScan(pid, span);
}

function measureMethod(ctx: WorkloadContext<DetectParams>, m: MethodSpec, pid: number, span: Span): void {
  if (m.needs && !ctx.probe.features[m.needs]) {
    const why = `${m.what} needs Linux ${FEATURE_SINCE[m.needs]}+${ctx.probe.reasons[m.needs] ? ` (${ctx.probe.reasons[m.needs]})` : ''}`;
    for (const metric of [m.name, `${m.name}_found`, `${m.name}_bytes`]) ctx.skip(metric, why);
    return;
  }
  if (ctx.countsWanted) {
    const d = detect(m.name, pid, span, ctx);
    const expected = m.sees.includes(ctx.strategy.name) ? ctx.params.guards : 0;
    ctx.record(`${m.name}_found`, d.found, { expected });
    // What a method reads grows with every VMA of the child, Node's own among them, and Node's
    // count moves by a few dozen from run to run: that many VMAs' share of the bytes is noise.
    ctx.record(`${m.name}_bytes`, d.bytes, { resolution: (d.bytes * NODE_VMA_DRIFT) / Math.max(1, countVmas()) });
    if (m.sees.includes(ctx.strategy.name) && d.found !== ctx.params.guards) {
      throw new Error(`${m.name} found ${d.found} of ${ctx.params.guards} guards`);
    }
  }
  ctx.time(m.name, { ops: 1, setup: () => null, measure: () => detect(m.name, pid, span, ctx), teardown: () => {} });
}

export default defineWorkload<DetectParams>({
  name: 'detect',
  description: 'find the N guards of another process from /proc: maps, smaps + pagemap bit 58, PAGEMAP_SCAN',
  strategies: ['prot-none', 'guard-madvise', 'guard-process-madvise'],
  positiveAxes: ['guards'],
  questions: [{ id: 'find', text: 'Can another process find the guards from /proc, and how fast (PAGEMAP_SCAN)?' }],
  metrics: METRICS,
  run(ctx) {
    // | slot | guard | slot | guard | ...: a page each, so no two guards touch
    const layout: ArenaLayout = { regions: ctx.params.guards, slotBytes: PAGE, guardBytes: PAGE };
    if (skippedForMapCount(ctx, layout.regions, METRICS)) return;
    const children = new Children();
    try {
      const arena = guardedArena(layout, ctx.strategy);
      let child: ReturnType<Children['hold']>;
      try {
        child = children.hold();
      } finally {
        // The child has its own copy of the guards; ours are no longer needed.
        unmapArena(arena);
      }
      try {
        if (ctx.countsWanted) ctx.record('installed', layout.regions, { expected: ctx.params.guards });
        const span = { start: arena.base, end: arena.base + arena.bytes };
        for (const m of METHODS) measureMethod(ctx, m, child.pid, span);
      } finally {
        child.stop();
      }
    } finally {
      children.release();
    }
  },
});
