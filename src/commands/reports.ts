/** Which report formats a command renders: `report --format` and `run --report`. */
import { REPORT_FORMATS, isReportFormat, type ReportFormat } from '../report/types.js';
import { UsageError } from '../errors.js';

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
