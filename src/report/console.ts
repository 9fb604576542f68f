/**
 * The console summary printed at the end of a run: per workload and point, each strategy's figures
 * side by side, then the guard strategies' speed-up and VMA saving against prot-none, the FFI floor,
 * the host's speed and whether every mapping was released.
 */
import type { Row, Run } from '../results/schema.js';
import { batchingAccount, gainsOverProtNone } from '../analysis/gains.js';
import { hostSpeedOf } from '../analysis/host-speed.js';
import { paramsKey } from '../analysis/keys.js';
import { noiseWarning } from '../analysis/noise.js';
import { cell, workloadShapes, type PointInfo, type WorkloadShape } from '../analysis/shapes.js';
import { footprintVsProtNone } from '../analysis/footprint.js';
import { formatValue } from '../render/format.js';
import { textTable } from '../render/text-table.js';
import { batchingSentence, describeHostSpeed, vmaBalanceSentence, vmaWords } from './words.js';

/** "1,234 ±2.1%", with " !" when the figure is noisy. */
function formatCell(row: Row | undefined): string {
  if (!row) return '';
  if (row.status !== 'ok') return row.status;
  const v = formatValue(row.value);
  if (!row.stats) return v;
  return `${v} ±${row.stats.rme.toFixed(1)}%${noiseWarning(row) ? ' !' : ''}`;
}

function pointTable(shape: WorkloadShape, point: PointInfo): string[] {
  const rows = shape.rows.filter((r) => paramsKey(r.params) === point.key);
  const strategies = shape.strategies.filter((s) => rows.some((r) => r.strategy === s));
  const metrics = shape.metrics.filter((m) => rows.some((r) => r.metric === m.metric));
  const body = metrics.map((m) => [`${m.metric} (${m.unit})`, ...strategies.map((s) => formatCell(cell(shape, point, s, m.metric)))]);
  const out = [`\n${shape.name}  ${point.key}`, textTable(['metric', ...strategies], body, { align: ['left'], rule: true })];
  // Noise notes in the table's order: metric by metric, strategies left to right.
  for (const m of metrics) {
    for (const s of strategies) {
      const r = cell(shape, point, s, m.metric);
      const warning = r ? noiseWarning(r) : null;
      if (warning) out.push(`  ! ${s} ${m.metric}: ${warning}`);
    }
  }
  return out;
}

export function renderConsoleSummary(run: Run): string {
  const out: string[] = [];
  const shapes = workloadShapes(run);
  for (const shape of shapes) for (const point of shape.points) out.push(...pointTable(shape, point));
  const lines = headlineSentences(run, shapes);
  if (lines.length > 0) out.push('\nGuard markers against prot-none:', ...lines.map((l) => `  ${l}`));
  out.push(...ffiLines(run));
  const hs = hostSpeedOf(run);
  if (hs) out.push(`\nHost speed: ${describeHostSpeed(hs)}`);
  const balance = vmaBalanceSentence(run);
  if (balance) out.push(balance);
  const problems = run.rows.filter((r) => r.status === 'failed');
  if (problems.length > 0) out.push(`\n${problems.length} rows failed; first: ${problems[0]!.workload}/${problems[0]!.strategy}/${problems[0]!.metric}: ${problems[0]!.reason}`);
  return out.join('\n');
}

/** "allocator-arenas install [...]: guard-process-madvise 15.9x faster than prot-none (±2.1%); adds 0 VMAs instead of 32,767" */
function headlineSentences(run: Run, shapes: WorkloadShape[]): string[] {
  return gainsOverProtNone(run).map((gain) => {
    const { row } = gain;
    const shape = shapes.find((s) => s.name === row.workload)!;
    const point = shape.points.find((p) => p.key === paramsKey(row.params))!;
    const vma = footprintVsProtNone({ ...shape, points: [point] }, row.strategy)?.vma;
    const vmas = vma ? `; ${vmaWords(vma)}` : '';
    const word = gain.speedup >= 1 ? `${gain.speedup.toFixed(2)}x faster` : `${(1 / gain.speedup).toFixed(2)}x slower`;
    return `${row.workload} ${row.metric} [${point.key}]: ${row.strategy} ${word} than prot-none (±${gain.speedupRme.toFixed(1)}%)${vmas}`;
  });
}

/** The FFI floor and what it explains of batching's speed-up. */
function ffiLines(run: Run): string[] {
  const floor = run.env.ffi;
  if (!floor) return [];
  const lines = [`\nFFI floor: a koffi call costs ${floor.labsNs.toFixed(0)} ns (labs, no kernel entry) and ${floor.getppidNs.toFixed(0)} ns `
    + 'as the cheapest system call (getppid): one-call-per-guard loops pay that per guard, a process_madvise batch once per batch.'];
  const b = batchingAccount(run);
  if (b && Number.isFinite(b.speedupWithoutCallPrice)) lines.push(batchingSentence(b));
  return lines;
}
