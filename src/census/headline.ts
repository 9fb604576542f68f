/**
 * The census's one-line finding, stored in the document so every reader quotes the same sentence.
 */
import type { Census } from '../results/census-schema.js';

const int = (n: number): string => n.toLocaleString('en-US');
const pct = (n: number): string => `${n.toFixed(1)}%`;

export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : (100 * part) / whole;
}

/** "412 of 5,210 VMAs (7.9%) are PROT_NONE guards; as markers, 7.9%-9.6% fewer VMAs" */
export function headlineOf(totals: Pick<Census['totals'], 'vmas' | 'guardVmas' | 'savings'>): string {
  if (totals.vmas === 0) return 'no VMAs could be read';
  const { lower, upper } = totals.savings;
  const range = lower.vmas === upper.vmas ? pct(lower.percent) : `${pct(lower.percent)}-${pct(upper.percent)}`;
  return `${int(totals.guardVmas)} of ${int(totals.vmas)} VMAs (${pct(percentOf(totals.guardVmas, totals.vmas))}) `
    + `are PROT_NONE guards; as markers, ${range} fewer VMAs`;
}
