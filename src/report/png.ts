/** The PNG reporter: every chart of a run as charts/<id>.png, for report.md and anywhere else. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Run } from '../results/schema.js';
import { writeFileAtomic } from '../results/write.js';
import { renderChartPng } from '../render/png.js';
import { chartsForRun } from './charts.js';
import type { Reporter } from './types.js';

export const pngReporter: Reporter = {
  format: 'png',
  async render(run: Run, outDir: string): Promise<string[]> {
    const dir = join(outDir, 'charts');
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const spec of chartsForRun(run)) {
      const file = join(dir, `${spec.id}.png`);
      writeFileAtomic(file, await renderChartPng(spec));
      files.push(file);
    }
    return files;
  },
};
