/**
 * Aligned plain-text tables for the terminal and for mail: the one printer every text view uses.
 * Given a width limit, columns marked wrappable (prose: reasons, names) are narrowed, widest first,
 * and their cells wrapped at spaces and hyphens onto continuation lines; other columns (figures)
 * keep their full width, so a number is never cut.
 */

export type Align = 'left' | 'right';

/** A line of its own inside a table's body (a group heading), printed as it is and never measured. */
export interface TextLine {
  line: string;
}

export type TextRow = readonly string[] | TextLine;

export interface TextTableOptions {
  /** per column; columns beyond the list are right-aligned (figures) */
  align?: readonly Align[];
  /** a line of dashes under the header */
  rule?: boolean;
  /** prefix of every line */
  indent?: string;
  /** the widest a line may be, indent included; without it columns take what their cells need */
  maxWidth?: number;
  /** per column: may be narrowed and wrapped to meet maxWidth (default: no) */
  wrap?: readonly boolean[];
}

const GAP = 2;
/** A wrapped column keeps at least this width, or its longest word if that is shorter. */
const MIN_WRAPPED = 12;

function isLine(row: TextRow): row is TextLine {
  return !Array.isArray(row);
}

/** `text` in lines of at most `width`: broken at spaces, else after a hyphen, slash or comma, else hard. */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0 || text.length <= width) return [text];
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const window = rest.slice(0, width + 1);
    const space = window.lastIndexOf(' ');
    const mark = Math.max(window.lastIndexOf('-', width - 1), window.lastIndexOf('/', width - 1), window.lastIndexOf(',', width - 1));
    const cut = space > 0 ? space : mark > 0 ? mark + 1 : width;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) lines.push(rest);
  return lines;
}

/** Wrapped, its continuation lines indented by two so they do not read as rows of their own. */
function hanging(text: string, width: number): string[] {
  const [first = '', ...rest] = wrapText(text, width);
  return rest.length === 0 ? [first] : [first, ...wrapText(rest.join(' '), width - 2).map((l) => `  ${l}`)];
}

/** Prose for a plain-text view: ASCII, wrapped to `width`, the first line after `first`, the rest after `rest`. */
export function proseLines(text: string, width: number, first = '', rest = first): string[] {
  return wrapText(toAscii(text), width - Math.max(first.length, rest.length)).map((l, i) => (i === 0 ? first : rest) + l);
}

function longestWord(text: string): number {
  return Math.max(0, ...text.split(/[\s]+/).map((w) => w.length));
}

/** Column widths that fit `maxWidth` by narrowing the wrappable columns, widest first. */
function fitWidths(natural: number[], cells: readonly (readonly string[])[], o: TextTableOptions): number[] {
  const widths = [...natural];
  if (o.maxWidth === undefined) return widths;
  const budget = o.maxWidth - (o.indent ?? '').length - GAP * Math.max(0, widths.length - 1);
  const floor = widths.map((w, i) => (o.wrap?.[i] ? Math.min(w, Math.max(MIN_WRAPPED, ...cells.map((r) => Math.min(longestWord(r[i] ?? ''), MIN_WRAPPED)))) : w));
  let over = widths.reduce((a, b) => a + b, 0) - budget;
  while (over > 0) {
    // Narrow the widest wrappable column that still has room, one character at a time.
    let pick = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i]! > floor[i]! && (pick < 0 || widths[i]! > widths[pick]!)) pick = i;
    if (pick < 0) break;
    widths[pick]!--;
    over--;
  }
  return widths;
}

export function textTable(header: readonly string[] | null, body: readonly TextRow[], o: TextTableOptions = {}): string {
  const indent = o.indent ?? '';
  const cells = [...(header ? [header] : []), ...body.filter((r): r is readonly string[] => !isLine(r))];
  const columns = Math.max(0, ...cells.map((r) => r.length));
  const natural = Array.from({ length: columns }, (_, i) => Math.max(0, ...cells.map((r) => (r[i] ?? '').length)));
  const widths = fitWidths(natural, cells, o);
  const align = (i: number): Align => o.align?.[i] ?? 'right';
  const pad = (c: string, i: number) => (align(i) === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!));
  const lines = (cellsOfRow: readonly string[]): string[] => {
    const wrapped = widths.map((w, i) => (o.wrap?.[i] ? hanging(cellsOfRow[i] ?? '', w) : [cellsOfRow[i] ?? '']));
    const height = Math.max(1, ...wrapped.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => indent + wrapped.map((c, i) => pad(c[k] ?? '', i)).join(' '.repeat(GAP)).trimEnd());
  };
  const out: string[] = [];
  if (header) {
    out.push(...lines(header));
    if (o.rule) out.push(indent + widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)));
  }
  for (const row of body) out.push(...(isLine(row) ? [indent + row.line] : lines(row)));
  return out.join('\n');
}

const ASCII: Record<string, string> = {
  '±': '+-', 'α': 'alpha', '→': '->', '–': '-', '—': '-', '…': '...', '×': 'x', 'µ': 'u', 'μ': 'u', '≈': '~', '·': '-',
  '≤': '<=', '≥': '>=', '‘': "'", '’': "'", '“': '"', '”': '"', '\u00a0': ' ',
};

/** Text made plain ASCII for a mail: known signs spelled out, anything else non-ASCII as '?'. */
export function toAscii(text: string): string {
  return text.replace(/[^\x00-\x7f]/g, (ch) => ASCII[ch] ?? '?');
}
