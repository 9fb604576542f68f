/** trail.html: the Markdown report's content as a self-contained page (the shared page kit). */
import type { Trail, TrailFigure } from '../analysis/trail.js';
import { figureText } from '../analysis/trail-figures.js';
import { renderPage, type PageTable } from '../render/page.js';
import { SECTION_TITLES, figureGroups, provenanceLines, slabRows, trailHeadline, verifySummaryRows, type TrailProvenance } from './words.js';

function figureTable(trail: Trail, title: string, figures: readonly TrailFigure[]): PageTable {
  const changed = figures.some((f) => f.changes.length > 0);
  return {
    title: changed ? title : `${title} (no change)`,
    header: ['', ...trail.columns.map((c) => c.label)],
    rows: figures.map((f) => [f.label + (f.judged ? '' : ' (not judged)'), ...f.cells.map((c, i) => (f.changes.some((x) => x.column === i) ? `${c.text} ◀` : c.text))]),
    numeric: [false, ...trail.columns.map(() => true)],
    rowClass: figures.map((f) => (f.changes.length > 0 ? 'noisy' : '')),
    open: changed || figures[0]?.section === 'features',
  };
}

function slabTable(trail: Trail): PageTable[] {
  const slab = trail.slab;
  if (!slab) return [];
  return [{
    title: `Kernel memory per guard, by slab cache (${slab.figure}, ${slab.unit})`,
    header: ['', ...trail.columns.map((c) => c.label)],
    rows: slabRows(trail),
    numeric: [false, ...trail.columns.map(() => true)],
    open: true,
  }];
}

export function renderTrailHtml(trail: Trail, provenance?: TrailProvenance): string {
  const tables: PageTable[] = [
    { title: 'What changed along the trail', header: ['kernel', 'change'], rows: trail.changes.map((c) => [trail.columns[c.column]!.label, c.text]), open: true },
    { title: 'Counter moves the next kernel undid (one run\'s noise, not named as changes)', header: ['kernel', 'move'], rows: trail.transients.map((c) => [trail.columns[c.column]!.label, c.text]), open: false },
    ...slabTable(trail),
    { title: 'Verify outcomes per memory kind', header: ['', ...trail.columns.map((c) => c.label)], rows: verifySummaryRows(trail), open: true },
    ...figureGroups(trail).flatMap(({ section, groups }) => groups.map(([group, figures]) => figureTable(trail, `${SECTION_TITLES[section]}: ${group}`, figures))),
    ...trail.latency.map((g): PageTable => ({
      title: `Latencies on testbed ${g.testbed} (medians; within this testbed only)`,
      header: ['', ...g.columns.map((i) => trail.columns[i]!.label)],
      rows: g.rows.map((r) => [`${r.group}: ${r.label}`, ...r.medians.map((m) => (m === null ? '-' : figureText(m)))]),
      open: false,
    })),
  ];
  return renderPage({
    title: 'Guard markers across kernel releases',
    lead: [trailHeadline(trail)],
    warnings: trail.featureMismatches.map((m) => `${trail.columns[m.column]!.label}: ${m.text}`),
    tables,
    chartsTitle: '',
    charts: [],
    notes: [
      'A marked cell (◀) is a change point: the first kernel whose value differs from the kernel before it beyond the figure\'s noise.',
      ...trail.latencyNotes,
      ...provenanceLines(provenance),
      ...trail.leftOut.map((l) => `left out: ${l.path}: ${l.why}`),
    ],
  });
}
