/** The trail on the terminal: the headline and what changed, kernel by kernel. */
import type { Trail } from '../analysis/trail.js';
import { trailHeadline } from './words.js';

export function renderTrailConsole(trail: Trail): string {
  const lines = [trailHeadline(trail), ''];
  if (trail.changes.length > 0) lines.push('What changed along the trail:');
  for (const c of trail.changes) lines.push(`  ${trail.columns[c.column]!.label}: ${c.text}`);
  for (const m of trail.featureMismatches) lines.push(`  to explain: ${trail.columns[m.column]!.label}: ${m.text}`);
  return lines.join('\n');
}
