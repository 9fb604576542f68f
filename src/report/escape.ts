/** Escaping for text that came from a run or from /proc, wherever it is rendered. */

/**
 * Text in Markdown: HTML special characters become entities and Markdown syntax is backslashed, so
 * nothing from a run can open a tag, a link or a code span. Underscores inside words (metric names)
 * are left alone: GitHub does not read them as emphasis, and plain-text readers see them unchanged.
 */
export function mdEscape(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*[\]~|#]/g, (c) => `\\${c}`)
    .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace('_', '\\_'))
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
