/** What every trail format says the same way: section titles, the headline, figure groups. */
import type { Trail, TrailFigure } from '../analysis/trail.js';
import { figureText, type TrailSection } from '../analysis/trail-figures.js';

export const SECTION_TITLES: Record<TrailSection, string> = {
  features: 'Features (probed by trying them)',
  verify: 'Verify: guard semantics per check and memory kind',
  vmas: 'VMAs',
  memory: 'Kernel memory: slab and page-table bytes',
  counts: 'Other counts',
};

const ORDER: readonly TrailSection[] = ['features', 'verify', 'vmas', 'memory', 'counts'];

/** Figures by section, then by group (a workload's metric, a verify memory kind), in table order. */
export function figureGroups(trail: Trail): { section: TrailSection; groups: [string, TrailFigure[]][] }[] {
  return ORDER.map((section) => {
    const groups = new Map<string, TrailFigure[]>();
    for (const f of trail.figures.filter((x) => x.section === section)) groups.set(f.group, [...(groups.get(f.group) ?? []), f]);
    return { section, groups: [...groups] };
  }).filter((s) => s.groups.length > 0);
}

/** "9 kernels from 6.12.117 to 7.3.4 (8 under TCG, 1 native), 14 changes" */
export function trailHeadline(trail: Trail): string {
  const n = trail.columns.length;
  if (n === 0) return 'No complete run in the trail.';
  const byAccel = new Map<string, number>();
  for (const c of trail.columns) byAccel.set(c.accel, (byAccel.get(c.accel) ?? 0) + 1);
  const how = [...byAccel].map(([a, k]) => `${k} ${a === 'native' ? 'native' : `under ${a.toUpperCase()}`}`).join(', ');
  const first = trail.columns[0]!.label;
  const last = trail.columns[n - 1]!.label;
  return `${n} kernel${n === 1 ? '' : 's'}${n > 1 ? ` from ${first} to ${last}` : `: ${first}`} (${how}); `
    + `${trail.changes.length} change${trail.changes.length === 1 ? '' : 's'} along the trail, `
    + `${trail.featureMismatches.length} feature answer${trail.featureMismatches.length === 1 ? '' : 's'} against the kernel's history to explain.`;
}

/** How the trail was made: each kernel's session, as the trail command recorded it. */
export interface TrailProvenance {
  sessions: readonly { release: string; accel: string; seconds: number; at: string }[];
}

/** "6.16.12+deb13-amd64 under TCG: 212 s" lines and the sum. */
export function provenanceLines(p: TrailProvenance | undefined): string[] {
  if (!p || p.sessions.length === 0) return [];
  const total = p.sessions.reduce((a, s) => a + s.seconds, 0);
  return [
    ...p.sessions.map((s) => `${s.release} (${s.accel === 'native' ? 'native' : s.accel.toUpperCase()}): ${s.seconds} s, ${s.at}`),
    `${p.sessions.length} sessions, ${Math.round(total / 60)} min in all (fetching not counted)`,
  ];
}

/**
 * The slab explanation as table rows (label first, one cell per kernel): the VMA slab figure, each
 * cache's objects per guard times its object size, and every VMA cache together (with vma_lock,
 * which the figure leaves out).
 */
export function slabRows(trail: Trail): string[][] {
  const slab = trail.slab;
  if (!slab) return [];
  const caches = [...new Set(slab.perColumn.flatMap((p) => p.shares?.map((s) => s.cache) ?? []))];
  return [
    ['VMA slab (vm_area_struct + maple_node)', ...slab.perColumn.map((p) => (p.total === null ? '-' : figureText(p.total)))],
    ...caches.map((cache) => [cache, ...slab.perColumn.map((p) => {
      const s = p.shares?.find((x) => x.cache === cache);
      return s ? `${s.objects.toFixed(2)} × ${s.objSize} B` : p.shares ? 'not listed' : 'not recorded';
    })]),
    ['every VMA cache (with vma_lock)', ...slab.perColumn.map((p) => (p.shares ? figureText(p.shares.reduce((a, s) => a + s.bytes, 0)) : '-'))],
  ];
}

/** Verify outcomes counted per memory kind and kernel: "37 pass, 4 skip" (FAIL first when there is one). */
export function verifySummaryRows(trail: Trail): string[][] {
  const groups = figureGroups(trail).find((g) => g.section === 'verify')?.groups ?? [];
  return groups.map(([group, figures]) => [group, ...trail.columns.map((_, i) => {
    const counts = new Map<string, number>();
    for (const f of figures) if (f.cells[i]!.state !== 'absent') counts.set(f.cells[i]!.text, (counts.get(f.cells[i]!.text) ?? 0) + 1);
    if (counts.size === 0) return 'not run';
    return ['FAIL', 'pass', 'skip'].filter((t) => counts.has(t)).map((t) => `${counts.get(t)} ${t}`).join(', ');
  })]);
}
