/**
 * GitHub-flavoured Markdown pieces, with the one escaping rule every Markdown view uses for text
 * that came from a run or from /proc: nothing in it can open a tag, a link or a code span, or
 * break a table.
 */

/**
 * Text in Markdown: HTML special characters become entities and Markdown syntax is backslashed.
 * Underscores inside words (metric names) are left alone: GitHub does not read them as emphasis,
 * and plain-text readers see them unchanged.
 */
export function mdEscape(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*[\]~|#]/g, (c) => `\\${c}`)
    .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace('_', '\\_'))
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Text from a run as inline code where it can be (a code span shows `<` and `*` as they are); text
 * that would end the span (a backtick) or the line is escaped as plain text instead.
 */
export function mdCode(s: string): string {
  return /[`\r\n|]/.test(s) ? mdEscape(s) : `\`${s}\``;
}

/** Text inside HTML (a <summary>): entities only, Markdown is not parsed there. */
export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A table of cells already written as Markdown; `numeric` columns are right-aligned. */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[], numeric: (i: number) => boolean): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (numeric(i) ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** A block folded under a summary line (GitHub renders <details>). */
export function folded(summary: string, body: readonly string[], open = false): string[] {
  return [`<details${open ? ' open' : ''}>`, `<summary>${htmlEscape(summary)}</summary>`, '', ...body, '', '</details>', ''];
}
