/**
 * Rendering a run's reports for `run` and `report`, each reporter loaded only when its format is
 * rendered. The PNG reporter loads @napi-rs/canvas, a native module with prebuilt binaries for some
 * platforms only: a machine without one must still measure, and still get report.md and report.html.
 * (src/report/index.ts loads every reporter up front; this keeps that cost out of measuring.)
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Run } from '../results/schema.js';
import { REPORT_FORMATS, isReportFormat, type ReportFormat, type Reporter } from '../report/types.js';
import { UsageError, oneLine } from '../errors.js';

type RenderChartPng = (typeof import('../render/png.js'))['renderChartPng'];

/**
 * Load the chart renderer's native module by require before importing the modules that use it: a
 * require throws at once and only once, whereas a CommonJS module that throws while imported through
 * tsx's ESM loader also leaves an unhandled rejection behind, which would end the process after the
 * failure was handled.
 */
function requireCanvas(): void {
  createRequire(import.meta.url)('@napi-rs/canvas');
}

/**
 * A load failure with its causes, each cut to its first sentence: the canvas loader's own message is
 * advice about an npm bug; the modules it could not find are in its causes.
 */
function describeLoadError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 4; e = e instanceof Error ? e.cause : undefined) {
    parts.push(oneLine(e).replace(/\. .*$/, ''));
  }
  return parts.join('; ');
}

function chartRendererUnavailable(error: unknown): string {
  return `no PNG charts: the chart renderer @napi-rs/canvas cannot be loaded here (${describeLoadError(error)})`;
}

/** The PNG chart renderer for compare and history --out, or the one line that says why it cannot load. */
export async function loadChartRenderer(): Promise<{ render: RenderChartPng } | { unavailable: string }> {
  try {
    requireCanvas();
    return { render: (await import('../render/png.js')).renderChartPng };
  } catch (e) {
    return { unavailable: chartRendererUnavailable(e) };
  }
}

const LOADERS: Record<ReportFormat, () => Promise<Reporter>> = {
  md: async () => (await import('../report/markdown.js')).markdownReporter,
  png: async () => {
    requireCanvas();
    return (await import('../report/png.js')).pngReporter;
  },
  html: async () => (await import('../report/html.js')).htmlReporter,
};

/** What a format that was not rendered needed: its code could not load, or rendering failed. */
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

function unavailableReason(format: ReportFormat, error: unknown): string {
  return format === 'png' ? chartRendererUnavailable(error) : `no ${format} report: its reporter cannot be loaded (${describeLoadError(error)})`;
}

/** Render `run` into `outDir` in each format; a format that cannot load or fails leaves the others. */
export async function renderReportsLazily(run: Run, outDir: string, formats: readonly ReportFormat[]): Promise<ReportOutcome> {
  const outcome: ReportOutcome = { files: [], missing: [] };
  if (formats.length === 0) return outcome;
  mkdirSync(outDir, { recursive: true });
  for (const format of formats) {
    let reporter: Reporter;
    try {
      reporter = await LOADERS[format]();
    } catch (e) {
      outcome.missing.push({ format, kind: 'unavailable', reason: unavailableReason(format, e) });
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

/**
 * A comma-separated list of report formats, for `report --format` and `run --report`; with
 * `allowNone`, 'none' alone means no reports at all.
 */
export function parseReportFormats(flag: string, text: string, allowNone = false): ReportFormat[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  const choices = `${allowNone ? 'none, or ' : ''}${REPORT_FORMATS.join(', ')}`;
  if (names.length === 0) throw new UsageError(`${flag}: give ${choices}`);
  if (allowNone && names.includes('none')) {
    if (names.length > 1) throw new UsageError(`${flag}: 'none' cannot be combined with other formats`);
    return [];
  }
  for (const n of names) {
    if (!isReportFormat(n)) throw new UsageError(`${flag}: unknown format '${n}' (formats: ${choices})`);
  }
  return [...new Set(names as ReportFormat[])];
}
