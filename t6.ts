import { probeFeatures } from './src/probe/features.js';
import { makeStrategies } from './src/strategies/index.js';
import { runPoint } from './src/runner/runner.js';
import w from './src/workloads/ring-buffers.js';
const probe = probeFeatures(); const st = makeStrategies(probe);
for (const memory of ['shmem', 'anon']) for (const name of ['no-guard', 'prot-none', 'guard-madvise', 'guard-process-madvise'] as const) {
  const rows = runPoint({ workload: w, strategy: st[name], params: { rings: 256, ringBytes: 65536, guardBytes: 4096, memory } }, { probe, budget: { timeMs: 200, minIterations: 5, warmupIterations: 1 } });
  console.log(memory, name, rows.map((r) => `${r.metric}=${r.value === null ? r.status + ':' + r.reason : Math.round(r.value)}`).join(' '));
}
