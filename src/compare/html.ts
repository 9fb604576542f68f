/**
 * compare.html: the comparison's tables and side-by-side charts as one self-contained page. Tables
 * carry the short reason (a long one squeezes a 1280 px page's rows to a word per line); the long
 * one is the row's tooltip.
 */
import { renderPage, type PageDoc } from '../render/page.js';
import { chartsForComparison } from './charts.js';
import type { CompareFormat } from './format.js';
import type { CompareModel } from './model.js';
import { compareTables, numericColumns } from './tables.js';
import { countsText, methodNote, verdictLine, warningsText } from './words.js';

function testbeds(m: CompareModel): string {
  const b = m.base.testbed ?? 'not recorded';
  const c = m.current.testbed ?? 'not recorded';
  return b === c ? `testbed ${b}` : `testbeds ${b} → ${c}`;
}

export function compareDoc(m: CompareModel): PageDoc {
  return {
    title: `guardbench compare: ${m.base.kernel} → ${m.current.kernel}`,
    lead: [
      verdictLine(m),
      countsText(m).join(' · '),
      `base ${m.base.id} (${m.base.profile}), current ${m.current.id} (${m.current.profile}); ${testbeds(m)}`,
    ],
    warnings: warningsText(m),
    tables: compareTables(m, 'short').map((t) => ({
      title: t.title, header: t.header, rows: t.rows, open: t.open, numeric: numericColumns('short'), rowClass: t.verdicts, rowTitle: t.longReasons,
    })),
    chartsTitle: 'Base and current side by side',
    charts: chartsForComparison(m.comparison),
    notes: [methodNote(m).join(' ')],
  };
}

export const htmlFormat: CompareFormat = {
  name: 'html',
  file: 'compare.html',
  render: (m) => renderPage(compareDoc(m)),
};
