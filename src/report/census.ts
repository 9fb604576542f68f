/**
 * The census a run carries (taken at its start): its Markdown, its one-line finding and the share
 * of VMAs markers would save, for the report and the claims beside the cover letter's 13%.
 */
import type { Run } from '../results/schema.js';
import { renderCensusMarkdown } from './census-text.js';

export interface CensusView {
  schema: string;
  markdown: string;
  /** the census's one-line finding */
  headline: string;
  /** percent fewer VMAs if every guard became a marker (totals.savings lower/upper) */
  share: { lower: number; upper: number };
}

export function censusView(run: Run): CensusView | null {
  const c = run.census;
  if (!c) return null;
  return {
    schema: c.schema,
    markdown: renderCensusMarkdown(c),
    headline: c.headline,
    share: { lower: c.totals.savings.lower.percent, upper: c.totals.savings.upper.percent },
  };
}
