/** The trail report's three files, written beside the runs: trail.md, trail.html, trail.json. */
import { join } from 'node:path';
import type { Trail } from '../analysis/trail.js';
import { writeFileAtomic } from '../results/write.js';
import { renderTrailHtml } from './html.js';
import { renderTrailJson } from './json.js';
import { renderTrailMarkdown } from './markdown.js';
import type { TrailProvenance } from './words.js';

export type { TrailProvenance } from './words.js';

export const TRAIL_FILES = { md: 'trail.md', html: 'trail.html', json: 'trail.json' } as const;

/** Write the report into `dir`; returns the paths written. */
export function writeTrailReport(dir: string, trail: Trail, provenance?: TrailProvenance): string[] {
  const files: [string, string][] = [
    [TRAIL_FILES.md, renderTrailMarkdown(trail, provenance)],
    [TRAIL_FILES.html, renderTrailHtml(trail, provenance)],
    [TRAIL_FILES.json, renderTrailJson(trail, provenance)],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileAtomic(path, text);
    return path;
  });
}
