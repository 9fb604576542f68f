/**
 * What `npm run bench` measures: per profile, the timing budget and each workload's parameter axes.
 * The runner takes the cross product of the axes, as Node's benchmark/ does. Every profile includes
 * the allocator-arenas point of 16384 regions, 12 KiB slots and 4 KiB guards, the fidelity anchor.
 *
 * `memory` (anon, shmem, file) is swept where it answers a question: does a guard cost the same on
 * shared and file memory (arenas, batches, teardown), does a marker make fork copy page tables it
 * would not copy for shared memory (fork), and what loaders and shared rings would gain. Each kind
 * a run uses costs one verify pass over that kind, so quick keeps anon and one file point.
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
    description: 'one point per workload question, about 15 s on 2 cores',
    budget: { timeMs: 40, minIterations: 8, warmupIterations: 1 },
    passes: 2,
    workloads: {
      // Threads on the stacks (default profile) make teardown host-priced: 25-60% run to run here.
      'thread-stacks': { stacks: [256], stackBytes: [8 * MiB], guardBytes: [4 * KiB], threads: [false], reuse: [false] },
      'allocator-arenas': { regions: [16384], slotBytes: [12 * KiB], guardBytes: [4 * KiB], churn: [1024], memory: ['anon'] },
      'madvise-batches': { guards: [4096], batch: [1, 64, 1024], memory: ['anon'] },
      teardown: { regions: [4096], slotBytes: [4 * KiB], guardBytes: [4 * KiB], memory: ['anon'] },
      fork: { regions: [4096], slotBytes: [12 * KiB], guardBytes: [4 * KiB], memory: ['anon'] },
      ceiling: { limit: [40000] },
      // Whether a marker pays for its own page tables in every create+free decides its cost: both, at one
      // worker (contention across workers is the default profile's sweep).
      scaling: { workers: [1], stackBytes: [256 * KiB], guardBytes: [4 * KiB], pinWorkers: [true], pageTables: ['shared', 'own'] },
      detect: { guards: [100] },
      'loader-gap': { libraries: [16], segments: [4], segmentBytes: [16 * KiB], gapBytes: [48 * KiB], memory: ['file'] },
    },
  },
  default: {
    name: 'default',
    description: 'the sweeps a pull request should show, under 90 s on 2 cores',
    budget: { timeMs: 200, minIterations: 12, warmupIterations: 1 },
    passes: 2,
    workloads: {
      'thread-stacks': [
        // create cost against the number of stacks, mapping and guarding alone
        { stacks: [64, 256, 1024], stackBytes: [8 * MiB], guardBytes: [4 * KiB], threads: [false], reuse: [false] },
        // with a real thread on each stack, fresh and from a stack cache
        { stacks: [256], stackBytes: [8 * MiB], guardBytes: [4 * KiB], threads: [true], reuse: [false, true] },
      ],
      'allocator-arenas': [
        { regions: [1024, 16384], slotBytes: [12 * KiB], guardBytes: [4 * KiB], churn: [1024], memory: ['anon'] },
        // a shared arena (a multi-process cache, an IPC pool) and one over a file
        { regions: [16384], slotBytes: [12 * KiB], guardBytes: [4 * KiB], churn: [1024], memory: ['shmem', 'file'] },
      ],
      'madvise-batches': [
        { guards: [16384], batch: [1, 8, 64, 256, 1024], memory: ['anon'] },
        { guards: [16384], batch: [1, 1024], memory: ['shmem'] },
      ],
      teardown: [
        { regions: [1024, 16384], slotBytes: [4 * KiB], guardBytes: [4 * KiB], memory: ['anon'] },
        { regions: [16384], slotBytes: [4 * KiB], guardBytes: [4 * KiB], memory: ['shmem', 'file'] },
      ],
      fork: [
        { regions: [1024, 16384], slotBytes: [12 * KiB], guardBytes: [4 * KiB], memory: ['anon'] },
        // shared memory's page tables are not copied at fork, unless markers make them needed
        { regions: [16384], slotBytes: [12 * KiB], guardBytes: [4 * KiB], memory: ['shmem'] },
      ],
      ceiling: { limit: [1_000_000] },
      scaling: { workers: WORKER_COUNTS, stackBytes: [256 * KiB], guardBytes: [4 * KiB], pinWorkers: [true], pageTables: ['shared', 'own'] },
      detect: { guards: [1000, 100000] },
      // libraries aligned to 64 KiB (arm64 builds) and to 16 KiB (Android's 16 KiB-page-ready libraries) on this page size
      'loader-gap': [
        { libraries: [512], segments: [4], segmentBytes: [16 * KiB], gapBytes: [48 * KiB], memory: ['file'] },
        { libraries: [512], segments: [4], segmentBytes: [4 * KiB], gapBytes: [12 * KiB], memory: ['file'] },
      ],
      'ring-buffers': { rings: [256], ringBytes: [64 * KiB], guardBytes: [4 * KiB], memory: ['shmem', 'anon'] },
    },
  },
  full: {
    name: 'full',
    description: 'wider sweeps and longer sampling, for baselines',
    budget: { timeMs: 1000, minIterations: 30, warmupIterations: 3 },
    passes: 5,
    workloads: {
      'thread-stacks': { stacks: [64, 256, 1024, 4096], stackBytes: [256 * KiB, 8 * MiB], guardBytes: [4 * KiB, 64 * KiB], threads: [false, true], reuse: [false, true] },
      'allocator-arenas': { regions: [1024, 4096, 16384, 30000], slotBytes: [12 * KiB, 60 * KiB], guardBytes: [4 * KiB], churn: [1024], memory: ['anon', 'shmem', 'file'] },
      'madvise-batches': { guards: [1024, 16384, 65536], batch: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], memory: ['anon', 'shmem', 'file'] },
      teardown: { regions: [1024, 4096, 16384, 32000], slotBytes: [4 * KiB], guardBytes: [4 * KiB], memory: ['anon', 'shmem', 'file'] },
      fork: { regions: [1024, 4096, 16384, 32000], slotBytes: [12 * KiB], guardBytes: [4 * KiB], memory: ['anon', 'shmem', 'file'] },
      ceiling: { limit: [1_000_000] },
      scaling: { workers: WORKER_COUNTS, stackBytes: [256 * KiB, 8 * MiB], guardBytes: [4 * KiB], pinWorkers: [true, false], pageTables: ['shared', 'own'] },
      detect: { guards: [1, 1000, 16384, 100000] },
      'loader-gap': { libraries: [64, 512, 2048], segments: [4, 6], segmentBytes: [4 * KiB, 16 * KiB], gapBytes: [12 * KiB, 48 * KiB], memory: ['file', 'shmem'] },
      'ring-buffers': { rings: [64, 256, 1024], ringBytes: [64 * KiB, 1024 * KiB], guardBytes: [4 * KiB], memory: ['shmem', 'anon'] },
    },
  },
  trail: {
    name: 'trail',
    description: 'what can change between kernels (counts, bytes, verify on anon, shmem and file), latencies barely sampled; guardbench kernel trail',
    // The trail compares kernels, mostly under TCG, where latencies are no benchmark: each timed
    // metric gets the fewest samples the runner takes, and every point is measured once.
    budget: { timeMs: 1, minIterations: 2, warmupIterations: 0 },
    passes: 1,
    workloads: {
      'thread-stacks': { stacks: [256], stackBytes: [8 * MiB], guardBytes: [4 * KiB], threads: [false], reuse: [false] },
      'allocator-arenas': { regions: [16384], slotBytes: [12 * KiB], guardBytes: [4 * KiB], churn: [1024], memory: ['anon', 'shmem', 'file'] },
      // UIO_MAXIOV decides the calls a batch takes; the VMAs are the arena's
      'madvise-batches': { guards: [4096], batch: [1, 1024], memory: ['anon'] },
      teardown: { regions: [4096], slotBytes: [4 * KiB], guardBytes: [4 * KiB], memory: ['anon', 'file'] },
      // whether fork copies a marker's page tables on shared memory (VM_MAYBE_GUARD, 6.19) shows here
      fork: { regions: [4096], slotBytes: [12 * KiB], guardBytes: [4 * KiB], memory: ['anon', 'shmem', 'file'] },
      ceiling: { limit: [40000] },
      detect: { guards: [100] },
      'loader-gap': { libraries: [16], segments: [4], segmentBytes: [16 * KiB], gapBytes: [48 * KiB], memory: ['file'] },
      'ring-buffers': { rings: [64], ringBytes: [64 * KiB], guardBytes: [4 * KiB], memory: ['shmem'] },
    },
  },
};
