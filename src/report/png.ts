/** The PNG reporter: every chart of a run as charts/<id>.png, for report.md and anywhere else. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Run } from '../results/schema.js';
import { writeFileAtomic } from '../results/write.js';
import { renderChartPng } from '../render/png.js';
import { chartsForRun } from './charts.js';
import type { Reporter } from './types.js';

/** Charts drawn before their PNGs are awaited (each holds a canvas of ~6 MB). */
const ENCODES_AT_ONCE = 4;

export const pngReporter: Reporter = {
  format: 'png',
  async render(run: Run, outDir: string): Promise<string[]> {
    const dir = join(outDir, 'charts');
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    // Drawing is synchronous but PNG encoding runs on libuv's threads: a few charts at a time keep
    // the other CPU busy encoding while the next chart is drawn, with a few canvases held at once.
    const specs = chartsForRun(run);
    for (let i = 0; i < specs.length; i += ENCODES_AT_ONCE) {
      const written = await Promise.all(specs.slice(i, i + ENCODES_AT_ONCE).map(async (spec) => {
        const file = join(dir, `${spec.id}.png`);
        writeFileAtomic(file, await renderChartPng(spec));
        return file;
      }));
      files.push(...written);
    }
    return files;
  },
};
