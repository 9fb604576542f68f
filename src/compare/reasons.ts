/**
 * Verdict reasons in words, the one place they are worded: `long` for Markdown, HTML tooltips and
 * a mail's detail lines, `short` (a few words, no more than ~40 characters of prose) for narrow
 * table cells. The reasons themselves are data (src/analysis/verdict-reasons.ts).
 */
import type { RowComparison } from '../analysis/comparison.js';
import type { Counter, LatencyFigures, Reason, RunToRunTest } from '../analysis/verdict-reasons.js';
import type { Statistic } from '../results/schema.js';
import { formatP, percent, signedPercent, twoDigits } from '../render/format.js';

export type ReasonForm = 'long' | 'short';

/** How a statistic reads in a sentence. */
const STATISTIC_WORDS: Record<Statistic, string> = {
  median: 'median', p10: 'p10', min: 'minimum', trimmedMean: 'trimmed mean',
  hostNormalisedMedian: 'host-normalised median', callNormalisedMedian: 'call-normalised median',
};

const COUNTER_WORDS: Record<Counter, string> = { process: 'a process-wide counter', system: 'a system-wide counter' };

/** "call-normalised median +7.0% (median +6.1%) against the mean of 10 baseline runs" */
function judgedAs(f: LatencyFigures, form: ReasonForm): string {
  const name = form === 'short' && f.statistic !== 'median' ? 'judged' : STATISTIC_WORDS[f.statistic];
  const median = f.medianChange !== null && form === 'long' ? ` (median ${signedPercent(f.medianChange)})` : '';
  const against = f.centredOn !== null && form === 'long' ? ` against the mean of ${f.centredOn} baseline runs` : '';
  return `${name} ${signedPercent(f.change)}${median}${against}`;
}

/** " against 0.00018, 56 latency rows tested together" when rows are tested as a family. */
function familyNote(t: RunToRunTest): string {
  return t.family > 1 ? ` against ${twoDigits(t.rowAlpha)}, ${t.family} latency rows tested together` : '';
}

function latencyWords(gate: Reason['gate'], f: LatencyFigures | null, form: ReasonForm): string {
  if (!f) return 'fewer than 2 samples on a side';
  const long = form === 'long';
  switch (gate) {
    case 'latency-detectable':
      return long ? `${judgedAs(f, form)}, but on this testbed only changes above ${percent(f.detectable)} can be told from noise (limit ${percent(f.maxDetectable)}): not judged`
        : `${judgedAs(f, form)}; sees only changes over ${Math.ceil(f.detectable * 100)}%`;
    case 'latency-significance':
      return long ? `${judgedAs(f, form)}, not significant (p=${formatP(f.p)}, α=${f.alpha})` : `${judgedAs(f, form)}, not significant (p=${formatP(f.p)})`;
    case 'latency-mean':
      return long ? `${judgedAs(f, form)} but mean ${signedPercent(f.meanChange)}` : `mean ${signedPercent(f.meanChange)} disagrees`;
    case 'latency-minimum':
      return long ? `${judgedAs(f, form)} but minimum ${signedPercent(f.minChange)}` : `minimum ${signedPercent(f.minChange)} disagrees`;
    case 'latency-margin':
      return long ? `margin of error ±${f.rme.toFixed(1)}% too wide (a side over ${f.maxRme}%)` : `margin ±${f.rme.toFixed(1)}% too wide`;
    case 'latency-run-to-run': {
      const t = f.runToRun!;
      return long ? `${judgedAs(f, form)}, within run-to-run spread (CV ${t.cvPercent.toFixed(1)}% over ${t.runs} runs, p=${formatP(t.p)}${familyNote(t)})`
        : `within run-to-run CV ${t.cvPercent.toFixed(1)}%`;
    }
    case 'latency-median-run-to-run': {
      const t = f.medianRunToRun!;
      return long ? `${judgedAs(f, form)}, but the median is within its run-to-run spread (CV ${t.cvPercent.toFixed(1)}%, p=${formatP(t.p)}${familyNote(t)})`
        : `median within run-to-run CV ${t.cvPercent.toFixed(1)}%`;
    }
    case 'latency-rme':
      return `rme ${f.worstRme.toFixed(1)}% > ${f.maxRme}%`;
    case 'latency-within':
      return f.p < f.alpha ? `within ±${percent(f.threshold)}` : 'no significant change';
    default: {
      if (!long) return `${judgedAs(f, form)}, p=${formatP(f.p)}`;
      const runToRun = f.runToRun ? `, run-to-run p=${formatP(f.runToRun.p)}${familyNote(f.runToRun)}` : '';
      return `${judgedAs(f, form)}, mean ${signedPercent(f.meanChange)}, p=${formatP(f.p)}${runToRun}`;
    }
  }
}

function figureWords(r: RowComparison, reason: Reason, form: ReasonForm): string | null {
  const long = form === 'long';
  const way = (r.delta ?? 0) > 0 ? 'rose' : 'fell';
  switch (reason.gate) {
    case 'identical': return 'identical';
    case 'no-direction':
      if (reason.background) return long ? 'a system-wide count of background events: no direction, informational' : 'background count: no direction';
      return long ? 'which way is better is not known: informational' : 'no direction: informational';
    case 'noise-unrecorded':
      return long ? `${COUNTER_WORDS[reason.counter]} whose noise the run did not record: informational` : 'counter noise unknown';
    case 'counter-negative':
      return long ? `read below zero in the ${reason.side} run: ${COUNTER_WORDS[reason.counter]} moved by more than the figure itself, beyond the noise the run recorded`
        : `${reason.side} below zero: counter noise`;
    case 'counter-noise': {
      const tol = twoDigits(reason.tolerance);
      if (!reason.beyond) {
        const limit = r.verdict === 'inconclusive' && r.detectable !== null ? `, ${percent(r.detectable)} of the figure: not judged` : '';
        return long ? `within ±${tol} (${COUNTER_WORDS[reason.counter]}'s noise${limit})` : `within ±${tol} counter noise`;
      }
      return long ? `${way} (beyond ±${tol}, ${COUNTER_WORDS[reason.counter]}'s noise; ${reason.better} is better)` : `${way} beyond ±${tol} noise`;
    }
    case 'exact': return long ? `${way} (exact; ${reason.better} is better)` : `${way} (exact)`;
    case 'expected': {
      const { expected: e, base: b, current: c } = reason;
      if (e === null) return long ? 'no expected value recorded: informational' : 'no expected value';
      if (b === c || Math.abs(c - e) === Math.abs(b - e)) return Math.abs(c - e) === 0 ? `as expected (${e})` : `${Math.abs(c - e)} off the expected ${e}${long ? ', as before' : ''}`;
      if (Math.abs(c - e) > Math.abs(b - e)) return long ? `${c} where ${e} is expected (was ${b})` : `${e} expected`;
      return long ? `${c}, closer to the expected ${e} (was ${b})` : `closer to ${e}`;
    }
    default: return null;
  }
}

/** The row's reason in words. */
export function reasonText(r: RowComparison, form: ReasonForm = 'long', reason: Reason = r.reason): string {
  const long = form === 'long';
  const repeated = r.repeatedIn > 0 && reason === r.reason && long ? `; repeated in ${r.repeatedIn} more run${r.repeatedIn > 1 ? 's' : ''}` : '';
  return wordsOf(r, reason, form) + repeated;
}

function wordsOf(r: RowComparison, reason: Reason, form: ReasonForm): string {
  const long = form === 'long';
  switch (reason.gate) {
    case 'only-in': return `only in the ${reason.side} run`;
    case 'not-measured': {
      const what = `${reason.side} ${reason.status}`;
      return reason.detail && long ? `${what}: ${reason.detail}` : what;
    }
    case 'now-fails': return long ? `failed in the current run: ${reason.detail ?? 'no reason given'}` : 'fails now';
    case 'testbeds': return long ? reason.detail : 'other testbed';
    case 'one-window': return long ? 'one timed window, no statistics: informational' : 'one window: informational';
    case 'host-shift': {
      const way = reason.hostShiftPercent > 0 ? 'slower' : 'faster';
      const host = `the host itself ran ${Math.abs(reason.hostShiftPercent).toFixed(0)}% ${way}`;
      return long ? `${wordsOf(r, reason.withheld, form)}; withheld: ${host} (labs meter) than under the base run` : `withheld: host ${Math.abs(reason.hostShiftPercent).toFixed(0)}% ${way}`;
    }
    case 'not-repeated': {
      const what = reason.verdict ? `${reason.verdict}${reason.change !== null ? ` ${signedPercent(reason.change)}` : ''}` : 'missing';
      return long ? `${wordsOf(r, reason.withheld, form)}; did not repeat in ${reason.run} (${what})` : `did not repeat (${what})`;
    }
    default:
      if ('latency' in reason) return latencyWords(reason.gate, reason.latency, form);
      return figureWords(r, reason, form) ?? reason.gate;
  }
}

/** The reason, and the settings that changed and could explain it too. */
export function reasonWithConfounders(r: RowComparison, form: ReasonForm = 'long'): string {
  const text = reasonText(r, form);
  if (r.confounders.length === 0) return text;
  return form === 'long' ? `${text}; could also be: ${r.confounders.join(', ')} changed` : `${text}; ${r.confounders.join(', ')} changed`;
}
