/**
 * What a report says, independent of its format: plain text in a small tree (sections, sentences,
 * tables of cells) that markdown.ts writes as GitHub Markdown and html.ts embeds as JSON for the page
 * to build with textContent. Strings here may hold anything a run holds; escaping is each format's job.
 */
import type { Row, Run, VerifyResult } from '../results/schema.js';
import { footprintVsProtNone, type BytesPart, type FootprintComparison } from '../analysis/footprint.js';
import { gainsOverProtNone, type Gain } from '../analysis/gains.js';
import { hostSpeedOf } from '../analysis/host-speed.js';
import { paramsKey } from '../analysis/keys.js';
import { NOISE_RULE, noiseWarning } from '../analysis/noise.js';
import { cell, pointOf, workloadShapes, type WorkloadShape } from '../analysis/shapes.js';
import { isMarkerStrategy } from '../analysis/specs.js';
import { describePoint, formatBytes, formatValue, pointLabel } from '../render/format.js';
import { chartsForRun, memoryLabel } from './charts.js';
import { checkClaims, callPriceNotes, type ClaimCheck } from './claims.js';
import type { CensusView } from './census.js';
import { describeHostSpeed, gainCell, gainWords, moreOrLess, vmaWords } from './words.js';

/** A piece of text, with the reason to distrust it when it is noisy. */
export interface Cell {
  text: string;
  warn?: string;
}

export interface ReportTable {
  caption: string;
  header: string[];
  rows: Cell[][];
  /** how many leading columns name the row (metric, point) rather than hold figures */
  labelColumns: number;
  /** long enough to fold away (a <details> in Markdown) */
  bulky: boolean;
}

export interface ChartRef {
  id: string;
  /** relative to the report: charts/<id>.png */
  file: string;
  title: string;
  alt: string;
}

export interface WorkloadReport {
  name: string;
  /** the parameters that hold one value throughout the workload */
  constants: string;
  sentences: Cell[];
  charts: ChartRef[];
  tables: ReportTable[];
  /** reasons the run recorded for skipped rows and ok rows with remarks */
  notes: string[];
}

export interface Fact {
  label: string;
  value: string;
}

export interface ReportModel {
  title: string;
  about: string;
  incomplete: string | null;
  envLine: string;
  env: Fact[];
  features: Fact[];
  verify: VerifyResult[];
  glance: Cell[];
  claims: ClaimCheck[];
  callPrice: string[];
  workloads: WorkloadReport[];
  problems: string[];
  noiseRule: string;
  census: CensusView | null;
}

const FEATURE_LABELS: Record<string, string> = {
  guardInstall: 'MADV_GUARD_INSTALL',
  guardRemove: 'MADV_GUARD_REMOVE',
  processMadvise: 'process_madvise() guards',
  pidfdSelf: 'PIDFD_SELF',
  pagemapGuardBit: 'pagemap guard bit',
  pagemapScanGuard: 'PAGEMAP_SCAN PAGE_IS_GUARD',
  smapsGuardFlag: "smaps VmFlags 'gu'",
};

/** env fields shown in the environment line or sections of their own. */
const ENV_SHOWN = new Set(['kernel', 'cpu', 'memBytes', 'pageSize', 'maxMapCount', 'thp', 'libc', 'node', 'koffi', 'root', 'features', 'featureReasons', 'ffi', 'hostSpeed']);

function text(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return value.join(', ');
  return JSON.stringify(value);
}

function envLine(run: Run): string {
  const e = run.env;
  const gib = (e.memBytes / 2 ** 30).toFixed(1);
  return [
    `Linux ${e.kernel.release} ${e.kernel.machine}`,
    `${e.cpu.model} (${e.cpu.count} CPUs)`,
    e.libc,
    `${gib} GiB RAM`,
    `${formatBytes(e.pageSize)} pages`,
    `THP ${e.thp}`,
    `vm.max_map_count ${e.maxMapCount ?? 'unknown'}`,
    `Node ${e.node}`,
    `koffi ${e.koffi}`,
    e.root ? 'root' : 'not root',
  ].join(' · ');
}

function envFacts(run: Run): Fact[] {
  const e = run.env;
  const facts: Fact[] = [
    { label: 'kernel', value: `${e.kernel.release} ${e.kernel.version} (${e.kernel.machine})` },
    { label: 'cpu', value: `${e.cpu.model}, ${e.cpu.count} CPUs` },
    { label: 'memory', value: `${(e.memBytes / 2 ** 30).toFixed(1)} GiB` },
    { label: 'libc', value: e.libc },
    { label: 'page size', value: formatBytes(e.pageSize) },
    { label: 'THP', value: e.thp },
    { label: 'vm.max_map_count', value: text(e.maxMapCount) },
    { label: 'node / koffi', value: `${e.node} / ${e.koffi}` },
    { label: 'root', value: e.root ? 'yes' : 'no' },
  ];
  if (e.ffi) {
    facts.push({ label: 'FFI floor', value: `${formatValue(e.ffi.labsNs)} ns per call (labs), ${formatValue(e.ffi.getppidNs)} ns per system call (getppid)` });
  }
  const hs = hostSpeedOf(run);
  if (hs) facts.push({ label: 'host speed', value: describeHostSpeed(hs) });
  for (const [k, v] of Object.entries(e)) if (!ENV_SHOWN.has(k)) facts.push({ label: k, value: text(v) });
  return facts;
}

function featureFacts(run: Run): Fact[] {
  const reasons = run.env.featureReasons ?? {};
  return Object.entries(run.env.features).map(([k, v]) => {
    const why = reasons[k] ? ` (${reasons[k]})` : '';
    return { label: FEATURE_LABELS[k] ?? k, value: v === true ? 'yes' : v === false ? `no${why}` : text(v) };
  });
}

/** A table cell for one row: median ±rme · p99 for latency, the figure otherwise. */
function rowCell(row: Row | undefined): Cell {
  if (!row) return { text: '–' };
  if (row.status !== 'ok') return { text: row.status };
  const warn = noiseWarning(row) ?? undefined;
  if (!row.stats) return { text: formatValue(row.value) };
  const t = `${formatValue(row.value)} ±${row.stats.rme.toFixed(1)}% · p99 ${formatValue(row.stats.p99)}`;
  return warn ? { text: t, warn } : { text: t };
}

function gainsOf(run: Run, shape: WorkloadShape, metric: string, strategy: string): Gain[] {
  return gainsOverProtNone(run, metric).filter((g) => g.row.workload === shape.name && g.row.strategy === strategy);
}

/** The point a row is at, named by the axes that vary in its workload. */
function whereOf(shape: WorkloadShape, row: Row): string {
  const p = pointOf(shape, row);
  return p ? pointLabel(p.params, shape.varying) : '';
}

function warnOf(...rows: Row[]): string | undefined {
  const w = rows.map((r) => {
    const n = noiseWarning(r);
    return n ? `${r.strategy}: ${n}` : null;
  }).filter(Boolean);
  return w.length ? w.join('; ') : undefined;
}

/** One sentence per guard strategy and latency metric: the figure at one point, or the best and worst over many. */
function latencySentence(shape: WorkloadShape, gains: Gain[]): Cell | null {
  if (gains.length === 0) return null;
  const s = gains[0]!.row.strategy;
  const metric = gains[0]!.row.metric;
  const where = (g: Gain) => whereOf(shape, g.row);
  if (gains.length === 1) {
    const g = gains[0]!;
    const at = shape.points.length > 1 ? ` at ${where(g)}` : '';
    return { text: `${s}: ${metric} takes ${formatValue(g.row.value, g.row.unit)}, ${gainWords(g, formatValue(g.base.value))}${at}.`, warn: warnOf(g.row, g.base) };
  }
  const sorted = [...gains].sort((a, b) => b.speedup - a.speedup);
  const best = sorted[0]!;
  const worst = sorted[sorted.length - 1]!;
  const detail = (g: Gain) => `${where(g)}: ${formatValue(g.row.value)} against ${formatValue(g.base.value, g.row.unit)}`;
  return {
    text: `${s}: ${metric} over ${gains.length} points ranges from ${gainWords(best, undefined, detail(best))} `
      + `to ${gainWords(worst, undefined, detail(worst))}.`,
    warn: warnOf(best.row, best.base, worst.row, worst.base),
  };
}

function bytesWords(f: FootprintComparison): string | null {
  if (!f.bytes) return null;
  const b = f.bytes;
  const parts = (pick: (p: BytesPart) => number) =>
    b.parts.filter((p) => pick(p) !== 0).map((p) => `${memoryLabel(p.spec)} ${formatValue(pick(p))}`).join(', ') || 'nothing measured';
  return `uses ${formatValue(b.value, b.unit)} of kernel memory (${parts((p) => p.value)}) against prot-none's `
    + `${formatValue(b.base)} (${parts((p) => p.base)}): ${moreOrLess(b.value, b.base)}`;
}

function footprintSentence(shape: WorkloadShape, strategy: string): Cell | null {
  const f = footprintVsProtNone(shape, strategy);
  if (!f) return null;
  const words = [f.vma ? vmaWords(f.vma) : null, bytesWords(f)].filter(Boolean).join(', and ');
  if (!words) return null;
  const at = shape.points.length > 1 ? ` (at ${pointLabel(f.point.params, shape.varying)})` : '';
  return { text: `${strategy}: ${words}${at}.` };
}

function workloadSentences(run: Run, shape: WorkloadShape): Cell[] {
  const guards = shape.strategies.filter(isMarkerStrategy);
  const out: Cell[] = [];
  for (const m of shape.metrics.filter((x) => x.kind === 'latency')) {
    for (const s of guards) {
      const c = latencySentence(shape, gainsOf(run, shape, m.metric, s));
      if (c) out.push(c);
    }
  }
  for (const s of guards) {
    const c = footprintSentence(shape, s);
    if (c) out.push(c);
  }
  return out;
}

/** The strongest sentence per workload: its first latency metric for the guard strategy that gains most, and its footprint. */
function glanceSentences(run: Run, shapes: WorkloadShape[]): Cell[] {
  const out: Cell[] = [];
  for (const shape of shapes) {
    const first = shape.metrics.find((m) => m.kind === 'latency');
    const guards = shape.strategies.filter(isMarkerStrategy);
    let bestStrategy: string | undefined;
    if (first) {
      const ranked = guards.map((s) => ({ s, gains: gainsOf(run, shape, first.metric, s) })).filter((x) => x.gains.length > 0)
        .sort((a, b) => Math.max(...b.gains.map((g) => g.speedup)) - Math.max(...a.gains.map((g) => g.speedup)));
      const top = ranked[0];
      if (top) {
        bestStrategy = top.s;
        const c = latencySentence(shape, top.gains);
        if (c) out.push({ ...c, text: `${shape.name}, ${c.text}` });
      }
    }
    const s = bestStrategy ?? guards[0];
    const f = s ? footprintSentence(shape, s) : null;
    if (f) out.push({ ...f, text: `${shape.name}, ${f.text}` });
  }
  return out;
}

/** A ratio's noise, for a cell under the strategy's own column: its own rows' warning, then prot-none's. */
function gainWarn(g: Gain): { warn?: string } {
  const own = noiseWarning(g.row);
  const base = noiseWarning(g.base);
  const parts = [own, base ? `prot-none ${base}` : null].filter(Boolean);
  return parts.length ? { warn: parts.join(', ') } : {};
}

function gainsTable(run: Run, shape: WorkloadShape): ReportTable | null {
  const guards = shape.strategies.filter(isMarkerStrategy);
  const rows: Cell[][] = [];
  const multi = shape.points.length > 1;
  for (const m of shape.metrics.filter((x) => x.kind === 'latency')) {
    for (const p of shape.points) {
      const gains = guards.map((s) => gainsOverProtNone(run, m.metric)
        .find((g) => g.row.workload === shape.name && g.row.strategy === s && pointOf(shape, g.row) === p));
      if (!gains.some(Boolean)) continue;
      rows.push([
        { text: m.metric },
        ...(multi ? [{ text: pointLabel(p.params, shape.varying) }] : []),
        ...gains.map((g): Cell => (g ? { text: gainCell(g), ...gainWarn(g) } : { text: '–' })),
      ]);
    }
  }
  if (rows.length === 0) return null;
  return {
    caption: 'Speed-up against prot-none (prot-none median / strategy median; ≈ when within the margin of error)',
    header: ['metric', ...(multi ? ['point'] : []), ...guards],
    rows,
    labelColumns: multi ? 2 : 1,
    bulky: rows.length > 8,
  };
}

function metricTables(shape: WorkloadShape): ReportTable[] {
  if (shape.points.length === 1) {
    const p = shape.points[0]!;
    const rows = shape.metrics.map((m) => [{ text: `${m.metric} (${m.unit})` }, ...shape.strategies.map((s) => rowCell(cell(shape, p, s, m.metric)))]);
    return [{ caption: 'All figures (latency: median ±rme · p99)', header: ['metric', ...shape.strategies], rows, labelColumns: 1, bulky: rows.length > 8 }];
  }
  return shape.metrics.map((m) => {
    const points = shape.points.filter((p) => shape.strategies.some((s) => cell(shape, p, s, m.metric)));
    const rows = points.map((p) => [{ text: pointLabel(p.params, shape.varying) }, ...shape.strategies.map((s) => rowCell(cell(shape, p, s, m.metric)))]);
    return {
      caption: `${m.metric} (${m.unit})${m.kind === 'latency' ? ': median ±rme · p99' : ''}`,
      header: [shape.varying.join(', '), ...shape.strategies],
      rows,
      labelColumns: 1,
      bulky: rows.length > 6,
    };
  });
}

/**
 * Remarks the run recorded, once per strategy, status and reason: a remark made at every point or
 * for every metric (a strategy the kernel lacks) is one line, not one per row.
 */
function workloadNotes(shape: WorkloadShape): string[] {
  const groups = new Map<string, { strategy: string; status: string; reason: string; points: Set<string>; metrics: Set<string> }>();
  for (const r of shape.rows) {
    if (!r.reason || r.status === 'failed') continue;
    const key = `${r.strategy}|${r.status}|${r.reason}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { strategy: r.strategy, status: r.status, reason: r.reason, points: new Set(), metrics: new Set() }));
    g.points.add(paramsKey(r.params));
    g.metrics.add(r.metric);
  }
  return [...groups.values()].map((g) => {
    const own = shape.points.filter((p) => shape.rows.some((r) => r.strategy === g.strategy && paramsKey(r.params) === p.key));
    let where = '';
    if (shape.points.length > 1) {
      if (g.points.size === 1) where = ` at ${pointLabel(shape.points.find((p) => g.points.has(p.key))!.params, shape.varying)}`;
      else where = g.points.size === own.length ? ' at every point' : ` at ${g.points.size} points`;
    }
    const what = g.status === 'skipped' ? `skipped (${[...g.metrics].join(', ')}): ` : '';
    return `${g.strategy}${where}: ${what}${g.reason}`;
  });
}

export function buildReportModel(run: Run, census: CensusView | null = null): ReportModel {
  const shapes = workloadShapes(run);
  const charts = chartsForRun(run);
  const workloads: WorkloadReport[] = shapes.map((shape) => ({
    name: shape.name,
    constants: describePoint(shape.constant, Object.keys(shape.constant)),
    sentences: workloadSentences(run, shape),
    charts: charts.filter((c) => c.workload === shape.name).map((c) => ({ id: c.id, file: `charts/${c.id}.png`, title: c.title, alt: c.alt })),
    tables: [gainsTable(run, shape), ...metricTables(shape)].filter((t): t is ReportTable => t !== null),
    notes: workloadNotes(shape),
  }));
  const failed = run.rows.filter((r) => r.status === 'failed');
  return {
    title: `guardbench: guard markers against PROT_NONE guards on Linux ${run.env.kernel.release}`,
    about: `${run.profile} profile · run ${run.id} · ${run.startedAt} to ${run.finishedAt ?? '(not finished)'} · `
      + `guardbench ${run.tool.version}${run.tool.commit ? ` (commit ${run.tool.commit.slice(0, 12)})` : ''} · ${run.rows.length} rows`,
    incomplete: run.complete ? null
      : `This run is incomplete (interrupted or still running): its ${run.rows.length} rows cover only the points measured before it stopped.`,
    envLine: envLine(run),
    env: envFacts(run),
    features: featureFacts(run),
    verify: run.verify,
    glance: glanceSentences(run, shapes),
    claims: checkClaims(run, census),
    callPrice: callPriceNotes(run),
    workloads,
    problems: failed.map((r) => `${r.workload} / ${r.strategy} / ${r.metric} at ${describePoint(r.params, Object.keys(r.params))}: ${r.reason ?? 'failed'}`),
    noiseRule: NOISE_RULE,
    census,
  };
}
