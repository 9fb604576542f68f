/** Parsing compare's option values: one clear UsageError per bad value. */
import { UsageError } from '../errors.js';

/** "5%" or "5" -> 0.05; a threshold is a percentage of the base figure. */
export function parseThreshold(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const value = m ? Number(m[1]) / 100 : NaN;
  if (!Number.isFinite(value) || value <= 0 || value >= 10) {
    throw new UsageError(`--threshold: '${text}' is not a percentage like 5%`);
  }
  return value;
}

/** A significance level strictly between 0 and 1. */
export function parseAlpha(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value >= 1) throw new UsageError(`--alpha: '${text}' is not a probability between 0 and 1`);
  return value;
}

/** The noise bound: a relative margin of error in percent, above zero. */
export function parseMaxRme(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const value = m ? Number(m[1]) : NaN;
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--max-rme: '${text}' is not a percentage like 10%`);
  return value;
}
