/**
 * The reporters, one per format, each loaded only when its format is rendered (the PNG reporter
 * needs the canvas, which some machines lack), and renderReports: render a run into a directory in
 * the formats asked for. A format that cannot load or fails does not stop the others; the outcome
 * lists what was written and why the rest was not.
 */
import { mkdirSync } from 'node:fs';
import type { Run } from '../results/schema.js';
import { oneLine } from '../errors.js';
import { chartRendererUnavailable } from '../render/png.js';
import { REPORT_FORMATS, type ReportFormat, type Reporter } from './types.js';

const LOADERS: Record<ReportFormat, () => Promise<Reporter>> = {
  md: async () => (await import('./markdown.js')).markdownReporter,
  png: async () => (await import('./png.js')).pngReporter,
  html: async () => (await import('./html.js')).htmlReporter,
};

/** A format that was not rendered: its code could not load here, or rendering failed. */
export interface MissingReport {
  format: ReportFormat;
  /** 'unavailable': this machine lacks a piece (a native module); 'failed': rendering threw */
  kind: 'unavailable' | 'failed';
  reason: string;
}

export interface ReportOutcome {
  files: string[];
  missing: MissingReport[];
}

/** Render `run` into `outDir` in each of `formats`. */
export async function renderReports(run: Run, outDir: string, formats: readonly ReportFormat[] = REPORT_FORMATS): Promise<ReportOutcome> {
  const outcome: ReportOutcome = { files: [], missing: [] };
  if (formats.length === 0) return outcome;
  mkdirSync(outDir, { recursive: true });
  for (const format of formats) {
    const unavailable = format === 'png' ? chartRendererUnavailable() : null;
    if (unavailable) {
      outcome.missing.push({ format, kind: 'unavailable', reason: unavailable });
      continue;
    }
    let reporter: Reporter;
    try {
      reporter = await LOADERS[format]();
    } catch (e) {
      outcome.missing.push({ format, kind: 'unavailable', reason: `no ${format} report: its reporter cannot be loaded (${oneLine(e)})` });
      continue;
    }
    try {
      outcome.files.push(...(await reporter.render(run, outDir)));
    } catch (e) {
      outcome.missing.push({ format, kind: 'failed', reason: `${format} report failed: ${oneLine(e)}` });
    }
  }
  return outcome;
}
