/**
 * ceiling: how many guarded regions one process can hold before the kernel refuses more.
 * PROT_NONE guards split one arena (+2 VMAs each) until vm.max_map_count refuses the next split
 * with ENOMEM: the count vm.max_map_count predicts is recorded next to the measured one. Markers
 * add no VMA, so the bound (`limit`), not the kernel, stops them: stop_errno 0 says so.
 *
 * The growth runs in a child process (ceiling-growth.ts): at the map-count ceiling nothing in the
 * process can map memory, and Node's own threads (GC, workers) may try at any moment, which would
 * take the whole run down with them. A child that dies costs one point, not the run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { count, defineWorkload, kernelMemory } from './types.js';
import type { CeilingLine, CeilingReport } from './ceiling-growth.js';
import { footprintResolution } from '../metrics/footprint.js';

interface CeilingParams {
  [key: string]: number;
  /** the most regions to grow to; markers stop here */
  limit: number;
}

const GROWTH_SCRIPT = fileURLToPath(new URL('./ceiling-growth.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const CEILING_STRATEGIES = ['prot-none', 'guard-madvise', 'guard-process-madvise'] as const;

/**
 * Reports a child made for the other strategies of a point, kept for their turn: the runner runs a
 * point's strategies one after another, and one child growing under all of them saves starting
 * Node twice. A report older than a minute belongs to an earlier run and is measured again.
 */
const grown = new Map<string, { line: CeilingLine; at: number }>();
const KEEP_MS = 60_000;

function growInChild(strategies: readonly string[], limit: number, pidfdSelf: number | null): CeilingLine[] {
  const child = spawnSync(process.execPath, ['--import', 'tsx', GROWTH_SCRIPT, strategies.join(','), String(limit), String(pidfdSelf)], {
    cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000,
  });
  // Lines already written survive a child that died later, at another strategy's ceiling.
  const lines = (child.stdout ?? '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as CeilingLine);
  if (child.status !== 0) {
    const why = child.signal ? `signal ${child.signal}` : `exit ${child.status}`;
    const error = `ceiling child ended with ${why}: ${(child.stderr ?? '').trim().split('\n').pop() ?? ''}`;
    for (const strategy of strategies) if (!lines.some((l) => l.strategy === strategy)) lines.push({ strategy, error });
  }
  return lines;
}

/** This strategy's growth: kept from the point's first strategy, or grown now for every strategy. */
function growth(strategy: string, limit: number, pidfdSelf: number | null): CeilingReport {
  const key = (s: string) => `${s}/${limit}/${pidfdSelf}`;
  const take = () => {
    const kept = grown.get(key(strategy));
    grown.delete(key(strategy));
    return kept;
  };
  let kept = take();
  if (!kept || performance.now() - kept.at > KEEP_MS) {
    const at = performance.now();
    for (const line of growInChild(CEILING_STRATEGIES, limit, pidfdSelf)) grown.set(key(line.strategy), { line, at });
    kept = take();
  }
  if (!kept) throw new Error(`ceiling child reported nothing for ${strategy}`);
  if ('error' in kept.line) throw new Error(kept.line.error);
  return kept.line;
}

export default defineWorkload<CeilingParams>({
  name: 'ceiling',
  description: 'how many guarded regions one process holds before the kernel refuses more (vm.max_map_count for PROT_NONE)',
  strategies: CEILING_STRATEGIES,
  positiveAxes: ['limit'],
  questions: [{ id: 'hold', text: 'How many guarded regions does one process hold, and what stops it?' }],
  metrics: [
    // The process's own VMAs (Node's) count against vm.max_map_count too: PROT_NONE figures move with them.
    count('regions', 'count', 'higher', 'guarded regions held when growth stopped', { noise: 'process', answers: 'hold' }),
    count('stop_errno', 'errno', 'none', 'errno of the call that refused the next guard (12 = ENOMEM); 0: the limit stopped growth, not the kernel',
      { answers: 'hold' }),
    count('predicted_regions', 'count', 'none', 'PROT_NONE guards vm.max_map_count allows: (max_map_count - VMAs in use - 1) / 2', { noise: 'process' }),
    count('vmas_at_stop', 'count', 'none', 'VMAs the kernel counted for the process when growth stopped', { noise: 'process' }),
    kernelMemory('page_table_bytes', 'page tables', 'bytes/region', 'process', 'page-table bytes (VmPTE) the guards added, per region held'),
  ],
  run(ctx) {
    // Every figure is a count: later passes have nothing to add.
    if (!ctx.countsWanted) return;
    const { limit } = ctx.params;
    const isProtNone = ctx.strategy.name === 'prot-none';
    const grew = growth(ctx.strategy.name, limit, ctx.probe.pidfdSelfValue);
    const { vmasBefore: before, vmasAtStop, maxMapCount: max, pageTableDelta: pteDelta } = grew;
    ctx.record('regions', grew.regions);
    ctx.record('stop_errno', grew.errno);
    if (!isProtNone) ctx.skip('predicted_regions', 'markers add no VMA: vm.max_map_count does not bound them');
    else if (max === null) ctx.skip('predicted_regions', 'vm.max_map_count unreadable');
    else ctx.record('predicted_regions', Math.floor((max - before - 1) / 2));
    ctx.record('vmas_at_stop', vmasAtStop);
    // PROT_NONE guards add VMAs, not page tables: their VmPTE delta is Node's own heap moving.
    if (isProtNone) ctx.skip('page_table_bytes', 'PROT_NONE guards add VMAs, not page tables');
    else if (pteDelta === null || grew.regions === 0) ctx.skip('page_table_bytes', 'VmPTE missing from /proc/self/status or no regions');
    else ctx.record('page_table_bytes', pteDelta / grew.regions, { resolution: footprintResolution(grew.regions).pageTableBytes });
  },
});
