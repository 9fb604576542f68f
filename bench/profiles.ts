/**
 * What `npm run bench` measures: per profile, the timing budget and each workload's parameter axes.
 * The runner takes the cross product of the axes, as Node's benchmark/ does. Every profile includes
 * the allocator-arenas point of 16384 regions, 12 KiB slots and 4 KiB guards, the fidelity anchor.
 */
import { availableParallelism } from 'node:os';
import type { Profiles } from '../src/runner/plan.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** scaling's thread counts: 1, 2, 4, ... up to twice the CPUs, where contention shows. */
const WORKER_COUNTS = [1, 2, 4, 8, 16, 32, 64, 128].filter((t) => t <= 2 * availableParallelism());

export const PROFILES: Profiles = {
  quick: {
    name: 'quick',
    description: 'one point per workload question, under 30 s on 2 cores',
    budget: { timeMs: 90, minIterations: 12, warmupIterations: 1 },
    passes: 3,
    workloads: {
      'thread-stacks': [
        { stacks: [256], stackBytes: [8 * MiB], guardBytes: [4 * KiB], threads: [false], reuse: [false] },
        { stacks: [64], stackBytes: [8 * MiB], guardBytes: [4 * KiB], threads: [true], reuse: [false] },
      ],
      'allocator-arenas': { regions: [16384], slotBytes: [12 * KiB], guardBytes: [4 * KiB], churn: [1024] },
      'madvise-batches': { guards: [16384], batch: [1, 64, 1024] },
      teardown: { regions: [4096], slotBytes: [4 * KiB], guardBytes: [4 * KiB] },
      fork: { regions: [4096], slotBytes: [12 * KiB], guardBytes: [4 * KiB] },
      ceiling: { limit: [40000] },
      scaling: [
        // Whether a marker pays for its own page tables in every create+free decides its cost: both, at one worker.
        { workers: [1], stackBytes: [256 * KiB], guardBytes: [4 * KiB], pinWorkers: [true], pageTables: ['shared', 'own'] },
        { workers: [WORKER_COUNTS.at(-1)!], stackBytes: [256 * KiB], guardBytes: [4 * KiB], pinWorkers: [true], pageTables: ['shared'] },
      ],
      detect: { guards: [100] },
    },
  },
  default: {
    name: 'default',
    description: 'the sweeps a pull request should show, under 3 minutes on 2 cores',
    budget: { timeMs: 300, minIterations: 15, warmupIterations: 2 },
    passes: 3,
    workloads: {
      'thread-stacks': [
        // create cost against the number of stacks, mapping and guarding alone
        { stacks: [64, 256, 1024], stackBytes: [8 * MiB], guardBytes: [4 * KiB], threads: [false], reuse: [false] },
        // with a real thread on each stack, fresh and from a stack cache
        { stacks: [256], stackBytes: [8 * MiB], guardBytes: [4 * KiB], threads: [true], reuse: [false, true] },
      ],
      'allocator-arenas': { regions: [1024, 16384], slotBytes: [12 * KiB], guardBytes: [4 * KiB], churn: [1024] },
      'madvise-batches': { guards: [16384], batch: [1, 8, 64, 256, 1024] },
      teardown: { regions: [1024, 16384], slotBytes: [4 * KiB], guardBytes: [4 * KiB] },
      fork: { regions: [1024, 16384], slotBytes: [12 * KiB], guardBytes: [4 * KiB] },
      ceiling: { limit: [1_000_000] },
      scaling: { workers: WORKER_COUNTS, stackBytes: [256 * KiB], guardBytes: [4 * KiB], pinWorkers: [true], pageTables: ['shared', 'own'] },
      detect: { guards: [1000, 100000] },
    },
  },
  full: {
    name: 'full',
    description: 'wider sweeps and longer sampling, for baselines',
    budget: { timeMs: 1000, minIterations: 30, warmupIterations: 3 },
    passes: 5,
    workloads: {
      'thread-stacks': { stacks: [64, 256, 1024, 4096], stackBytes: [256 * KiB, 8 * MiB], guardBytes: [4 * KiB, 64 * KiB], threads: [false, true], reuse: [false, true] },
      'allocator-arenas': { regions: [1024, 4096, 16384, 30000], slotBytes: [12 * KiB, 60 * KiB], guardBytes: [4 * KiB], churn: [1024] },
      'madvise-batches': { guards: [1024, 16384, 65536], batch: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] },
      teardown: { regions: [1024, 4096, 16384, 32000], slotBytes: [4 * KiB], guardBytes: [4 * KiB] },
      fork: { regions: [1024, 4096, 16384, 32000], slotBytes: [12 * KiB], guardBytes: [4 * KiB] },
      ceiling: { limit: [1_000_000] },
      scaling: { workers: WORKER_COUNTS, stackBytes: [256 * KiB, 8 * MiB], guardBytes: [4 * KiB], pinWorkers: [true, false], pageTables: ['shared', 'own'] },
      detect: { guards: [1, 1000, 16384, 100000] },
    },
  },
};
