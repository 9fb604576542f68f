/**
 * report.md: the report as GitHub-flavoured Markdown, for a pull-request comment or a mailing-list
 * reply. The headline table and the cover letter's claims come first, then one section per workload
 * with its charts (charts/*.png, relative) and tables; bulky tables fold into <details>. Everything
 * taken from the run is escaped, so a hostile string shows as text.
 */
import { join } from 'node:path';
import type { Run } from '../results/schema.js';
import { writeFileAtomic } from '../results/write.js';
import { folded, mdEscape } from '../render/markdown.js';
import type { ClaimCheck, Verdict } from './claims.js';
import { censusView } from './census.js';
import type { Cell, ReportTable } from './cells.js';
import { buildReportModel, type ReportModel, type WorkloadReport } from './model.js';
import type { Reporter } from './types.js';

/** GitHub rejects comments longer than this. */
export const GITHUB_COMMENT_LIMIT = 65536;
const NOISE_MARK = '⚠️';

/** A cell's text; a marker's gain or loss (the part after the last ' · ') in bold, the one as the other. */
function cellText(c: Cell): string {
  const cut = c.tone ? c.text.lastIndexOf(' · ') : -1;
  const text = cut < 0 ? mdEscape(c.text) : `${mdEscape(c.text.slice(0, cut))} · **${mdEscape(c.text.slice(cut + 3))}**`;
  return c.warn ? `${text} ${NOISE_MARK}` : text;
}

/**
 * Where a table's noisy figures are, row by row: "create (ns/stack): prot-none, guard-madvise". The
 * reasons stay out: the cells show their margins of error, the footer gives the rule, and a
 * default-profile report must fit a GitHub comment (report.html shows each reason on hover). A row
 * whose label cells are blank (the headline table names a workload once) takes the row's above.
 */
function noisyCells(t: ReportTable): string[] {
  let labels: string[] = [];
  return t.rows.flatMap((r) => {
    labels = r.slice(0, t.labelColumns).map((x, i) => x.text || labels[i] || '');
    const columns = r.flatMap((c, i) => (c.warn ? [t.header[i]!] : []));
    return columns.length ? [`${labels.filter(Boolean).join(', ')}: ${columns.join(', ')}`] : [];
  });
}

function table(t: ReportTable): string[] {
  const out = [
    `| ${t.header.map(mdEscape).join(' | ')} |`,
    `|${t.header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(cellText).join(' | ')} |`),
  ];
  const noisy = noisyCells(t);
  if (noisy.length) out.push('', `<sub>${NOISE_MARK} noisy: ${mdEscape(noisy.join(' · '))}</sub>`);
  return out;
}

const VERDICT_MARK: Record<Verdict, string> = {
  confirms: '✅ confirms',
  weakens: '🟡 weakens',
  contradicts: '❌ contradicts',
  inconclusive: '❔ inconclusive',
  'not measured': '— not measured',
};

function claims(list: ClaimCheck[], callPrice: string[]): string[] {
  const out = [
    "### The series' claims, on this machine",
    '',
    '| claim (guard pages cover letter, Oct 2024) | measured here | ratio | verdict |',
    '| --- | --- | --- | --- |',
    ...list.map((c) => `| ${mdEscape(c.claim)} | ${c.measured.map(mdEscape).join('<br>')} | ${mdEscape(c.ratio)} | **${VERDICT_MARK[c.verdict]}** |`),
    '',
    ...list.map((c, i) => `${i + 1}. **${VERDICT_MARK[c.verdict]}.** ${mdEscape(c.why)}`),
    '',
    ...callPrice.map((n) => `> ${mdEscape(n)}`).flatMap((l, i) => (i === 0 ? [l] : ['>', l])),
    '',
  ];
  return out;
}

/** The checks as a table when any failed; when all passed, one line (report.html lists them). */
function verify(model: ReportModel): string[] {
  if (model.verify.length === 0) return ['### Guard semantics (verify)', '', 'This run has no verify results (`guardbench verify` runs the checks).', ''];
  const failed = model.verify.filter((v) => !v.ok);
  if (failed.length === 0) {
    const skipped = model.verify.filter((v) => v.skipped).length;
    const scope = model.verifyScope ? ` ${mdEscape(model.verifyScope)}` : '';
    return ['### Guard semantics (verify)', '', `All ${model.verify.length} checks passed${scope}${skipped ? ` (${skipped} could not run here)` : ''}; report.html lists them.`, ''];
  }
  return [
    '### Guard semantics (verify)', '', `**${failed.length} of ${model.verify.length} checks failed:**`, '',
    '| check | detail |',
    '| --- | --- |',
    ...failed.map((v) => `| ${mdEscape(v.check)} | ${mdEscape(v.detail)} |`),
    '',
  ];
}

function workload(w: WorkloadReport): string[] {
  const out = [`### ${mdEscape(w.name)}`, ''];
  if (w.constants) out.push(`<sub>${mdEscape(w.constants)}</sub>`, '');
  for (const s of w.sentences) out.push(`- ${mdEscape(s.text)}${s.warn ? ` ${NOISE_MARK} _noisy: ${mdEscape(s.warn)}_` : ''}`);
  if (w.sentences.length) out.push('');
  for (const c of w.charts) out.push(`![${mdEscape(c.alt)}](${c.file})`, '');
  for (const t of w.tables) {
    if (t.bulky) out.push(...folded(`${t.caption} (${t.rows.length} rows)`, table(t)));
    else out.push(`**${mdEscape(t.caption)}**`, '', ...table(t), '');
  }
  if (w.notes.length) out.push(...folded(`Notes the run recorded (${w.notes.length})`, w.notes.map((n) => `- ${mdEscape(n)}`)));
  return out;
}

function census(model: ReportModel): string[] {
  // The census renderer's Markdown brings its own heading.
  return model.census ? [model.census.markdown.trim(), ''] : [];
}

export function renderMarkdown(model: ReportModel): string {
  const out: string[] = [
    `## ${mdEscape(model.title)}`,
    '',
    `<sub>${mdEscape(model.about)}</sub>`,
    '',
  ];
  if (model.incomplete) out.push(`> ${NOISE_MARK} **${mdEscape(model.incomplete)}**`, '');
  if (model.problems.length) {
    out.push(`> ❌ **${model.problems.length} ${model.problems.length === 1 ? 'measurement' : 'measurements'} failed:**`, ...model.problems.slice(0, 10).map((p) => `> - ${mdEscape(p)}`), '');
  }
  if (model.headline) out.push(`**${mdEscape(model.headline.caption)}**`, '', ...table(model.headline), '');
  out.push(`**Environment:** ${mdEscape(model.envLine)}  `);
  out.push(`**Kernel features:** ${model.features.map((f) => `${mdEscape(f.label)} ${f.value === 'yes' ? '✅' : `❌ ${mdEscape(f.value)}`}`).join(' · ')}  `);
  const ffi = model.env.find((f) => f.label === 'FFI floor');
  if (ffi) out.push(`**FFI floor:** ${mdEscape(ffi.value)}`);
  out.push('');
  out.push(...claims(model.claims, model.callPrice));
  out.push(...verify(model));
  for (const w of model.workloads) out.push(...workload(w));
  out.push(...census(model));
  const shown = model.env.filter((f) => !f.folded);
  const long = model.env.filter((f) => f.folded).flatMap((f) => ['', `**${mdEscape(f.label)}:** ${mdEscape(f.value)}`]);
  out.push(...folded('Environment details', ['| | |', '| --- | --- |', ...shown.map((f) => `| ${mdEscape(f.label)} | ${mdEscape(f.value)} |`), ...long]));
  out.push(`<sub>${NOISE_MARK} ${mdEscape(model.noiseRule)}. Rendered by guardbench from run.json alone; `
    + 're-render with `npx guardbench report run.json`.</sub>', '');
  return out.join('\n');
}

export const markdownReporter: Reporter = {
  format: 'md',
  async render(run: Run, outDir: string): Promise<string[]> {
    const file = join(outDir, 'report.md');
    writeFileAtomic(file, renderMarkdown(buildReportModel(run, censusView(run))));
    return [file];
  },
};
