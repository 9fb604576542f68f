/**
 * What the metrics of runs made before runs stored their own meaning (`workloads` in the contract)
 * meant: a frozen record of the workloads of guardbench 0.1.0 up to that change. Readers use it
 * only for such runs; a run that carries `workloads` is read by those alone. Never edit an entry to
 * follow a workload's later change: old runs were made by the old code.
 */
import type { Better, MetricKind, MetricSpec, NoiseSource, WorkloadSpec } from './schema.js';

/** `flags`: 'headline', and the footprint the figure stands for ('vmas' or 'memory'), space-separated. */
type Entry = [metric: string, unit: string, kind: MetricKind, better: Better, noise: NoiseSource, flags?: string];

const TABLE: Record<string, { variantAxes?: string[]; sizeAxes?: string[]; metrics: Entry[] }> = {
  'thread-stacks': {
    sizeAxes: ['stacks'],
    metrics: [
      ['create', 'ns/stack', 'latency', 'lower', 'timed', 'headline'],
      ['teardown', 'ns/stack', 'latency', 'lower', 'timed'],
      ['vma_delta', 'count', 'count', 'lower', 'exact', 'headline'],
      ['vmas_per_stack', 'count/stack', 'count', 'lower', 'exact', 'vmas'],
      ['vma_slab_bytes', 'bytes/stack', 'bytes', 'lower', 'system', 'memory'],
      ['page_table_bytes', 'bytes/stack', 'bytes', 'lower', 'process', 'memory'],
    ],
  },
  'allocator-arenas': {
    sizeAxes: ['regions'],
    metrics: [
      ['install', 'ns/guard', 'latency', 'lower', 'timed', 'headline'],
      ['churn', 'ns/op', 'latency', 'lower', 'timed', 'headline'],
      ['teardown', 'ns/region', 'latency', 'lower', 'timed'],
      ['vma_delta', 'count', 'count', 'lower', 'exact', 'headline vmas'],
      ['vma_slab_bytes', 'bytes/region', 'bytes', 'lower', 'system', 'memory'],
      ['page_table_bytes', 'bytes/region', 'bytes', 'lower', 'process', 'memory'],
    ],
  },
  'madvise-batches': {
    variantAxes: ['batch'],
    metrics: [
      ['install', 'ns/guard', 'latency', 'lower', 'timed', 'headline'],
      ['calls', 'count', 'count', 'lower', 'exact'],
      ['vma_delta', 'count', 'count', 'lower', 'exact', 'headline vmas'],
    ],
  },
  teardown: {
    sizeAxes: ['regions'],
    metrics: [
      ['teardown', 'ns/region', 'latency', 'lower', 'timed'],
      ['vmas_unmapped', 'count', 'count', 'lower', 'exact', 'vmas'],
    ],
  },
  fork: {
    sizeAxes: ['regions'],
    metrics: [
      ['fork', 'ns/fork', 'latency', 'lower', 'timed'],
      ['vma_delta', 'count', 'count', 'lower', 'exact', 'headline vmas'],
      ['page_table_bytes', 'bytes/region', 'bytes', 'lower', 'process', 'memory'],
    ],
  },
  ceiling: {
    metrics: [
      ['regions', 'count', 'count', 'higher', 'process'],
      ['stop_errno', 'errno', 'count', 'none', 'exact'],
      ['predicted_regions', 'count', 'count', 'none', 'process'],
      ['vmas_at_stop', 'count', 'count', 'none', 'process'],
      ['page_table_bytes', 'bytes/region', 'bytes', 'lower', 'process', 'memory'],
    ],
  },
  scaling: {
    metrics: [
      ['cycle', 'ns/op', 'latency', 'lower', 'timed'],
      ['ops_per_s', 'ops/s', 'throughput', 'higher', 'timed'],
      ['ops_per_s_per_worker', 'ops/s', 'throughput', 'higher', 'timed'],
      ['cpus', 'count', 'count', 'none', 'exact'],
    ],
  },
  detect: {
    metrics: [
      // Old detect runs recorded no expected value for what a method finds: more found was better.
      ['installed', 'count', 'count', 'none', 'exact'],
      ...['maps', 'pagemap', 'scan'].flatMap((m): Entry[] => [
        [m, 'ns/scan', 'latency', 'lower', 'timed'],
        [`${m}_found`, 'count', 'count', 'higher', 'exact'],
        [`${m}_bytes`, 'bytes', 'bytes', 'lower', 'process'],
      ]),
    ],
  },
};

const VMA_LABELS: Record<string, string> = { vma_delta: 'VMAs added', vmas_per_stack: 'VMAs per stack', vmas_unmapped: 'VMAs unmapped' };
const MEMORY_LABELS: Record<string, string> = { vma_slab_bytes: 'VMA slab', page_table_bytes: 'page tables' };

/** The workload specs a run made before specs were stored would have carried; null for a workload the table lacks. */
export function legacyWorkloadSpec(name: string): WorkloadSpec | null {
  const entry = TABLE[name];
  if (!entry) return null;
  return {
    name,
    description: '',
    variantAxes: entry.variantAxes ?? [],
    sizeAxes: entry.sizeAxes ?? [],
    metrics: entry.metrics.map(([metric, unit, kind, better, noise, flags = '']): MetricSpec => {
      const words = flags.split(' ');
      const spec: MetricSpec = { metric, unit, kind, better, noise, headline: words.includes('headline'), description: '' };
      if (words.includes('vmas')) return { ...spec, footprint: 'vmas', label: VMA_LABELS[metric] ?? metric };
      if (words.includes('memory')) return { ...spec, footprint: 'memory', label: MEMORY_LABELS[metric] ?? metric };
      return spec;
    }),
  };
}
