/**
 * What every compare format says the same way: the verdict line, the counts after it, table
 * headings, cells and the method note, worded from the model's data (the reasons of single rows
 * are in reasons.ts). Plain text: each format escapes it for itself.
 */
import type { RowComparison, Verdict } from '../analysis/comparison.js';
import type { RunWarning } from '../analysis/verdict-reasons.js';
import { shortParams, varyingParamsByWorkload } from '../analysis/keys.js';
import { formatValue, percent, signedPercent } from '../render/format.js';
import type { CompareModel } from './model.js';

export const VERDICT_HEADINGS: Record<Verdict, string> = {
  regressed: 'Regressed',
  improved: 'Improved',
  inconclusive: 'Inconclusive (these runs could not have seen a change of the size that matters)',
  noisy: 'Noisy (too uncertain to decide)',
  changed: 'Changed figures without a direction (informational)',
  incomparable: 'Latencies not compared (different testbeds or an emulated CPU)',
  unchanged: 'Unchanged',
  'not-compared': 'Not compared',
};

/** Short headings, for a mail or a terminal. */
export const VERDICT_TITLES: Record<Verdict, string> = {
  regressed: 'Regressed', improved: 'Improved', inconclusive: 'Inconclusive', noisy: 'Noisy', changed: 'Changed, no direction',
  incomparable: 'Latencies not comparable', unchanged: 'Unchanged', 'not-compared': 'Not compared',
};

/** "3 regressed beyond 5%", "No regression beyond 5%", or "No regression in counts and bytes (latencies not compared)". */
export function verdictHead(m: CompareModel): string {
  const c = m.comparison;
  const t = percent(c.options.threshold);
  if (c.regressed) return `${c.counts.regressed} regressed beyond ${t}`;
  return c.latencies.comparable ? `No regression beyond ${t}` : 'No regression in counts and bytes (latencies not compared)';
}

/** "1 of 56 latencies judged (to 24%), 120 of 120 counts and bytes; verdict rests on counts and bytes" */
export function scopeText(m: CompareModel): string {
  const s = m.scope;
  const parts: string[] = [];
  if (s.latencies > 0 && m.comparison.latencies.comparable) {
    const to = s.worstDetectable !== null ? ` (to ${percent(Math.ceil(s.worstDetectable * 100) / 100)})` : '';
    parts.push(`${s.latenciesJudged} of ${s.latencies} latencies judged${to}`);
  } else if (s.latencies > 0) parts.push(`${s.latencies} latencies not compared`);
  if (s.figures > 0) parts.push(`${s.figuresJudged} of ${s.figures} counts and bytes${parts.length ? '' : ' judged'}`);
  const rests = s.restsOn === 'everything' ? 'latencies, counts and bytes' : 'counts and bytes';
  return `${parts.join(', ')}; verdict rests on ${rests}`;
}

/** The line a reader sees first, in every format and with --quiet. */
export function verdictLine(m: CompareModel): string {
  return `${verdictHead(m)}: ${scopeText(m)}`;
}

/** The verdicts' counts after the verdict line: "0 improved", "46 noisy", ... */
export function countsText(m: CompareModel): string[] {
  const n = m.comparison.counts;
  const out = [`${n.improved} improved`, `${n.inconclusive} inconclusive`, `${n.noisy} noisy`, `${n.unchanged} unchanged`];
  if (n.changed > 0) out.push(`${n.changed} changed without a direction`);
  if (n.incomparable > 0) out.push(`${n.incomparable} latencies not comparable`);
  if (n['not-compared'] > 0) out.push(`${n['not-compared']} not compared`);
  return out;
}

/** The things a reader must know before the tables: environments, changed settings, run warnings (why latencies were not compared is with their rows). */
export function warningsText(m: CompareModel): string[] {
  const c = m.comparison;
  return [
    ...c.environment.map((d) => `environments differ in ${d.field}: ${d.base} -> ${d.current} (${d.matters})`),
    ...c.confounders.map((d) => `${d.field} changed: ${d.field === 'kernel command line' ? commandLineChange(d.base, d.current) : `${clip(d.base)} -> ${clip(d.current)}`}`),
    ...c.warnings.map(runWarningText),
  ];
}

/** A warning about the runs as a whole, in words. */
export function runWarningText(w: RunWarning): string {
  switch (w.kind) {
    case 'no-run-to-run-spread':
      return 'the base run carries no run-to-run spread, so latency verdicts rest on within-run statistics, which understate'
        + ' how much a whole run can shift on a shared machine; save the baseline from several runs (guardbench baseline save RUN RUN RUN)';
    case 'incomplete': return `the ${w.side} run is incomplete (interrupted); only the points it finished are compared`;
    case 'failed-verification': return `the ${w.side} run failed verification: ${w.checks.join(', ')}`;
    case 'rows-in-one-run': return `${w.rows} rows are in only one of the runs (different parameter points or workloads)`;
    case 'host-speed-shift':
      return `the host ran at another speed: a koffi labs() call took ${w.baseNs.toFixed(0)} ns (median) in the base run and ${w.currentNs.toFixed(0)} ns`
        + ` in the current one (${w.shiftPercent > 0 ? '+' : ''}${w.shiftPercent.toFixed(0)}%); latency differences of that order may be the machine's, not the kernel's`;
    case 'host-speed-moved':
      return `the host's speed moved ${w.spreadPercent.toFixed(0)}% during the ${w.side} run (p90/p10 of its host-speed meter); its absolute latencies carry noise of that order`;
    case 'testbed': return w.detail;
  }
}

/**
 * Two kernel command lines: "A -> B" when short; when long (two cloud hosts share all but a few
 * parameters) the parameters only one side has, as cutting both at one length shows one start twice.
 */
function commandLineChange(base: string, current: string): string {
  if (base.length + current.length <= 120) return `${base} -> ${current}`;
  const b = base.split(/\s+/);
  const c = current.split(/\s+/);
  const gone = b.filter((w) => !c.includes(w));
  const added = c.filter((w) => !b.includes(w));
  if (gone.length + added.length === 0) return 'the same words in another order';
  return [gone.length ? `without ${clip(gone.join(' '))}` : '', added.length ? `with ${clip(added.join(' '))}` : ''].filter(Boolean).join('; ');
}

/** A long setting (a kernel command line) cut for a line. */
export function clip(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** Point labels of a comparison: the parameters that vary within each workload. */
export function pointNamer(m: CompareModel): (r: RowComparison) => string {
  const vary = varyingParamsByWorkload(m.comparison.rows);
  return (r) => shortParams(r.params, vary.get(r.workload) ?? []);
}

export function figureCell(r: RowComparison, which: 'base' | 'current', withUnit = true): string {
  const row = r[which];
  if (!row) return '-';
  if (row.status !== 'ok') return row.status;
  return formatValue(row.value, withUnit ? r.unit : '');
}

/** "+7.0% ±3.1%" for latencies, "+12.5% (+8)" for figures, "+8 (from 0)". */
export function changeCell(r: RowComparison, form: 'long' | 'short' = 'long'): string {
  if (r.change === null) return '-';
  if (!Number.isFinite(r.change)) return r.delta !== null ? `${r.delta > 0 ? '+' : ''}${formatValue(r.delta)} (from 0)` : '-';
  const change = signedPercent(r.change);
  if (form === 'short') return change;
  if (r.spec.noise !== 'timed') return r.delta !== null && r.delta !== 0 ? `${change} (${r.delta > 0 ? '+' : ''}${formatValue(r.delta)})` : change;
  return r.rme !== null ? `${change} ±${r.rme.toFixed(1)}%` : change;
}

export function detectableCell(r: RowComparison): string {
  if (r.detectable === null) return '-';
  if (r.detectable === 0) return 'any';
  return `${(r.detectable * 100).toFixed(r.detectable < 0.1 ? 1 : 0)}%`;
}

export function confidenceCell(r: RowComparison): string {
  if (r.confidence === null) return '-';
  if (r.spec.noise === 'exact') return 'exact';
  // A counter's noise is a tolerance, not a probability: the reason gives it.
  if (r.spec.noise !== 'timed') return '-';
  if (r.confidence >= 0.999) return '>99.9%';
  return `${(r.confidence * 100).toFixed(1)}%`;
}

/** The rules the verdicts used, from the constants they used. */
export function methodNote(m: CompareModel): string[] {
  const k = m.method;
  const family = k.family > 1 ? `, tested as a family of ${k.family} latency rows (α/${k.family} each)` : '';
  return [
    `Latencies: each metric's deciding statistic (the median where a run names none), against the baseline's mean over its runs where it kept one;`,
    `significance by ${k.test}, α=${k.alpha}. Regressed or improved only when that statistic, the mean and the minimum all moved beyond`,
    `${percent(k.threshold)} the same way, the test is significant, neither side's margin of error is over ${k.maxRme}% (unless the change clears`,
    `threshold plus margin) and the change is outside the baseline's run-to-run spread${family}.`,
    `The smallest detectable change is the change these runs would find with ${percent(k.power)} power; a figure whose smallest detectable`,
    `change is over ${percent(k.maxDetectable)} is inconclusive, never unchanged. A latency verdict the host's own change of speed`,
    `(over ${k.hostShiftGatePercent}%, its labs() meter) could explain is withheld. Latencies are compared only within one testbed; counts`,
    'and bytes on any. Exact counts fail on any change the wrong way; figures from a process- or system-wide counter only beyond',
    'the threshold and the counter\'s noise; figures without a direction (the run\'s spec says none, or a system-wide count of',
    'background events) are shown, never judged.',
  ];
}
