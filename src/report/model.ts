/**
 * What a report says, independent of its format: plain text in a small tree (sections, sentences,
 * tables of cells) that markdown.ts writes as GitHub Markdown and html.ts embeds as JSON for the page
 * to build with textContent. Strings here may hold anything a run holds; escaping is each format's job.
 */
import { BASELINE_STRATEGY, type Run, type VerifyResult } from '../results/schema.js';
import { gainsOverProtNone } from '../analysis/gains.js';
import { paramsKey } from '../analysis/keys.js';
import { differentOutcomes } from '../analysis/like-for-like.js';
import { NOISE_RULE } from '../analysis/noise.js';
import { cell, pointOf, workloadShapes, type WorkloadShape } from '../analysis/shapes.js';
import { isMarkerStrategy, specOf, workloadSpecs } from '../analysis/specs.js';
import { describePoint, formatBytes, formatValue, pointLabel } from '../render/format.js';
import { gainWarn, rowCell, type Cell, type ReportTable } from './cells.js';
import { chartsForRun } from './charts.js';
import { checkClaims, callPriceNotes, type ClaimCheck } from './claims.js';
import type { CensusView } from './census.js';
import { headlineTable } from './headline-table.js';
import { slabNotes } from '../analysis/slab-explained.js';
import { envFacts, type Fact } from './environment.js';
import { gainCell } from './words.js';

export interface ChartRef {
  id: string;
  /** relative to the report: charts/<id>.png */
  file: string;
  title: string;
  alt: string;
}

export interface WorkloadReport {
  name: string;
  /** what the workload models, from its spec ('' for a run that stored none) */
  description: string;
  /** the parameters that hold one value throughout the workload */
  constants: string;
  /** what a reader must know before reading the tables, in sentences (numbers are compared in tables) */
  sentences: Cell[];
  charts: ChartRef[];
  tables: ReportTable[];
  /** reasons the run recorded for skipped rows and ok rows with remarks */
  notes: string[];
}

export interface ReportModel {
  title: string;
  about: string;
  incomplete: string | null;
  envLine: string;
  env: Fact[];
  features: Fact[];
  verify: VerifyResult[];
  /** which memory kinds the checks covered, and why not all: a run checks only the kinds its points use */
  verifyScope: string | null;
  /** the headline figures of every workload, the first thing a reader sees */
  headline: ReportTable | null;
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
  guardShmem: 'markers on shmem',
  guardFile: 'markers on files',
};

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

function featureFacts(run: Run): Fact[] {
  const reasons = run.env.featureReasons ?? {};
  return Object.entries(run.env.features).map(([k, v]) => {
    const why = reasons[k] ? ` (${reasons[k]})` : '';
    return { label: FEATURE_LABELS[k] ?? k, value: v === true ? 'yes' : v === false ? `no${why}` : String(v) };
  });
}

/**
 * Why a workload's latencies are not set against prot-none's at some point: the strategies did not
 * do the same work there (the run's expected outcomes differ), in one sentence; null when they did.
 */
function unlikeWorkRemark(run: Run, shape: WorkloadShape): Cell | null {
  const base = shape.rows.filter((r) => r.strategy === BASELINE_STRATEGY && r.status === 'ok' && specOf(run, r).kind === 'latency');
  for (const row of shape.rows.filter((r) => isMarkerStrategy(r.strategy) && r.status === 'ok' && specOf(run, r).kind === 'latency')) {
    const b = base.find((x) => x.metric === row.metric && paramsKey(x.params, shape.variantAxes) === paramsKey(row.params, shape.variantAxes));
    const differ = b ? differentOutcomes(run, row, b) : [];
    if (differ.length === 0) continue;
    const d = differ[0]!;
    const at = shape.points.length > 1 ? `At ${pointLabel(row.params, shape.varying)}, ` : '';
    return {
      text: 'Timings here are not compared with prot-none\'s: the strategies do not do the same work. '
        + `${at ? `${at}the run` : 'The run'} expects ${d.metric} to be ${formatValue(d.otherExpected)} for prot-none and ${formatValue(d.expected)} for ${row.strategy}, `
        + 'and a method that cannot see a strategy\'s guards is neither faster nor slower at finding them.',
    };
  }
  return null;
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
    const rows = shape.metrics.map((m) => [{ text: `${m.metric} (${m.unit})` }, ...shape.strategies.map((s) => rowCell(cell(shape, p, s, m.metric), m))]);
    return [{ caption: 'All figures (latency: median ±rme · p99)', header: ['metric', ...shape.strategies], rows, labelColumns: 1, bulky: rows.length > 8 }];
  }
  return shape.metrics.map((m) => {
    const points = shape.points.filter((p) => shape.strategies.some((s) => cell(shape, p, s, m.metric)));
    const rows = points.map((p) => [{ text: pointLabel(p.params, shape.varying) }, ...shape.strategies.map((s) => rowCell(cell(shape, p, s, m.metric), m))]);
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

/**
 * "on anon and file memory, the kinds this run's points use (guardbench verify checks every kind)":
 * why a run lists fewer checks than guardbench verify does.
 */
function verifyScope(run: Run): string | null {
  if (run.verify.length === 0) return null;
  const kinds = [...new Set(run.verify.map((v) => v.memory ?? 'anon'))];
  return `on ${kinds.join(' and ')} memory, the kinds this run's points use (guardbench verify checks every kind)`;
}

export function buildReportModel(run: Run, census: CensusView | null = null): ReportModel {
  const shapes = workloadShapes(run);
  const charts = chartsForRun(run);
  const workloads: WorkloadReport[] = shapes.map((shape) => ({
    name: shape.name,
    description: workloadSpecs(run).get(shape.name)?.description ?? '',
    constants: describePoint(shape.constant, Object.keys(shape.constant)),
    sentences: [unlikeWorkRemark(run, shape)].filter((c): c is Cell => c !== null),
    charts: charts.filter((c) => c.workload === shape.name).map((c) => ({ id: c.id, file: `charts/${c.id}.png`, title: c.title, alt: c.alt })),
    tables: [gainsTable(run, shape), ...metricTables(shape)].filter((t): t is ReportTable => t !== null),
    notes: [...workloadNotes(shape), ...slabNotes(run, shape.rows)],
  }));
  const failed = run.rows.filter((r) => r.status === 'failed');
  return {
    title: `guardbench: guard markers against PROT_NONE guards on Linux ${run.env.kernel.release}`,
    // The testbed leads: it decides which runs this one can be compared with.
    about: `${run.env.testbed ? `testbed ${run.env.testbed.name} · ` : ''}${run.profile} profile · run ${run.id}${run.finishedAt ? '' : ' (not finished)'} · `
      + `guardbench ${run.tool.version}${run.tool.commit ? ` (commit ${run.tool.commit.slice(0, 12)})` : ''} · ${run.rows.length} rows`,
    incomplete: run.complete ? null
      : `This run is incomplete (interrupted or still running): its ${run.rows.length} rows cover only the points measured before it stopped.`,
    envLine: envLine(run),
    env: envFacts(run),
    features: featureFacts(run),
    verify: run.verify,
    verifyScope: verifyScope(run),
    headline: headlineTable(run),
    claims: checkClaims(run, census),
    callPrice: callPriceNotes(run),
    workloads,
    problems: failed.map((r) => `${r.workload} / ${r.strategy} / ${r.metric} at ${describePoint(r.params, Object.keys(r.params))}: ${r.reason ?? 'failed'}`),
    noiseRule: NOISE_RULE,
    census,
  };
}
