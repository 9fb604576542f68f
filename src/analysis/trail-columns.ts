/**
 * The kernels of a trail: one column per kernel release and testbed, in release order. Where a
 * trail directory holds several complete runs of one kernel on one testbed (a rerun), the newest
 * stands for it and the others are named, so a reader knows a column was chosen.
 */
import type { Run } from '../results/schema.js';
import { compareKernelReleases, parseKernelRelease } from './kernel-version.js';

/** How the kernel ran: natively, or in QEMU with KVM or with TCG (an emulated CPU). */
export type TrailAccel = 'native' | 'kvm' | 'tcg';

export interface TrailColumn {
  /** the kernel release as the run recorded it (uname -r) */
  release: string;
  /** "6.16" */
  series: string;
  /** a short heading: "6.16.12 (KVM)" */
  label: string;
  accel: TrailAccel;
  testbed: string;
  runId: string;
  /** where the run was read from */
  path: string;
  run: Run;
}

export interface TrailRunInput {
  path: string;
  run: Run;
}

/** How a run's kernel ran, from its testbed: an emulated CPU is TCG; a guest's command line names its accelerator. */
export function accelOf(run: Run): TrailAccel {
  const testbed = run.env.testbed;
  if (testbed?.identity.emulated) return 'tcg';
  if (/\bguardbench\.accel=kvm\b/.test(testbed?.confounders.cmdline ?? '')) return 'kvm';
  return 'native';
}

function seriesOf(release: string): string {
  const v = parseKernelRelease(release);
  return v ? `${v.major}.${v.minor}` : release;
}

/** "6.16.12+deb13-amd64" -> "6.16.12": the version, without the distribution's build tag. */
function shortRelease(release: string): string {
  const v = parseKernelRelease(release);
  return v ? `${v.major}.${v.minor}.${v.patch}` : release;
}

const ACCEL_LABEL: Record<TrailAccel, string> = { native: 'native', kvm: 'KVM', tcg: 'TCG' };

export interface TrailColumns {
  columns: TrailColumn[];
  /** runs left out: incomplete, or an older run of a kernel that has a newer one */
  leftOut: { path: string; why: string }[];
}

/** One column per kernel and testbed, newest complete run each, in kernel release order. */
export function trailColumns(inputs: readonly TrailRunInput[]): TrailColumns {
  const leftOut: TrailColumns['leftOut'] = [];
  const chosen = new Map<string, TrailRunInput>();
  for (const input of inputs) {
    if (!input.run.complete) {
      leftOut.push({ path: input.path, why: 'incomplete run (interrupted)' });
      continue;
    }
    const key = `${input.run.env.kernel.release}|${input.run.env.testbed?.name ?? ''}|${accelOf(input.run)}`;
    const held = chosen.get(key);
    if (!held || held.run.startedAt < input.run.startedAt) {
      if (held) leftOut.push({ path: held.path, why: `a newer run of ${input.run.env.kernel.release} is in the trail` });
      chosen.set(key, input);
    } else {
      leftOut.push({ path: input.path, why: `a newer run of ${input.run.env.kernel.release} is in the trail` });
    }
  }
  const columns = [...chosen.values()].map(({ path, run }): TrailColumn => {
    const accel = accelOf(run);
    const release = run.env.kernel.release;
    return {
      release, series: seriesOf(release), label: `${shortRelease(release)} (${ACCEL_LABEL[accel]})`,
      accel, testbed: run.env.testbed?.name ?? 'unrecorded', runId: run.id, path, run,
    };
  });
  columns.sort((a, b) => compareKernelReleases(a.release, b.release) || a.run.startedAt.localeCompare(b.run.startedAt));
  return { columns, leftOut };
}
