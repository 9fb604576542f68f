/**
 * The cover letter's claims (Lorenzo Stoakes, "implement lightweight guard pages", October 2024)
 * beside what a run measured: the ratio, its uncertainty, and a plain verdict. The claims were made
 * from an early prototype on Android; a run on another machine confirms, weakens or contradicts
 * them, and says which part of a claim it cannot test.
 */
import { BATCHED_MARKER, PER_CALL_MARKER, type Run } from '../results/schema.js';
import { footprintVsProtNone, type FootprintComparison } from '../analysis/footprint.js';
import { batchingAccount, gainsOverProtNone, type Gain } from '../analysis/gains.js';
import { workloadShapes } from '../analysis/shapes.js';
import { isMarkerStrategy, workloadSpecs } from '../analysis/specs.js';
import { describePoint, formatBytes, formatRatio, formatValue } from '../render/format.js';
import { shownRow } from './figures.js';
import type { CensusView } from './census.js';
import { memoryLabel } from './charts.js';
import { batchingSentence, figure, ratioShort } from './words.js';

export type Verdict = 'confirms' | 'weakens' | 'contradicts' | 'inconclusive' | 'not measured';

export interface ClaimCheck {
  /** the claim, in our words */
  claim: string;
  /** what this run measured, one line per workload */
  measured: string[];
  /** the ratio and its uncertainty, or '-' */
  ratio: string;
  verdict: Verdict;
  /** why the verdict, in a sentence or three */
  why: string;
}

/** "~5x": the prototype's figure. */
const CLAIMED_SPEEDUP = 5;
/** A speed-up whose lower bound reaches this share of the claim confirms an approximate "~5x". */
const CLAIM_TOLERANCE = 0.8;

/** Why a guard-marker strategy has no figures, when the run skipped or failed it: "guard-madvise skipped: EINVAL". */
function whyMissing(run: Run, strategy?: string): string | null {
  const row = run.rows.find((r) => r.status !== 'ok' && isMarkerStrategy(r.strategy) && (!strategy || r.strategy === strategy) && r.reason);
  return row ? `${row.strategy} ${row.status}: ${row.reason}` : null;
}

/** The guards per call of a gain's row: its workload's variant axis (1 where it has none). */
function batchOf(run: Run, g: Gain): number {
  const axis = workloadSpecs(run).get(g.row.workload)?.variantAxes[0];
  const v = axis ? g.row.params[axis] : undefined;
  return typeof v === 'number' ? v : 1;
}

/** Each workload's first headline latency: the figure a claim about its speed is tested on. */
function headlineLatencyGains(run: Run, strategy: string): Gain[] {
  const firstHeadline = new Map([...workloadSpecs(run).values()].map((w) => [w.name, w.metrics.find((m) => m.kind === 'latency' && m.headline)?.metric]));
  return gainsOverProtNone(run).filter((g) => g.row.strategy === strategy && firstHeadline.get(g.row.workload) === g.row.metric);
}

/** process_madvise makes installing guards ~5x faster than PROT_NONE guards. */
function speedClaim(run: Run): ClaimCheck {
  const claim = 'Guard markers installed with process_madvise() make mapping memory with guards about 5x faster than PROT_NONE guards.';
  const gains = headlineLatencyGains(run, BATCHED_MARKER);
  // A workload that sweeps guards per call is the claim's own setup (many guards, batched); others are supporting lines.
  const primary = gains.filter((g) => (workloadSpecs(run).get(g.row.workload)?.variantAxes.length ?? 0) > 0);
  const pool = primary.length ? primary : gains;
  if (pool.length === 0) {
    return { claim, measured: [whyMissing(run, BATCHED_MARKER) ?? 'no process_madvise install figure in this run'], ratio: '-', verdict: 'not measured',
      why: 'Run the madvise-batches or allocator-arenas workload with guard-process-madvise to test it.' };
  }
  const best = [...pool].sort((a, b) => batchOf(run, b) - batchOf(run, a) || b.speedup - a.speedup)[0]!;
  const u = best.speedupRme / 100;
  const lo = best.speedup / (1 + u);
  const hi = best.speedup * (1 + u);
  const floor = CLAIMED_SPEEDUP * CLAIM_TOLERANCE;
  const verdict: Verdict = lo >= floor ? 'confirms' : hi <= 1 ? 'contradicts' : hi < floor && lo > 1 ? 'weakens' : 'inconclusive';

  const measured = [`${best.row.workload} (${describePoint(best.row.params, Object.keys(best.row.params))}): `
    + `${figure(best.row)} with process_madvise against ${figure(best.base)} with one mprotect() per guard`];
  for (const g of gains) {
    if (g.row.workload === best.row.workload) continue;
    if (gains.find((o) => o.row.workload === g.row.workload) !== g) continue;
    measured.push(`${g.row.workload}: ${figure(g.row)} against ${figure(g.base)}, ${formatRatio(g.speedup)} ±${g.speedupRme.toFixed(1)}%`);
  }
  const perCall = gainsOverProtNone(run, best.row.metric).find((g) => g.row.workload === best.row.workload && g.row.strategy === PER_CALL_MARKER);
  const range = `${formatRatio(lo)} to ${formatRatio(hi)}`;
  const why = {
    confirms: `${formatRatio(best.speedup)} (${range} within its margin of error) is at least the claimed ${CLAIMED_SPEEDUP}x or so.`,
    weakens: `Faster, but ${formatRatio(best.speedup)} (${range}) falls short of the claimed ${CLAIMED_SPEEDUP}x or so.`,
    contradicts: `process_madvise was not faster here: ${formatRatio(best.speedup)} (${range}).`,
    inconclusive: `The margin of error (${range}) is too wide to tell; rerun with a longer profile.`,
    'not measured': '',
  }[verdict];
  const context = perCall
    ? ` One madvise() per guard, without batching, is ${formatRatio(perCall.speedup)} faster: most of the gain comes from entering the kernel once per ${batchOf(run, best)} guards.`
    : '';
  return { claim, measured, ratio: `${formatRatio(best.speedup)} ±${best.speedupRme.toFixed(1)}%`, verdict, why: why + context };
}

/** Per workload, the first guard-marker strategy's footprint against prot-none. */
function footprints(run: Run): { workload: string; f: FootprintComparison }[] {
  const out: { workload: string; f: FootprintComparison }[] = [];
  for (const shape of workloadShapes(run)) {
    for (const s of shape.strategies.filter(isMarkerStrategy)) {
      const f = footprintVsProtNone(shape, s);
      if (f) {
        out.push({ workload: shape.name, f });
        break;
      }
    }
  }
  return out;
}

function verdictOf(better: boolean[]): Verdict {
  if (better.length === 0) return 'not measured';
  if (better.every(Boolean)) return 'confirms';
  if (!better.some(Boolean)) return 'contradicts';
  return 'weakens';
}

/** The cover letter's system-wide figure, percent fewer VMAs. */
const CLAIMED_VMA_SHARE = 13;

/** Guard markers remove VMAs: 13% fewer on an idle Android system. */
function vmaClaim(run: Run, census: CensusView | null): ClaimCheck {
  const claim = 'Guard markers remove the VMAs that PROT_NONE guards add: 13% fewer VMAs on an idle Android system.';
  const withVmas = footprints(run).filter(({ f }) => f.vma);
  const measured = withVmas.map(({ workload, f }) => {
    const { metric, row, base } = f.vma!;
    const shown = (r: typeof row) => shownRow(r, metric).text;
    return `${workload}: ${shown(base)} ${metric.label ?? metric.metric} with prot-none, ${shown(row)} with ${f.strategy}`;
  });
  const verdict = verdictOf(withVmas.map(({ f }) => f.vma!.row.value! < f.vma!.base.value!));
  const fewest = withVmas.map(({ f }) => 1 - f.vma!.row.value! / f.vma!.base.value!).filter(Number.isFinite);
  const ratio = fewest.length ? `${(100 * Math.min(...fewest)).toFixed(0)}% fewer VMAs per guard` : '-';
  let share = ' The 13% is a share of all VMAs on a whole system, which a benchmark does not measure: it confirms the mechanism, '
    + 'not the share; guardbench census counts the share on this machine.';
  if (census) {
    if (census.headline) measured.push(`this machine (census): ${census.headline}`);
    const s = census.share;
    const range = s ? (s.lower === s.upper ? `${s.lower.toFixed(1)}%` : `${s.lower.toFixed(1)}-${s.upper.toFixed(1)}%`) : null;
    const against = !s ? '' : s.upper < CLAIMED_VMA_SHARE ? `, less than the ${CLAIMED_VMA_SHARE}% on idle Android`
      : s.lower > CLAIMED_VMA_SHARE ? `, more than the ${CLAIMED_VMA_SHARE}% on idle Android` : `, in line with the ${CLAIMED_VMA_SHARE}% on idle Android`;
    share = range
      ? ` On this machine, as it was when surveyed, markers would remove ${range} of all VMAs${against} (census section below).`
      : ' The system-wide share is in the census section below.';
  }
  const why = verdict === 'confirms'
    ? `Every guard marker here replaced the VMAs its PROT_NONE guard needs.${share}`
    : verdict === 'not measured' ? 'No workload in this run reports a VMA count for both prot-none and a guard marker strategy.'
      : `Some guard markers did not save VMAs here; see the workload tables.${share}`;
  return { claim, measured: measured.length ? measured : [whyMissing(run) ?? 'no VMA counts in this run'], ratio, verdict, why };
}

/** A PROT_NONE guard's VMA costs kernel memory that adds up; markers avoid that penalty. */
function memoryClaim(run: Run): ClaimCheck {
  const claim = 'A VMA per guard adds up to a significant memory penalty with many threads and processes; guard markers avoid it.';
  const withBytes = footprints(run).filter(({ f }) => f.bytes);
  // A workload that counts kinds of memory prot-none's guards do not use (fork counts page tables
  // only) says nothing about prot-none's cost: it is named, and left out of the verdict.
  const compared = withBytes.filter(({ f }) => f.bytes!.base > 0);
  const measured = withBytes.map(({ workload, f }) => {
    const b = f.bytes!;
    if (b.base <= 0) {
      return `${workload}: ${formatValue(b.value, b.unit)} of ${b.parts.map((p) => memoryLabel(p.spec)).join(' and ')} with ${f.strategy}, `
        + 'none with prot-none, whose guards cost memory this workload does not count (left out)';
    }
    return `${workload}: ${formatValue(b.value, b.unit)} with ${f.strategy} against ${formatValue(b.base, b.unit)} with prot-none (${ratioShort(b.value, b.base) ?? 'none'})`;
  });
  const better = compared.map(({ f }) => f.bytes!.value < f.bytes!.base);
  const verdict = verdictOf(better);
  const pageCost = ` Where markers cost more, it is the page-table page (${formatBytes(run.env.pageSize)}) a marker needs in each span of memory one such page maps (2 MiB with 4 KiB pages): `
    + 'a guard alone in its span, like a thread stack\'s, pays a whole page, while a VMA costs a few hundred bytes of slab.';
  const why = {
    confirms: 'Markers used less kernel memory than PROT_NONE guards in every workload measured.',
    weakens: `It depends on the layout: markers saved memory where guards are dense and cost more where they are sparse.${pageCost}`,
    contradicts: `Markers used more kernel memory than PROT_NONE guards in every workload measured.${pageCost}`,
    inconclusive: '',
    'not measured': 'No workload in this run reports kernel memory for both prot-none and a guard marker strategy.',
  }[verdict];
  const ratios = compared.map(({ f }) => ratioShort(f.bytes!.value, f.bytes!.base) ?? 'none');
  return { claim, measured: measured.length ? measured : [whyMissing(run) ?? 'no kernel memory figures in this run'], ratio: ratios.join('; ') || '-', verdict, why };
}

export function checkClaims(run: Run, census: CensusView | null): ClaimCheck[] {
  return [speedClaim(run), vmaClaim(run, census), memoryClaim(run)];
}

/**
 * Why one-call-per-guard loops and batches are not compared like for like,
 * with this run's own FFI figures when it has them.
 */
export function callPriceNotes(run: Run): string[] {
  const notes = ['One call per guard against one call per batch: the mprotect() and madvise() loops cross the FFI and enter '
    + 'the kernel once per guard, process_madvise() once per batch. Every comparison between them carries that per-call price, '
    + 'which is higher from JavaScript (koffi) than from C, so a C program would see a somewhat smaller gap than this run.'];
  const floor = run.env.ffi;
  if (!floor) {
    notes.push('This run did not record its FFI floor (env.ffi); newer runs measure it.');
    return notes;
  }
  notes.push(`This run's FFI floor: ${formatValue(floor.labsNs)} ns per koffi call that stays in user space (labs), `
    + `${formatValue(floor.getppidNs)} ns per koffi call that enters the kernel (getppid), the least a one-call-per-guard loop pays per guard.`);
  const b = batchingAccount(run);
  if (b && Number.isFinite(b.speedupWithoutCallPrice)) notes.push(batchingSentence(b));
  return notes;
}
