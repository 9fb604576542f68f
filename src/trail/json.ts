/** trail.json: the trail as data, each column naming its run instead of carrying it. */
import type { Trail } from '../analysis/trail.js';
import type { TrailProvenance } from './words.js';

export const TRAIL_DOCUMENT = 'guardbench.trail';

export function renderTrailJson(trail: Trail, provenance?: TrailProvenance): string {
  const columns = trail.columns.map(({ run: _run, ...column }) => column);
  const { columns: _columns, ...rest } = trail;
  return `${JSON.stringify({ document: TRAIL_DOCUMENT, columns, ...rest, sessions: provenance?.sessions ?? [] }, null, 2)}\n`;
}
