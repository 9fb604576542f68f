/**
 * Progress of a run: a live line on a terminal, plain log lines when stdout is not a TTY or CI is
 * set, nothing with --quiet. A run of several minutes must never look hung.
 */
export type ProgressMode = 'tty' | 'lines' | 'quiet';

export function progressMode(quiet: boolean): ProgressMode {
  if (quiet) return 'quiet';
  if (process.env.CI || !process.stdout.isTTY) return 'lines';
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
      const width = process.stdout.columns ?? 120;
      process.stdout.write(`\r\x1b[K${line.slice(0, width - 1)}`);
    } else {
      console.log(line);
    }
    this.done++;
  }

  /** A message that must stay on screen (a skip, a failure). */
  note(message: string): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'tty') process.stdout.write('\r\x1b[K');
    console.log(message);
  }

  finish(): void {
    if (this.mode === 'tty') process.stdout.write('\r\x1b[K');
  }
}
