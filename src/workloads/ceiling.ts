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
import type { CeilingReport } from './ceiling-growth.js';
import { footprintResolution } from '../metrics/footprint.js';

interface CeilingParams {
  [key: string]: number;
  /** the most regions to grow to; markers stop here */
  limit: number;
}

const GROWTH_SCRIPT = fileURLToPath(new URL('./ceiling-growth.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function growInChild(strategy: string, limit: number, pidfdSelf: number | null): CeilingReport {
  const child = spawnSync(process.execPath, ['--import', 'tsx', GROWTH_SCRIPT, strategy, String(limit), String(pidfdSelf)], {
    cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000,
  });
  if (child.status !== 0) {
    const why = child.signal ? `signal ${child.signal}` : `exit ${child.status}`;
    throw new Error(`ceiling child ended with ${why}: ${(child.stderr ?? '').trim().split('\n').pop() ?? ''}`);
  }
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as CeilingReport;
}

export default defineWorkload<CeilingParams>({
  name: 'ceiling',
  description: 'how many guarded regions one process holds before the kernel refuses more (vm.max_map_count for PROT_NONE)',
  strategies: ['prot-none', 'guard-madvise', 'guard-process-madvise'],
  positiveAxes: ['limit'],
  metrics: [
    // The process's own VMAs (Node's) count against vm.max_map_count too: PROT_NONE figures move with them.
    count('regions', 'count', 'higher', 'guarded regions held when growth stopped', { noise: 'process' }),
    count('stop_errno', 'errno', 'none', 'errno of the call that refused the next guard (12 = ENOMEM); 0: the limit stopped growth, not the kernel'),
    count('predicted_regions', 'count', 'none', 'PROT_NONE guards vm.max_map_count allows: (max_map_count - VMAs in use - 1) / 2', { noise: 'process' }),
    count('vmas_at_stop', 'count', 'none', 'VMAs the kernel counted for the process when growth stopped', { noise: 'process' }),
    kernelMemory('page_table_bytes', 'page tables', 'bytes/region', 'process', 'page-table bytes (VmPTE) the guards added, per region held'),
  ],
  run(ctx) {
    // Every figure is a count: later passes have nothing to add.
    if (!ctx.countsWanted) return;
    const { limit } = ctx.params;
    const isProtNone = ctx.strategy.name === 'prot-none';
    const growth = growInChild(ctx.strategy.name, limit, ctx.probe.pidfdSelfValue);
    const { vmasBefore: before, vmasAtStop, maxMapCount: max, pageTableDelta: pteDelta } = growth;
    ctx.record('regions', growth.regions);
    ctx.record('stop_errno', growth.errno);
    if (!isProtNone) ctx.skip('predicted_regions', 'markers add no VMA: vm.max_map_count does not bound them');
    else if (max === null) ctx.skip('predicted_regions', 'vm.max_map_count unreadable');
    else ctx.record('predicted_regions', Math.floor((max - before - 1) / 2));
    ctx.record('vmas_at_stop', vmasAtStop);
    // PROT_NONE guards add VMAs, not page tables: their VmPTE delta is Node's own heap moving.
    if (isProtNone) ctx.skip('page_table_bytes', 'PROT_NONE guards add VMAs, not page tables');
    else if (pteDelta === null || growth.regions === 0) ctx.skip('page_table_bytes', 'VmPTE missing from /proc/self/status or no regions');
    else ctx.record('page_table_bytes', pteDelta / growth.regions, { resolution: footprintResolution(growth.regions).pageTableBytes });
  },
});
