/**
 * One reporter per output format behind one interface (hyperfine's Exporter): each reads a Run and
 * nothing else, writes its files under `outDir`, and returns the paths it wrote.
 */
import type { Run } from '../results/schema.js';

export const REPORT_FORMATS = ['md', 'png', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface Reporter {
  readonly format: ReportFormat;
  /** Render `run` into `outDir`; resolves to the files written. */
  render(run: Run, outDir: string): Promise<string[]>;
}

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}
