/**
 * trail.md: a kernel trail for a pull request or a mailing list. What changed along the trail
 * first, then the feature check, the slab explanation, and one table per figure group with a
 * column per kernel in release order; a cell where a change appears is bold.
 */
import type { Trail, TrailFigure } from '../analysis/trail.js';
import { figureText } from '../analysis/trail-figures.js';
import { folded, mdEscape, mdTable } from '../render/markdown.js';
import { FEATURE_HISTORY } from '../results/feature-history.js';
import { SECTION_TITLES, figureGroups, provenanceLines, slabRows, trailHeadline, verifySummaryRows, type TrailProvenance } from './words.js';

function cellText(f: TrailFigure, i: number): string {
  const cell = f.cells[i]!;
  const text = mdEscape(cell.text);
  return f.changes.some((c) => c.column === i) ? `**${text}**` : text;
}

function figureTable(trail: Trail, figures: readonly TrailFigure[]): string[] {
  const header = ['', ...trail.columns.map((c) => mdEscape(c.label))];
  const rows = figures.map((f) => [mdEscape(f.label) + (f.judged ? '' : ' (not judged)'), ...trail.columns.map((_, i) => cellText(f, i))]);
  return mdTable(header, rows, (i) => i > 0);
}

function changesSection(trail: Trail): string[] {
  const out = ['## What changed along the trail', ''];
  if (trail.changes.length === 0) out.push('Nothing: every figure is the same on every kernel (within its noise).');
  for (const c of trail.changes) out.push(`- **${mdEscape(trail.columns[c.column]!.label)}**: ${mdEscape(c.text)}`);
  out.push('');
  if (trail.transients.length > 0) {
    out.push(...folded(`${trail.transients.length} counter move${trail.transients.length === 1 ? '' : 's'} that the next kernel undid (one run's noise, not named as changes)`,
      trail.transients.map((c) => `- ${mdEscape(trail.columns[c.column]!.label)}: ${mdEscape(c.text)}`)));
  }
  return out;
}

function featureSection(trail: Trail): string[] {
  const out = ['## Features against the kernel\'s history', ''];
  if (trail.featureMismatches.length === 0) out.push('Every probe answer matches the release that brought the feature upstream.');
  else out.push('Mismatches (each to be explained, never tuned away):', '', ...trail.featureMismatches.map((m) => `- ${mdEscape(m.text)}`));
  const history = FEATURE_HISTORY.map((f) => [mdEscape(f.feature), f.since + (f.checked ? '' : ' (unchecked)'), mdEscape(f.source)]);
  return [...out, '', ...folded('The feature history (src/results/feature-history.ts)', mdTable(['feature', 'since', 'source'], history, () => false)), ''];
}

function slabSection(trail: Trail): string[] {
  const slab = trail.slab;
  if (!slab) return [];
  const header = ['', ...trail.columns.map((c) => mdEscape(c.label))];
  const rows = slabRows(trail).map((r) => r.map((cell, i) => (i === 0 ? mdEscape(cell) : cell)));
  const moves = slab.changes.flatMap((c) => c.caches.map((x) => `- **${mdEscape(trail.columns[c.column]!.label)}**: ${mdEscape(x.what)}`
    + (x.bytesPerUnit === null ? '' : ` (${x.bytesPerUnit >= 0 ? '+' : ''}${figureText(x.bytesPerUnit)} B per region)`)));
  return [
    `## Kernel memory per guard, by slab cache (${mdEscape(slab.figure)}, ${mdEscape(slab.unit)})`, '',
    ...mdTable(header, rows, (i) => i > 0), '',
    ...(moves.length ? ['Cache layout changes:', '', ...moves] : ['No cache changed its layout between neighbouring kernels.']),
    '', 'vma\\_lock (the per-VMA lock, a cache of its own from 6.4 until it moved into the VMA; gone by 6.16) is shown per guard but not summed into the VMA slab figure.', '',
  ];
}

function latencySection(trail: Trail): string[] {
  const out = ['## Latencies (within one testbed only)', ''];
  for (const g of trail.latency) {
    const header = ['', ...g.columns.map((i) => mdEscape(trail.columns[i]!.label))];
    const rows = g.rows.map((r) => [mdEscape(`${r.group}: ${r.label}`), ...r.medians.map((m) => (m === null ? '-' : figureText(m)))]);
    out.push(`### Testbed ${mdEscape(g.testbed)} (medians)`, '', ...mdTable(header, rows, (i) => i > 0), '');
  }
  if (trail.latency.length === 0) out.push('No two kernels of the trail share a testbed whose latencies are a benchmark; no latency is shown.', '');
  return [...out, ...trail.latencyNotes.map((n) => `- ${mdEscape(n)}`), ''];
}

export function renderTrailMarkdown(trail: Trail, provenance?: TrailProvenance): string {
  const out = ['# Guard markers across kernel releases', '', mdEscape(trailHeadline(trail)), ''];
  out.push(...changesSection(trail), ...featureSection(trail), ...slabSection(trail));
  for (const { section, groups } of figureGroups(trail)) {
    out.push(`## ${SECTION_TITLES[section]}`, '');
    if (section === 'verify') out.push(...mdTable(['', ...trail.columns.map((c) => mdEscape(c.label))], verifySummaryRows(trail).map((r) => r.map(mdEscape)), (i) => i > 0), '');
    for (const [group, figures] of groups) {
      const table = figureTable(trail, figures);
      const changed = figures.some((f) => f.changes.length > 0);
      out.push(...(changed || section === 'features' ? [`### ${mdEscape(group)}`, '', ...table, ''] : folded(`${group} (no change)`, table)));
    }
  }
  out.push(...latencySection(trail));
  const made = provenanceLines(provenance);
  if (made.length) out.push('## How this trail was made', '', 'guardbench kernel trail (each kernel booted in turn; wall time per kernel: boot, copy, run):', '', ...made.map((l) => `- ${mdEscape(l)}`), '');
  if (trail.leftOut.length) out.push('Runs left out:', '', ...trail.leftOut.map((l) => `- ${mdEscape(l.path)}: ${mdEscape(l.why)}`), '');
  out.push('Bold: the first kernel whose value differs from the kernel before it beyond the figure\'s noise (exact counts: any difference; counters: more than their recorded resolution). "not judged": a counter that records no resolution.', '');
  return out.join('\n');
}
