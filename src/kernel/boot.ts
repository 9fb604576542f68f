/**
 * One guest boot: start QEMU (its serial console goes to kernel-console.log), follow the init's
 * marked lines in that file as they come, and wait for the guest to power off (or kill it at the
 * deadline).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parseGuestLine, type GuestEvent } from './guest-init.js';

/** The init's stages, and 'exited' when guardbench returned in the guest. */
export type Stage = 'booted' | 'mounted' | 'copied' | 'exited';

export interface BootResult {
  /** ms from QEMU's start to each stage the guest reached */
  stages: Partial<Record<Stage, number>>;
  /** guardbench's exit code in the guest, or null when the guest never got that far */
  exitCode: number | null;
  missing: string | null;
  error: string | null;
  /** what the guest said of its scratch disk ("ext4 on ..." or "none: why") */
  disk: string | null;
  /** the console's kernel panic line, if there was one */
  panic: string | null;
  /** killed at a deadline: 'boot' when init never started, 'run' when no result came in time */
  timedOut: 'boot' | 'run' | null;
  /**
   * KVM could not run the guest: QEMU's "KVM internal error" (a nested KVM that cannot emulate an
   * instruction), or a console still empty after `silentConsoleMs`. The guest was stopped.
   */
  kvmError: string | null;
  /** the signal (Ctrl-C, a kill) that made the host stop the guest */
  interrupted: NodeJS.Signals | null;
  qemu: { code: number | null; signal: NodeJS.Signals | null; stderr: string };
  /** the last line in the guest's console that reads like guardbench's own error line */
  lastGuardbenchLine: string | null;
  elapsedMs: number;
}

export interface BootOptions {
  qemu: string;
  /** QEMU's arguments, with its serial console going to `consoleLog` */
  args: string[];
  consoleLog: string;
  /** how long the whole session may take */
  timeoutMs: number;
  /** how long the kernel may take to start init (a kernel that cannot boot here often just hangs) */
  bootTimeoutMs: number;
  /**
   * Under KVM: how long the console may stay empty. A kernel prints within a second or two there; a
   * nested KVM that cannot run the guest often shows nothing at all and no error either.
   */
  silentConsoleMs?: number;
  onEvent?: (event: GuestEvent, elapsedMs: number) => void;
}

/** How long a guest that said it is done may take to power off before it is killed. */
const POWEROFF_GRACE_MS = 30_000;
const CONSOLE_POLL_MS = 200;

/** Reads what was appended to a file since the last call. */
class FileFollower {
  private offset = 0;
  private readonly buf = Buffer.alloc(64 * 1024);
  // keeps a UTF-8 character split across two reads whole
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly path: string) {}

  read(): string {
    const fd = openSync(this.path, 'r');
    try {
      let text = '';
      for (let n; (n = readSync(fd, this.buf, 0, this.buf.length, this.offset)) > 0; this.offset += n) text += this.decoder.write(this.buf.subarray(0, n));
      return text;
    } finally {
      closeSync(fd);
    }
  }
}

export function bootGuest(options: BootOptions): Promise<BootResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const result: BootResult = {
    stages: {}, exitCode: null, missing: null, error: null, disk: null, panic: null, timedOut: null, kvmError: null, interrupted: null,
    qemu: { code: null, signal: null, stderr: '' }, lastGuardbenchLine: null, elapsedMs: 0,
  };
  writeFileSync(options.consoleLog, '');
  const console_ = new FileFollower(options.consoleLog);
  const child = spawn(options.qemu, options.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let pending = '';
  let killer: NodeJS.Timeout | undefined;
  const killAfter = (ms: number, timedOut: BootResult['timedOut']) => {
    clearTimeout(killer);
    killer = setTimeout(() => {
      result.timedOut = timedOut;
      child.kill('SIGKILL');
    }, ms);
  };
  killAfter(options.bootTimeoutMs, 'boot');

  const onLine = (raw: string) => {
    const line = raw.replace(/\r$/, '');
    if (result.panic === null && line.includes('Kernel panic - not syncing')) result.panic = line.trim();
    const event = parseGuestLine(line);
    if (!event) {
      // guardbench's own one-line errors: "guardbench run: ..." or "guardbench: ..."
      if (/^guardbench( [a-z]+)?: /.test(line)) result.lastGuardbenchLine = line;
      return;
    }
    if (event.kind === 'stage') result.stages[event.stage] = elapsed();
    else if (event.kind === 'exit') {
      result.exitCode = event.code;
      result.stages.exited = elapsed();
    } else if (event.kind === 'disk') result.disk = event.what;
    else if (event.kind === 'missing') result.missing = event.what;
    else result.error = event.what;
    if (event.kind === 'stage' && event.stage === 'booted') killAfter(options.timeoutMs - elapsed(), 'run');
    // the guest's last word: it powers off next
    if (event.kind === 'exit' || event.kind === 'missing' || event.kind === 'error') killAfter(POWEROFF_GRACE_MS, null);
    options.onEvent?.(event, elapsed());
  };
  let heard = false;
  const silence = options.silentConsoleMs === undefined ? undefined : setTimeout(() => {
    if (heard || result.kvmError !== null) return;
    result.kvmError = `the guest wrote nothing on its console within ${Math.round(options.silentConsoleMs! / 1000)} s`;
    child.kill('SIGKILL');
  }, options.silentConsoleMs);
  const follow = () => {
    const text = console_.read();
    if (text) heard = true;
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(onLine);
  };
  const poller = setInterval(follow, CONSOLE_POLL_MS);
  // QEMU would outlive a host process that is told to stop
  const onSignal = (signal: NodeJS.Signals) => {
    result.interrupted = signal;
    child.kill('SIGKILL');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopWatching = () => {
    clearTimeout(killer);
    clearTimeout(silence);
    clearInterval(poller);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  child.stderr.on('data', (chunk: Buffer) => {
    result.qemu.stderr += chunk.toString('utf8');
    // QEMU pauses such a guest instead of exiting: without this it would sit there until the deadline
    const kvm = /KVM internal error[^\n]*/.exec(result.qemu.stderr);
    if (kvm && result.kvmError === null) {
      result.kvmError = kvm[0].trim();
      child.kill('SIGKILL');
    }
  });

  return new Promise((resolveBoot, rejectBoot) => {
    child.on('error', (e) => {
      stopWatching();
      rejectBoot(e);
    });
    child.on('close', (code, signal) => {
      // the last lines first: reading them may set a timer, which must not outlive QEMU
      follow();
      if (pending) onLine(pending);
      stopWatching();
      result.qemu.code = code;
      result.qemu.signal = signal;
      result.elapsedMs = elapsed();
      resolveBoot(result);
    });
  });
}
