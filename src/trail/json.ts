/** trail.json: the trail as data, each column naming its run instead of carrying it. */
import type { Trail } from '../analysis/trail.js';

export const TRAIL_DOCUMENT = 'guardbench.trail';

export function renderTrailJson(trail: Trail): string {
  const columns = trail.columns.map(({ run: _run, ...column }) => column);
  const { columns: _columns, ...rest } = trail;
  return `${JSON.stringify({ document: TRAIL_DOCUMENT, columns, ...rest }, null, 2)}\n`;
}
