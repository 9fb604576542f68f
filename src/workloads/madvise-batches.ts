/**
 * madvise-batches: the cover letter's "5x" setup. Install `guards` guards on one arena by an
 * mprotect loop (prot-none), a madvise loop (guard-madvise), and process_madvise with `batch`
 * guards per call (guard-process-madvise). One-call-per-guard loops pay the cost of entering the
 * kernel, and koffi's, once per guard; a batch pays it once per `batch` guards.
 */
import { count, defineWorkload, latency } from './types.js';
import { MEMORY_DEFAULT, recordArenaFootprint, timeInstall, type ArenaLayout } from './arena.js';
import { UIO_MAXIOV } from '../sys/constants.js';
import { pageSize } from '../sys/libc.js';
import { memoryProblem, type MemoryKind } from '../sys/memory.js';

interface BatchParams {
  [key: string]: number | string;
  guards: number;
  memory: MemoryKind;
  /** guards per process_madvise call; the one-call strategies run at batch=1 only */
  batch: number;
}

const PAGE = pageSize();
/** Each guard follows a 3-page slot, so no two guards touch and every guard is its own range. */
const SLOT_BYTES = 3 * PAGE;

export default defineWorkload<BatchParams>({
  name: 'madvise-batches',
  description: 'install N guards by an mprotect loop, a madvise loop, and process_madvise in batches of 1..1024',
  strategies: ['prot-none', 'guard-madvise', 'guard-process-madvise'],
  positiveAxes: ['guards', 'batch'],
  axisDefaults: MEMORY_DEFAULT,
  variantAxes: ['batch'],
  questions: [
    { id: 'install', text: 'How much faster than an mprotect loop do markers install, one per call and batched?' },
    { id: 'footprint', text: 'How many VMAs do the guards add?' },
  ],
  metrics: [
    latency('install', 'ns/guard', 'install every guard on a fresh arena', { answers: 'install' }),
    count('calls', 'count', 'lower', 'system calls made per install of all guards'),
    count('vma_delta', 'count', 'lower', 'VMAs the guards add', { answers: 'footprint', footprint: 'vmas', label: 'VMAs added' }),
  ],
  applies(strategy, p) {
    return strategy === 'guard-process-madvise' || p.batch === 1;
  },
  validate(p) {
    return p.batch > UIO_MAXIOV ? `batch must be at most ${UIO_MAXIOV} (UIO_MAXIOV), got ${p.batch}` : memoryProblem(p.memory);
  },
  run(ctx) {
    const layout: ArenaLayout = { regions: ctx.params.guards, slotBytes: SLOT_BYTES, guardBytes: PAGE, memory: ctx.params.memory };
    const options = { batch: ctx.params.batch };
    timeInstall(ctx, layout, options);
    ctx.record('calls', ctx.strategy.name === 'guard-process-madvise' ? Math.ceil(layout.regions / ctx.params.batch) : layout.regions);
    recordArenaFootprint(ctx, layout, options, ['vma_delta']);
  },
});
