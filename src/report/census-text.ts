/**
 * Presenting a census: the headline sentence, a plain-text console view and Markdown for reports.
 * Both read only the document, so a census taken on one machine renders anywhere.
 */
import { percentOf } from '../stats/describe.js';
import { mdEscape } from '../render/markdown.js';
import { textTable } from '../render/text-table.js';
import { checkCensus, type Census, type ProcessCensus } from '../results/census-schema.js';

const int = (n: number): string => n.toLocaleString('en-US');
const pct = (n: number): string => `${n.toFixed(1)}%`;

function markerText(c: Census): string {
  const m = c.totals.markers;
  if (c.totals.processes === 0) return 'guard markers: no process was read';
  if (m.vmas === null) return `guard markers: not visible here (${m.reason ?? 'unknown reason'})`;
  const regions = typeof m.regions === 'number' ? ` in ${int(m.regions)} regions` : '';
  const pages = m.pages === null ? 'pages not counted' : `${int(m.pages)} guard pages${regions}`;
  const partial = m.uncounted > 0 ? `; ${m.uncounted} processes not counted${m.reason ? ` (${m.reason})` : ''}` : '';
  const how = m.method ? ` (${m.method})` : '';
  // gu is sticky: a VMA keeps it after its markers are removed, so pages can be fewer than VMAs.
  return `guard markers already in use: ${int(m.vmas)} VMAs with smaps gu (set once markers were installed) in `
    + `${int(m.processes)} processes, ${pages}${how}${partial}`;
}

function unreadableText(c: Census): string {
  const u = c.unreadable;
  if (u.total === 0) return 'every process asked for was read';
  const parts = [u.permission && `${u.permission} permission denied`, u.vanished && `${u.vanished} gone (no such process, or exited while read)`,
    u.other && `${u.other} other errors`].filter(Boolean);
  return `${u.total} processes not read: ${parts.join(', ')}`;
}

/** Processes with the most guard VMAs (then the most markers), at most `n`. */
export function topProcesses(c: Census, n = 10): ProcessCensus[] {
  return [...c.processes]
    .filter((p) => p.guardVmas > 0 || (p.loaderGaps ?? 0) > 0 || (p.markers.vmas ?? 0) > 0)
    .sort((a, b) => b.guardVmas - a.guardVmas || (b.markers.vmas ?? 0) - (a.markers.vmas ?? 0) || a.pid - b.pid)
    .slice(0, n);
}

function markerCell(p: ProcessCensus): string {
  if (p.markers.vmas === null) return '?';
  return `${p.markers.vmas}${p.markers.pages === null ? '' : ` (${p.markers.pages} pg)`}`;
}

interface Column {
  title: string;
  cell: (p: ProcessCensus) => string;
}

const COLUMNS: Column[] = [
  { title: 'pid', cell: (p) => String(p.pid) },
  { title: 'command', cell: (p) => p.comm },
  { title: 'VMAs', cell: (p) => int(p.vmas) },
  { title: 'PROT_NONE', cell: (p) => int(p.protNone) },
  { title: 'guards (above/below)', cell: (p) => `${p.guardVmas} (${p.guardSides.above}/${p.guardSides.below})` },
  { title: 'loader gaps', cell: (p) => (p.loaderGaps === undefined ? '-' : String(p.loaderGaps)) },
  { title: 'reservations', cell: (p) => String(p.reservations.count) },
  { title: 'gu VMAs (pages)', cell: markerCell },
  { title: 'saved VMAs', cell: (p) => (p.savings.lower === p.savings.upper ? String(p.savings.lower) : `${p.savings.lower}-${p.savings.upper}`) },
];

function summaryLines(c: Census): string[] {
  const t = c.totals;
  const r = t.reservations;
  return [
    `${int(t.processes)} processes, ${int(t.vmas)} VMAs, ${int(t.protNone)} PROT_NONE`,
    `guards: ${int(t.guardVmas)} (${t.guardSides.above} guard the mapping above them, ${t.guardSides.below} the one below)`,
    ...(t.loaderGaps === undefined ? [] : [`loader gaps: ${int(t.loaderGaps)} (${pct(percentOf(t.loaderGaps, t.vmas))} of all VMAs)`]),
    `reservations: ${int(r.count)} (${(r.bytes / 2 ** 30).toFixed(1)} GiB; ${r.tooLarge} too large, ${r.fileBacked} file-backed, `
      + `${r.shared} shared, ${r.noWritableNeighbour} next to no writable mapping)`,
    markerText(c),
    `VMAs saved if every guard became a marker: ${int(t.savings.lower.vmas)} (${pct(t.savings.lower.percent)}) `
      + `to ${int(t.savings.upper.vmas)} (${pct(t.savings.upper.percent)})`,
    `  lower bound: ${t.savings.lower.rule}`,
    `  upper bound: ${t.savings.upper.rule}`,
    `guard rule: ${c.guardRule}`,
    ...(c.loaderGapRule ? [`loader-gap rule: ${c.loaderGapRule}`] : []),
    unreadableText(c),
  ];
}

/** Plain text for the terminal. */
export function renderCensusText(c: Census, top = 10): string {
  const scope = c.scope === 'system' ? 'this machine' : `pid ${c.options.pids?.join(', ')}`;
  const lines = [`census of ${scope} (Linux ${c.kernel}, ${c.durationMs.toFixed(0)} ms)`, '', c.headline, '',
    ...summaryLines(c)];
  const rows = topProcesses(c, top);
  if (rows.length > 0) {
    const cells = rows.map((p) => COLUMNS.map((col) => col.cell(p)));
    lines.push('', `top processes by guard VMAs`, textTable(COLUMNS.map((col) => col.title), cells, { align: ['right', 'left'] }));
  }
  for (const n of c.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

/** Process names and paths come from /proc: nothing in them may break a table or open a tag. */
function mdCell(s: string): string {
  return mdEscape(s);
}

/**
 * Markdown for reports. Report writers pass a run's `census` section as they read it, so it is
 * validated first: a bad section throws a one-line InvalidCensusError instead of rendering nonsense.
 */
export function renderCensusMarkdown(census: unknown, top = 10): string {
  const c = checkCensus(census, 'census section');
  const scope = c.scope === 'system' ? 'the whole machine' : `pid ${c.options.pids?.join(', ')}`;
  const out = [`### VMA census (${scope}, Linux ${mdCell(c.kernel)}, ${c.takenAt})`, '', `**${mdCell(c.headline)}**`, ''];
  for (const line of summaryLines(c)) out.push(`- ${mdCell(line.trim())}`);
  const rows = topProcesses(c, top);
  if (rows.length > 0) {
    out.push('', `| ${COLUMNS.map((col) => col.title).join(' | ')} |`, `|${COLUMNS.map((_, i) => (i === 1 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const p of rows) out.push(`| ${COLUMNS.map((col) => mdCell(col.cell(p))).join(' | ')} |`);
  }
  if (c.notes.length > 0) out.push('', ...c.notes.map((n) => `> ${mdCell(n)}`));
  return out.join('\n') + '\n';
}
