/**
 * The console summary printed at the end of a run: the at-a-glance table (each workload's headline
 * figures, prot-none and the markers side by side, each marker's gain or loss against prot-none),
 * one line per workload on its noisy figures, the FFI floor, the host's speed, whether every
 * mapping was released, and last, where the run and its reports went. Every figure of every point
 * is in report.md and report.html; the terminal gets what a reader acts on.
 */
import type { Run } from '../results/schema.js';
import { batchingAccount } from '../analysis/gains.js';
import { hostSpeedOf } from '../analysis/host-speed.js';
import { NOISY_RME_PERCENT, NOISE_TAIL_RATIO, noiseWarning } from '../analysis/noise.js';
import { workloadShapes, type WorkloadShape } from '../analysis/shapes.js';
import { specOf } from '../analysis/specs.js';
import { textTable } from '../render/text-table.js';
import type { Cell } from './cells.js';
import { formatNs } from './figures.js';
import { headlineTable } from './headline-table.js';
import { batchingSentence, describeHostSpeed, vmaBalanceSentence } from './words.js';

/** The files a run wrote, for the summary's last lines. */
export interface WrittenFiles {
  json: string;
  csv: string;
  /** report.md, report.html, charts/*.png: whatever was rendered */
  reports: readonly string[];
}

/** A cell for the terminal: its text, " !" when noisy. */
function consoleCell(c: Cell): string {
  return c.warn ? `${c.text} !` : c.text;
}

/** The at-a-glance table, each workload a heading line over its figures. */
function glance(run: Run): string[] {
  const t = headlineTable(run);
  if (!t) return [];
  const body: string[][] = [];
  for (const r of t.rows) {
    if (r[0]!.text) body.push([r[0]!.text]);
    body.push([`  ${r[1]!.text}`, ...r.slice(2).map(consoleCell)]);
  }
  const out = textTable(['', ...t.header.slice(2)], body, { align: ['left'], rule: true }).split('\n');
  return ['At a glance (medians; each marker against prot-none; ! noisy):', ...out];
}

/** "thread-stacks: 7 of 8 latencies noisy (rme 13.7-63.1%)": one line per workload with noisy latencies. */
function noiseLine(run: Run, shape: WorkloadShape): string | null {
  const latencies = shape.rows.filter((r) => r.status === 'ok' && specOf(run, r).kind === 'latency');
  const noisy = latencies.filter((r) => noiseWarning(r) !== null);
  if (noisy.length === 0) return null;
  const rmes = noisy.map((r) => r.stats!.rme).filter((x) => x > NOISY_RME_PERCENT).sort((a, b) => a - b);
  const range = rmes.length === 0 ? '' : rmes.length === 1 ? `rme ${rmes[0]!.toFixed(1)}%`
    : `rme ${rmes[0]!.toFixed(1)}-${rmes.at(-1)!.toFixed(1)}%`;
  const tails = noisy.length - rmes.length;
  const why = [range, tails > 0 ? `${tails} with a long tail` : ''].filter(Boolean).join(', ');
  return `  ${shape.name}: ${noisy.length} of ${latencies.length} latencies noisy (${why})`;
}

function noiseLines(run: Run): string[] {
  const lines = workloadShapes(run).map((s) => noiseLine(run, s)).filter((l): l is string => l !== null);
  if (lines.length === 0) return [];
  return [`\nNoisy figures (margin of error over ${NOISY_RME_PERCENT}% or p99 over ${NOISE_TAIL_RATIO}x the median; read them as rough):`, ...lines];
}

/** The FFI floor and what it explains of batching's speed-up. */
function ffiLines(run: Run): string[] {
  const floor = run.env.ffi;
  if (!floor) return [];
  const lines = [`\nFFI floor: a koffi call costs ${formatNs(floor.labsNs)} (labs, no kernel entry) and ${formatNs(floor.getppidNs)} `
    + 'as the cheapest system call (getppid): one-call-per-guard loops pay that per guard, a process_madvise batch once per batch.'];
  const b = batchingAccount(run);
  if (b && Number.isFinite(b.speedupWithoutCallPrice)) lines.push(batchingSentence(b));
  return lines;
}

/** Where the run and its reports went: the last lines, where a terminal leaves the eye. */
function fileLines(files: WrittenFiles): string[] {
  const pngs = files.reports.filter((f) => f.endsWith('.png'));
  const others = files.reports.filter((f) => !f.endsWith('.png'));
  const lines = [`\nrun written to ${files.json} and ${files.csv}`];
  if (others.length > 0 || pngs.length > 0) {
    const charts = pngs.length > 0 ? `${others.length ? ', ' : ''}${pngs.length} PNG charts` : '';
    lines.push(`reports: ${others.join(', ')}${charts}`);
  }
  return lines;
}

/** Prose lines wider than a terminal wrap at word boundaries, continued with an indent; tables and paths stay as they are. */
const PROSE_WIDTH = 100;

function wrapProse(line: string): string {
  if (line.length <= PROSE_WIDTH) return line;
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && current.length + 1 + word.length > PROSE_WIDTH) {
      out.push(current);
      current = `  ${word}`;
    } else current = current ? `${current} ${word}` : word;
  }
  out.push(current);
  return out.join('\n');
}

export function renderConsoleSummary(run: Run, files?: WrittenFiles): string {
  const out: string[] = [...glance(run), ...noiseLines(run), ...ffiLines(run).map(wrapProse)];
  const hs = hostSpeedOf(run);
  if (hs) out.push(wrapProse(`\nHost speed: ${describeHostSpeed(hs)}`));
  const balance = vmaBalanceSentence(run);
  if (balance) out.push(balance);
  const problems = run.rows.filter((r) => r.status === 'failed');
  if (problems.length > 0) out.push(`\n${problems.length} rows failed; first: ${problems[0]!.workload}/${problems[0]!.strategy}/${problems[0]!.metric}: ${problems[0]!.reason}`);
  if (files) out.push(...fileLines(files));
  return out.join('\n');
}
