/**
 * The census's one-line finding, stored in the document so every reader quotes the same sentence.
 */
import type { Census } from '../results/census-schema.js';
import { percentOf } from '../stats/describe.js';

const int = (n: number): string => n.toLocaleString('en-US');
const pct = (n: number): string => `${n.toFixed(1)}%`;

/** "412 of 5,210 VMAs (7.9%) are PROT_NONE guards [and 12 (0.2%) loader gaps]; as markers, 7.9%-9.6% fewer VMAs" */
export function headlineOf(totals: Pick<Census['totals'], 'vmas' | 'guardVmas' | 'savings' | 'loaderGaps'>): string {
  if (totals.vmas === 0) return 'no VMAs could be read';
  const { lower, upper } = totals.savings;
  const range = lower.vmas === upper.vmas ? pct(lower.percent) : `${pct(lower.percent)}-${pct(upper.percent)}`;
  const gaps = totals.loaderGaps ? ` and ${int(totals.loaderGaps)} (${pct(percentOf(totals.loaderGaps, totals.vmas))}) loader gaps` : '';
  return `${int(totals.guardVmas)} of ${int(totals.vmas)} VMAs (${pct(percentOf(totals.guardVmas, totals.vmas))}) `
    + `are PROT_NONE guards${gaps}; as markers, ${range} fewer VMAs`;
}
