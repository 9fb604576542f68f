/**
 * Progress of a run, on stderr so that stdout carries only results (a summary, or --json's document
 * in a pipe): a live line when stderr is a terminal, plain log lines when it is not or CI is set,
 * nothing with --quiet. A run of several minutes must never look hung.
 */
export type ProgressMode = 'tty' | 'lines' | 'quiet';

export function progressMode(quiet: boolean): ProgressMode {
  if (quiet) return 'quiet';
  if (process.env.CI || !process.stderr.isTTY) return 'lines';
  return 'tty';
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class Progress {
  private readonly started = performance.now();
  private done = 0;

  constructor(private readonly mode: ProgressMode, private readonly total: number) {}

  /** A point is about to start. */
  point(label: string): void {
    if (this.mode === 'quiet') return;
    const elapsed = performance.now() - this.started;
    const left = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : null;
    const line = `[${this.done + 1}/${this.total}] ${label}  ${seconds(elapsed)} elapsed${left === null ? '' : `, ~${seconds(left)} left`}`;
    if (this.mode === 'tty') {
      const width = process.stderr.columns ?? 120;
      process.stderr.write(`\r\x1b[K${line.slice(0, width - 1)}`);
    } else {
      console.error(line);
    }
    this.done++;
  }

  /** A message that must stay on screen (a skip, a failure). */
  note(message: string): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'tty') process.stderr.write('\r\x1b[K');
    console.error(message);
  }

  finish(): void {
    if (this.mode === 'tty') process.stderr.write('\r\x1b[K');
  }
}
