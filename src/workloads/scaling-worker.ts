/**
 * One scaling worker thread: it loads its own koffi bindings and strategies, then waits for
 * commands (scaling-protocol.ts). A round maps a stack at the worker's own fixed address, guards
 * its low end the strategy's way, and unmaps it, again and again: every mmap and munmap takes the
 * mmap write lock, and the guard takes it too (mprotect) or only for reading (madvise), which is
 * what concurrent threads contend on.
 */
import { workerData } from 'node:worker_threads';
import { MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_STACK, PROT_RW } from '../sys/constants.js';
import { SysError, lastErrno, raw } from '../sys/libc.js';
import { noGuard } from '../strategies/no-guard.js';
import { protNone } from '../strategies/prot-none.js';
import { guardMadvise } from '../strategies/guard-madvise.js';
import { makeGuardProcessMadvise } from '../strategies/guard-process-madvise.js';
import { guardRanges, type PreparedGuards, type Strategy } from '../strategies/types.js';
import { CMD, CTL, ERROR_BYTES, NUM, STRATEGY_ORDER, type WorkerInit } from './scaling-protocol.js';

const init = workerData as WorkerInit;
const { ctl, nums, error } = init.shared;
const me = init.index;
const STACK_FLAGS = MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_FIXED_NOREPLACE;

const strategies: Record<string, Strategy> = {
  'no-guard': noGuard,
  'prot-none': protNone,
  'guard-madvise': guardMadvise,
  'guard-process-madvise': makeGuardProcessMadvise(init.pidfdSelfValue),
};

interface Config {
  strategy: Strategy;
  stack: number;
  stackBytes: number;
  guard: PreparedGuards;
}

let config: Config | null = null;

/** Pin this thread to one allowed CPU, or let it run on all of them. */
function setAffinity(pin: boolean): void {
  const mask = Buffer.alloc(128);
  const cpus = pin ? [init.cpus[me % init.cpus.length]!] : init.cpus;
  for (const cpu of cpus) mask[cpu >> 3]! |= 1 << (cpu & 7);
  if (raw.schedSetaffinity(0, mask.length, mask) !== 0) throw new SysError('sched_setaffinity', [me], lastErrno());
}

function configure(): void {
  release();
  setAffinity(nums[NUM.PIN] === 1);
  const strategy = strategies[STRATEGY_ORDER[nums[NUM.STRATEGY]!]!]!;
  const stack = nums[NUM.BASES + me]!;
  config = { strategy, stack, stackBytes: nums[NUM.STACK_BYTES]!, guard: strategy.prepare(guardRanges([stack], nums[NUM.GUARD_BYTES]!)) };
}

function release(): void {
  config?.guard.release();
  config = null;
}

/** Create a guarded stack and free it. */
function cycle(c: Config): void {
  if (raw.mmap(c.stack, c.stackBytes, PROT_RW, STACK_FLAGS, -1, 0) !== c.stack) {
    throw new SysError('mmap(MAP_FIXED_NOREPLACE)', [c.stack, c.stackBytes], lastErrno());
  }
  try {
    c.strategy.install(c.guard);
  } finally {
    raw.munmap(c.stack, c.stackBytes);
  }
}

/** Wait until every active worker is here, so all start together. */
function barrier(active: number): void {
  if (Atomics.add(ctl, CTL.ARRIVED, 1) + 1 === active) {
    Atomics.notify(ctl, CTL.ARRIVED);
    return;
  }
  for (let v = Atomics.load(ctl, CTL.ARRIVED); v < active; v = Atomics.load(ctl, CTL.ARRIVED)) Atomics.wait(ctl, CTL.ARRIVED, v);
}

function run(cmd: number, active: number): void {
  if (cmd === CMD.CONFIGURE) return configure();
  if (cmd === CMD.RELEASE) return release();
  const c = config;
  if (!c) throw new Error('round before configure');
  barrier(active);
  let done = 0;
  if (cmd === CMD.ROUND) {
    for (const n = nums[NUM.ROUND_OPS]!; done < n; done++) cycle(c);
  } else {
    while (Atomics.load(ctl, CTL.STOP) === 0) {
      cycle(c);
      done++;
    }
  }
  nums[NUM.COUNTS + me] = done;
}

function reportFailure(e: unknown): void {
  if (Atomics.compareExchange(ctl, CTL.FAILED, 0, 1) !== 0) return;
  const text = Buffer.from(`worker ${me}: ${e instanceof Error ? e.message : String(e)}`.slice(0, ERROR_BYTES - 1));
  error.fill(0);
  error.set(text);
}

Atomics.add(ctl, CTL.READY, 1);
Atomics.notify(ctl, CTL.READY);
for (let seen = 0; ;) {
  Atomics.wait(ctl, CTL.GEN, seen);
  const gen = Atomics.load(ctl, CTL.GEN);
  if (gen === seen) continue;
  seen = gen;
  const active = Atomics.load(ctl, CTL.ACTIVE);
  if (me >= active) continue;
  try {
    run(Atomics.load(ctl, CTL.CMD), active);
  } catch (e) {
    reportFailure(e);
    // A failed worker must not leave the others waiting at the barrier.
    Atomics.add(ctl, CTL.ARRIVED, active);
    Atomics.notify(ctl, CTL.ARRIVED);
  }
  if (Atomics.add(ctl, CTL.DONE, 1) + 1 === active) Atomics.notify(ctl, CTL.DONE);
}
