/**
 * The console summary printed at the end of a run: per workload and point, each strategy's headline
 * figures side by side, then the guard strategies' speed-up and VMA saving against prot-none.
 */
import type { Run } from '../results/schema.js';
import {
  batchingAccount, ffiFloor, hostSpeedOf, hostSpeedSentence, formatCell, formatValue, gainsOverProtNone, groupByPoint, noiseWarning, VARIANT_AXES, paramsKey, vmaBalanceSentence,
} from './summary.js';

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function renderConsoleSummary(run: Run): string {
  const out: string[] = [];
  for (const g of groupByPoint(run)) {
    out.push(`\n${g.workload}  ${g.key}`);
    const body: string[][] = [];
    for (const [metric, byStrategy] of g.cells) {
      const unit = [...byStrategy.values()][0]?.unit ?? '';
      body.push([`${metric} (${unit})`, ...g.strategies.map((s) => formatCell(byStrategy.get(s)))]);
    }
    out.push(table(['metric', ...g.strategies], body));
    const noisy = [...g.cells.values()].flatMap((m) => [...m.values()]).filter((r) => noiseWarning(r));
    for (const r of noisy) out.push(`  ! ${r.strategy} ${r.metric}: ${noiseWarning(r)}`);
  }
  const lines = headlineSentences(run);
  if (lines.length > 0) out.push('\nGuard markers against prot-none:', ...lines.map((l) => `  ${l}`));
  out.push(...ffiLines(run));
  const hs = hostSpeedOf(run);
  if (hs) out.push(`\n${hostSpeedSentence(hs)}`);
  const balance = vmaBalanceSentence(run);
  if (balance) out.push(balance);
  const problems = run.rows.filter((r) => r.status !== 'ok' && r.status !== 'skipped');
  if (problems.length > 0) out.push(`\n${problems.length} rows failed; first: ${problems[0]!.workload}/${problems[0]!.strategy}/${problems[0]!.metric}: ${problems[0]!.reason}`);
  return out.join('\n');
}

/** "guard-process-madvise installs 16384 guards 15.9x faster than prot-none (±2.1%) and adds 0 VMAs instead of 32767" */
export function headlineSentences(run: Run): string[] {
  const sentences: string[] = [];
  for (const gain of gainsOverProtNone(run)) {
    const { row } = gain;
    const point = paramsKey(row.params);
    const vmaRow = run.rows.find((r) => r.workload === row.workload && r.strategy === row.strategy && r.metric === 'vma_delta'
      && paramsKey(r.params) === paramsKey(row.params));
    const baseVma = run.rows.find((r) => r.workload === row.workload && r.strategy === 'prot-none' && r.metric === 'vma_delta'
      && paramsKey(r.params, VARIANT_AXES) === paramsKey(row.params, VARIANT_AXES));
    const vmas = vmaRow?.value != null && baseVma?.value != null
      ? `; adds ${formatValue(vmaRow.value)} VMAs instead of ${formatValue(baseVma.value)}` : '';
    const word = gain.speedup >= 1 ? `${gain.speedup.toFixed(2)}x faster` : `${(1 / gain.speedup).toFixed(2)}x slower`;
    sentences.push(`${row.workload} ${row.metric} [${point}]: ${row.strategy} ${word} than prot-none (±${gain.speedupRme.toFixed(1)}%)${vmas}`);
  }
  return sentences;
}

/** The FFI floor and what it explains of batching's speed-up. */
export function ffiLines(run: Run): string[] {
  const floor = ffiFloor(run);
  if (!floor) return [];
  const lines = [`\nFFI floor: a koffi call costs ${floor.labsNs.toFixed(0)} ns (labs, no kernel entry) and ${floor.getppidNs.toFixed(0)} ns `
    + 'as the cheapest system call (getppid): one-call-per-guard loops pay that per guard, a process_madvise batch once per batch.'];
  const b = batchingAccount(run);
  if (b) {
    lines.push(`Batching ${b.guards} guards ${b.batch} per call is ${b.speedup.toFixed(1)}x faster than one madvise per guard; `
      + `without the per-call price it would still be ${b.speedupWithoutCallPrice.toFixed(1)}x, so the call price explains `
      + `${(100 * b.callPriceShare).toFixed(0)}% of the speed-up (log scale) and kernel work saved per guard the rest.`);
  }
  return lines;
}
