/** Aligned plain-text tables for the terminal: the one printer every console view uses. */

export type Align = 'left' | 'right';

export interface TextTableOptions {
  /** per column; columns beyond the list are right-aligned (figures) */
  align?: readonly Align[];
  /** a line of dashes under the header */
  rule?: boolean;
  /** prefix of every line */
  indent?: string;
}

export function textTable(header: readonly string[] | null, body: readonly (readonly string[])[], o: TextTableOptions = {}): string {
  const rows = header ? [header, ...body] : body;
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(0, ...rows.map((r) => (r[i] ?? '').length)));
  const align = (i: number): Align => o.align?.[i] ?? 'right';
  const line = (cells: readonly string[]) => (o.indent ?? '') + widths.map((w, i) => {
    const c = cells[i] ?? '';
    return align(i) === 'left' ? c.padEnd(w) : c.padStart(w);
  }).join('  ').trimEnd();
  const out = body.map(line);
  if (header) out.unshift(...[line(header), ...(o.rule ? [(o.indent ?? '') + widths.map((w) => '-'.repeat(w)).join('  ')] : [])]);
  return out.join('\n');
}
