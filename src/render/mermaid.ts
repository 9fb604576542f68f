/**
 * Mermaid `xychart-beta` blocks for Markdown that GitHub renders in place (pull-request comments,
 * job summaries). Mermaid has no grouped bars: two bar series drawn at one category overlap. So a
 * pair of figures (base and current) becomes two categories side by side, each series holding a
 * value at its own categories and 0 at the other's; with the value axis's tick labels off, Mermaid
 * gives that axis no end padding and a 0 draws nothing. Mermaid writes no values on bars, so each
 * category label may carry its figure. Horizontal bars, so category labels have room to be read.
 */

/** A pair of figures under one label: the base run's and the current run's. */
export interface BarPair {
  label: string;
  base: number;
  current: number;
}

export interface PairedBarChart {
  title: string;
  /** what the bars measure ("ns/guard") */
  axisTitle: string;
  pairs: BarPair[];
  /** names of the two sides as the category labels say them */
  sides: [string, string];
  /** the two sides' bar colours */
  colours: [string, string];
  /** a figure as the category label shows it beside the side's name (Mermaid puts no values on bars) */
  valueText?: (v: number) => string;
}

/**
 * Text from a run made safe inside a Mermaid quoted string: letters, digits and a few punctuation
 * marks survive; quotes, brackets, backticks, `#`, `%`, `;`, `<`, `>`, `&`, backslashes and line
 * breaks (which could end the string, the statement or the Markdown fence, or start an entity or
 * markup) become spaces. Long text is cut.
 */
export function mermaidText(text: string, max = 60): string {
  const safe = text.replace(/[^\p{L}\p{N} _.,:=+\-/()×·≈]/gu, ' ').replace(/\s+/g, ' ').trim();
  return safe.length > max ? `${safe.slice(0, max - 1).trimEnd()}…` : safe;
}

/** A number as Mermaid reads it: plain digits, no separators, four significant digits. */
function mermaidNumber(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : '0';
}

/** The value axis's end: the largest figure rounded up to a round number. */
function axisEnd(values: number[]): number {
  const max = Math.max(...values, 0);
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.05) / (step / 2)) * (step / 2);
}

/** The lines of one ```mermaid block drawing `chart`. */
export function pairedBarChart(chart: PairedBarChart): string[] {
  const q = (s: string) => `"${mermaidText(s)}"`;
  const value = (p: BarPair, i: number) => (chart.valueText ? ` ${chart.valueText(i === 0 ? p.base : p.current)}` : '');
  const labels = chart.pairs.flatMap((p) => chart.sides.map((side, i) => q(`${p.label} · ${side}${value(p, i)}`)));
  const zeroed = (which: 0 | 1) => chart.pairs.flatMap((p) => {
    const v = mermaidNumber(which === 0 ? p.base : p.current);
    return which === 0 ? [v, '0'] : ['0', v];
  });
  const end = axisEnd(chart.pairs.flatMap((p) => [p.base, p.current]));
  return [
    '```mermaid',
    '---',
    'config:',
    '  xyChart:',
    '    width: 720',
    `    height: ${Math.max(160, 60 + 34 * labels.length)}`,
    '    yAxis:',
    '      showLabel: false',
    '      showTick: false',
    '  themeVariables:',
    '    xyChart:',
    `      plotColorPalette: "${chart.colours.join(', ')}"`,
    '---',
    'xychart-beta horizontal',
    `  title ${q(chart.title)}`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis ${q(`${chart.axisTitle}, 0 to ${end.toLocaleString('en-US')}`)} 0 --> ${end}`,
    `  bar [${zeroed(0).join(', ')}]`,
    `  bar [${zeroed(1).join(', ')}]`,
    '```',
  ];
}
