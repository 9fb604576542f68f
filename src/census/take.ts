/**
 * takeCensus: survey every process we may read (or the pids named) and build the census document.
 * It never throws for a process: one that exits mid-read or refuses us is counted with the reason.
 * A time budget keeps a whole-machine census cheap enough to run at the start of every bench run:
 * past it, the census reads maps instead of smaps and stops counting marker pages, and says so.
 */
import { release } from 'node:os';
import { performance } from 'node:perf_hooks';
import { probeFeatures } from '../probe/features.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { oneLine } from '../errors.js';
import { DEFAULT_MAX_GUARD_BYTES, LOADER_GAP_RULE, SAVINGS_RULES, classifyVmas, guardRule, type Classification } from './classify.js';
import { MarkerScanner, type MarkerCount, type RangeCount } from './markers.js';
import { listPids, readComm, readVmas, type UnreadableReason } from './procfs.js';
import { headlineOf } from './headline.js';
import { percentOf } from '../stats/describe.js';
import { CENSUS_SCHEMA_ID, type Census, type Markers, type ProcessCensus, type Reservations } from '../results/census-schema.js';

export interface CensusOptions {
  /** survey only these processes; undefined or empty: every process in /proc */
  pids?: readonly number[];
  /** largest PROT_NONE VMA still counted as a guard (default 64 KiB) */
  maxGuardBytes?: number;
  /** keep the classified guard, reservation and `gu` VMAs of each process (for tests and tools) */
  detail?: boolean;
  /** list at most this many processes (those with the most guards); totals always count all */
  maxProcesses?: number;
  /** after this many ms, read maps instead of smaps and count no more marker pages (default 1500) */
  budgetMs?: number;
  /** what the kernel supports, if already probed; probed here otherwise */
  features?: CensusFeatures;
}

export interface CensusFeatures {
  guardInstall: boolean;
  smapsGuardFlag: boolean;
  pagemapScanGuard: boolean;
  pagemapGuardBit: boolean;
}

const EXAMPLES = 10;

function probe(): { features: CensusFeatures; notes: string[] } {
  try {
    const p = probeFeatures();
    const notes = (['smapsGuardFlag', 'pagemapScanGuard', 'pagemapGuardBit'] as const)
      .filter((k) => !p.features[k] && p.reasons[k]).map((k) => `${k}: ${p.reasons[k]}`);
    return { features: p.features, notes };
  } catch (e) {
    const none = { guardInstall: false, smapsGuardFlag: false, pagemapScanGuard: false, pagemapGuardBit: false };
    return { features: none, notes: [`feature probe failed (${oneLine(e)}); markers not counted`] };
  }
}

function reservationsOf(c: Classification): Reservations {
  const r: Reservations = { count: c.reservations.length, bytes: 0, tooLarge: 0, fileBacked: 0, shared: 0, noWritableNeighbour: 0 };
  for (const v of c.reservations) {
    r.bytes += v.end - v.start;
    r[v.kind]++;
  }
  return r;
}

/** Marker figures of one process from what smaps showed and what pagemap could count. */
function markersOf(c: Classification, smaps: boolean, f: CensusFeatures, got: MarkerCount | null): Markers {
  if (!f.guardInstall && !f.smapsGuardFlag && c.markerVmas.length === 0) {
    return { vmas: 0, pages: 0, method: null, reason: 'this kernel refused MADV_GUARD_INSTALL: no markers can exist' };
  }
  if (!smaps) return { vmas: null, pages: null, method: null, reason: 'smaps not read' };
  if (!f.smapsGuardFlag && c.markerVmas.length === 0) {
    return { vmas: null, pages: null, method: null, reason: 'smaps VmFlags has no gu flag on this kernel (Linux 6.19+)' };
  }
  if (got === null) return { vmas: c.markerVmas.length, pages: null, method: null, reason: 'time budget spent before pagemap' };
  if (got.pages === null) return { vmas: c.markerVmas.length, pages: null, method: null, reason: got.reason };
  return { vmas: c.markerVmas.length, pages: got.pages, regions: got.regions, method: got.method };
}

function processEntry(pid: number, comm: string, c: Classification, smaps: boolean, markers: Markers,
  perRange: RangeCount[] | null, detail: boolean): ProcessCensus {
  const entry: ProcessCensus = {
    pid, comm, vmas: c.vmas, protNone: c.protNone, guardVmas: c.guards.length,
    guardSides: { above: c.guards.filter((g) => g.side === 'above').length, below: c.guards.filter((g) => g.side === 'below').length },
    loaderGaps: c.loaderGaps.length, reservations: reservationsOf(c), markers, savings: c.savings, smaps,
  };
  if (detail) {
    entry.detail = {
      guards: c.guards.map((g) => ({ start: g.start, end: g.end, side: g.side, otherSideMerges: g.otherSideMerges })),
      reservations: c.reservations.map((r) => ({ start: r.start, end: r.end, kind: r.kind })),
      loaderGaps: c.loaderGaps.map((g) => ({ start: g.start, end: g.end })),
      markerVmas: c.markerVmas.map((v, i) => ({ start: v.start, end: v.end, pages: perRange?.[i]?.pages ?? null, regions: perRange?.[i]?.regions ?? null })),
    };
  }
  return entry;
}

function sumTotals(processes: readonly ProcessCensus[], methods: Set<string>, markerReasons: Set<string>): Census['totals'] {
  const t = {
    processes: processes.length, vmas: 0, protNone: 0, guardVmas: 0, loaderGaps: 0, guardSides: { above: 0, below: 0 },
    reservations: { count: 0, bytes: 0, tooLarge: 0, fileBacked: 0, shared: 0, noWritableNeighbour: 0 } as Reservations,
    lower: 0, upper: 0,
  };
  let markerVmas: number | null = null;
  let markerPages: number | null = null;
  let markerRegions: number | null = null;
  let markerProcesses = 0;
  let uncounted = 0;
  for (const p of processes) {
    t.vmas += p.vmas; t.protNone += p.protNone; t.guardVmas += p.guardVmas; t.loaderGaps += p.loaderGaps ?? 0;
    t.guardSides.above += p.guardSides.above; t.guardSides.below += p.guardSides.below;
    for (const k of Object.keys(t.reservations) as (keyof Reservations)[]) t.reservations[k] += p.reservations[k];
    t.lower += p.savings.lower; t.upper += p.savings.upper;
    if (p.markers.vmas !== null) markerVmas = (markerVmas ?? 0) + p.markers.vmas;
    if (p.markers.pages !== null) markerPages = (markerPages ?? 0) + p.markers.pages;
    else uncounted++;
    if (typeof p.markers.regions === 'number') markerRegions = (markerRegions ?? 0) + p.markers.regions;
    if ((p.markers.vmas ?? 0) > 0) markerProcesses++;
  }
  const method = methods.size === 1 ? [...methods][0] as Markers['method'] : null;
  const markers: Census['totals']['markers'] = { vmas: markerVmas, pages: markerPages, regions: markerRegions, processes: markerProcesses, uncounted, method };
  if (markerReasons.size > 0) markers.reason = [...markerReasons].join('; ');
  return {
    processes: t.processes, vmas: t.vmas, protNone: t.protNone, guardVmas: t.guardVmas, guardSides: t.guardSides,
    loaderGaps: t.loaderGaps, reservations: t.reservations, markers,
    savings: {
      lower: { vmas: t.lower, percent: percentOf(t.lower, t.vmas), rule: SAVINGS_RULES.lower },
      upper: { vmas: t.upper, percent: percentOf(t.upper, t.vmas), rule: SAVINGS_RULES.upper },
    },
  };
}

/** Survey the machine (or the named pids) and return a `guardbench.census/v1` document. */
export function takeCensus(options: CensusOptions = {}): Census {
  const t0 = performance.now();
  const takenAt = new Date().toISOString();
  const maxGuardBytes = options.maxGuardBytes ?? DEFAULT_MAX_GUARD_BYTES;
  const budgetMs = options.budgetMs ?? 1500;
  const named = options.pids !== undefined && options.pids.length > 0;
  const probed = options.features ? { features: options.features, notes: [] } : probe();
  const f = probed.features;
  const notes = [...probed.notes];
  const scanner = new MarkerScanner({ scan: f.pagemapScanGuard, bit58: f.pagemapGuardBit });
  const processes: ProcessCensus[] = [];
  const unreadable = { total: 0, permission: 0, vanished: 0, other: 0, examples: [] as Census['unreadable']['examples'] };
  const methods = new Set<string>();
  const markerReasons = new Set<string>();
  let noAddressSpace = 0;
  let overBudget = 0;
  const pids = named ? [...new Set(options.pids)] : listPids();
  try {
    for (const pid of pids) {
      const late = performance.now() - t0 > budgetMs;
      if (late) overBudget++;
      const read = readVmas(pid, !late);
      if (!read.ok) {
        const reason: UnreadableReason = read.reason;
        unreadable.total++;
        unreadable[reason]++;
        if (unreadable.examples.length < EXAMPLES) unreadable.examples.push({ pid, comm: readComm(pid), reason: `${reason} (${read.detail})` });
        continue;
      }
      if (read.value.vmas.length === 0) {
        noAddressSpace++;
        continue;
      }
      const c = classifyVmas(read.value.vmas, maxGuardBytes);
      // Only `gu` VMAs are scanned, so a machine without markers costs no pagemap reads at all.
      const counted = late || !read.value.flags ? null : scanner.count(pid, c.markerVmas);
      const markers = markersOf(c, read.value.flags, f, counted);
      if (markers.method) methods.add(markers.method);
      if (markers.pages === null && markers.reason) markerReasons.add(markers.reason);
      const perRange = counted && counted.pages !== null ? counted.perRange : null;
      processes.push(processEntry(pid, readComm(pid), c, read.value.flags, markers, perRange, options.detail ?? false));
    }
  } finally {
    scanner.dispose();
  }
  if (overBudget > 0) notes.push(`time budget of ${budgetMs} ms spent: ${overBudget} processes read from maps only, without VmFlags or marker pages`);
  if (scanner.scanUnavailable && f.pagemapScanGuard) notes.push(`pagemap: ${scanner.scanUnavailable}; fell back to pagemap bit 58`);
  const totals = sumTotals(processes, methods, markerReasons);
  processes.sort((a, b) => b.guardVmas - a.guardVmas || (b.markers.vmas ?? 0) - (a.markers.vmas ?? 0) || a.pid - b.pid);
  const limit = options.maxProcesses ?? Infinity;
  const listed = processes.slice(0, limit);
  return {
    schema: CENSUS_SCHEMA_ID,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    takenAt,
    durationMs: performance.now() - t0,
    kernel: release(),
    scope: named ? 'pids' : 'system',
    options: { maxGuardBytes, pids: named ? pids : null },
    features: {
      guardMarkers: f.guardInstall, smapsGuardFlag: f.smapsGuardFlag,
      pagemapScanGuard: f.pagemapScanGuard, pagemapGuardBit: f.pagemapGuardBit,
    },
    guardRule: guardRule(maxGuardBytes),
    loaderGapRule: LOADER_GAP_RULE,
    headline: headlineOf(totals),
    totals,
    processes: listed,
    processesOmitted: processes.length - listed.length,
    unreadable,
    noAddressSpace,
    notes,
  };
}

