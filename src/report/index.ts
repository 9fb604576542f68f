/**
 * The reporters, one per format, and renderReports: render a run into a directory in the formats
 * asked for. A format that fails does not stop the others; the failure is raised after them, with
 * the files that were written.
 */
import { mkdirSync } from 'node:fs';
import type { Run } from '../results/schema.js';
import { oneLine } from '../errors.js';
import { htmlReporter } from './html.js';
import { markdownReporter } from './markdown.js';
import { pngReporter } from './png.js';
import { REPORT_FORMATS, type ReportFormat, type Reporter } from './types.js';

export { REPORT_FORMATS, isReportFormat, type ReportFormat, type Reporter } from './types.js';

export const REPORTERS: Record<ReportFormat, Reporter> = {
  md: markdownReporter,
  png: pngReporter,
  html: htmlReporter,
};

export class ReportError extends Error {
  constructor(message: string, readonly files: string[]) {
    super(message);
    this.name = 'ReportError';
  }
}

/** Render `run` into `outDir` in each of `formats`; resolves to every file written. */
export async function renderReports(run: Run, outDir: string, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const failures: string[] = [];
  for (const format of formats) {
    try {
      files.push(...(await REPORTERS[format].render(run, outDir)));
    } catch (e) {
      failures.push(`${format}: ${oneLine(e)}`);
    }
  }
  if (failures.length > 0) throw new ReportError(`report failed (${failures.join('; ')})`, files);
  return files;
}
