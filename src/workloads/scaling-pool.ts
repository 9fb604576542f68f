/**
 * The scaling workload's worker threads, kept for the life of the process: booting a worker that
 * loads TypeScript and koffi takes about half a second here, too much to pay at every point. The
 * workers are unref'd, so they never keep a finished run alive.
 *
 * The runner measures a point synchronously, so the main thread never yields to its event loop
 * while workers run: it blocks in Atomics.wait (allowed on Node's main thread) until the workers
 * count themselves done. Worker threads need no help from the main thread's loop to boot or run.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { CMD, CTL, NUM, MAX_WORKERS, makeShared, type SharedState, type WorkerInit } from './scaling-protocol.js';
import { allowedCpus } from '../sys/affinity.js';

const BOOT_TIMEOUT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 60_000;

/** The CPUs this process may run on (Cpus_allowed_list: "0-3,6"). */

/**
 * Worker threads in Node 20 do not inherit the tsx loader, so each one registers tsx's require
 * hook itself before loading scaling-worker.ts.
 */
function bootSource(): string {
  const api = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const worker = new URL('./scaling-worker.ts', import.meta.url).pathname;
  return `require(${JSON.stringify(api)}).require(${JSON.stringify(worker)}, ${JSON.stringify(worker)});`;
}

/** Block until ctl[slot] reaches `target` or the deadline passes. */
function waitAtLeast(ctl: Int32Array, slot: number, target: number, timeoutMs: number, what: string): void {
  const deadline = performance.now() + timeoutMs;
  for (let v = Atomics.load(ctl, slot); v < target; v = Atomics.load(ctl, slot)) {
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`scaling workers: ${what} timed out (${v} of ${target})`);
    Atomics.wait(ctl, slot, v, Math.min(left, 1000));
  }
}

export class WorkerPool {
  private static shared: WorkerPool | null = null;
  readonly state: SharedState = makeShared();
  private readonly workers: Worker[] = [];
  readonly cpus = allowedCpus();
  /** why the pool cannot be trusted any more (a worker never booted or never answered) */
  private broken: string | null = null;

  static get(): WorkerPool {
    WorkerPool.shared ??= new WorkerPool();
    return WorkerPool.shared;
  }

  /**
   * End the shared pool's workers (at the end of a run), so the process's VMA count at the end
   * compares with the one at the start: each worker holds a thread stack and a V8 heap of its own.
   * A worker that does not end within the timeout is left to die with the process.
   */
  static async shutdown(timeoutMs = 2000): Promise<void> {
    const pool = WorkerPool.shared;
    WorkerPool.shared = null;
    if (!pool) return;
    const ended = Promise.all(pool.workers.map((w) => w.terminate()));
    await Promise.race([ended, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Make sure at least `n` workers are booted and waiting. */
  ensure(n: number, pidfdSelfValue: number | null): void {
    if (n > MAX_WORKERS) throw new RangeError(`at most ${MAX_WORKERS} workers`);
    if (this.broken) throw new Error(this.broken);
    const source = bootSource();
    while (this.workers.length < n) {
      const init: WorkerInit = { shared: this.state, index: this.workers.length, pidfdSelfValue, cpus: this.cpus };
      const w = new Worker(source, { eval: true, workerData: init });
      w.unref();
      // Errors surface as timeouts or FAILED here; the handler only keeps them from being fatal.
      w.on('error', () => {});
      this.workers.push(w);
    }
    this.guard(() => waitAtLeast(this.state.ctl, CTL.READY, n, BOOT_TIMEOUT_MS, 'boot'));
  }

  /** A timeout leaves workers in an unknown state: fail every later point at once instead of waiting again. */
  private guard(wait: () => void): void {
    try {
      wait();
    } catch (e) {
      this.broken = `${(e as Error).message}; the scaling workers are not used again in this process`;
      throw new Error(this.broken);
    }
  }

  /**
   * Run one command on workers 0..active-1 and wait for all of them. `whileRunning` runs on the
   * main thread after the command is issued (a timed round uses it to wait, then set STOP).
   */
  command(cmd: number, active: number, whileRunning?: () => void): void {
    const { ctl } = this.state;
    Atomics.store(ctl, CTL.DONE, 0);
    Atomics.store(ctl, CTL.ARRIVED, 0);
    Atomics.store(ctl, CTL.STOP, 0);
    Atomics.store(ctl, CTL.CMD, cmd);
    Atomics.store(ctl, CTL.ACTIVE, active);
    Atomics.add(ctl, CTL.GEN, 1);
    Atomics.notify(ctl, CTL.GEN);
    whileRunning?.();
    this.guard(() => waitAtLeast(ctl, CTL.DONE, active, COMMAND_TIMEOUT_MS, `command ${cmd}`));
    if (Atomics.load(ctl, CTL.FAILED) !== 0) {
      const end = this.state.error.indexOf(0);
      const message = Buffer.from(this.state.error.slice(0, end < 0 ? undefined : end)).toString();
      Atomics.store(ctl, CTL.FAILED, 0);
      throw new Error(message);
    }
  }

  /** Operations each active worker counted in the last round. */
  counts(active: number): number[] {
    return Array.from({ length: active }, (_, i) => this.state.nums[NUM.COUNTS + i]!);
  }

  /** Ask a timed round to end. */
  stop(): void {
    Atomics.store(this.state.ctl, CTL.STOP, 1);
  }
}

export { CMD };
