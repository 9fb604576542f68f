/**
 * From command-line options to a RunPlan: which workloads, strategies and parameter points, under
 * which profile. Every bad value is a UsageError with one line that names the flag.
 */
import { STRATEGY_NAMES, type ParamValue, type Params, type Profile, type StrategyName } from '../results/schema.js';
import { UsageError } from '../errors.js';
import { WORKLOADS } from '../workloads/index.js';
import type { Axes, AxesSpec, Workload } from '../workloads/types.js';
import { crossProduct } from './axes.js';
import type { TimingBudget } from './timing.js';

/** A profile (bench/profiles.ts holds them as plain data): the timing budget and each workload's axes. */
export interface BenchProfile {
  name: Profile;
  description: string;
  /** timing budget of each point, shared out over the passes */
  budget: TimingBudget;
  /** passes over all points; latency samples are pooled across them */
  passes: number;
  /** each workload's axes: one set, or several whose cross products are joined */
  workloads: Record<string, AxesSpec>;
}

export type Profiles = Record<Profile, BenchProfile>;

export interface WorkloadPlan {
  workload: Workload;
  /** one or more axis sets; the points are the union of their cross products */
  axes: Axes[];
  points: Params[];
}

export function axisSets(spec: AxesSpec | undefined): Axes[] {
  if (!spec) return [{}];
  return Array.isArray(spec) ? [...spec] : [spec as Axes];
}

export interface RunPlan {
  profile: BenchProfile;
  workloads: WorkloadPlan[];
  strategies: StrategyName[];
}

/** Every axis name any workload of any profile has: these are the `--NAME v1,v2` override flags. */
export function axisNames(profiles: Profiles): string[] {
  const names = new Set<string>();
  for (const p of Object.values(profiles)) {
    for (const spec of Object.values(p.workloads)) for (const axes of axisSets(spec)) for (const n of Object.keys(axes)) names.add(n);
  }
  return [...names].sort();
}

/** No axis of any workload means anything beyond this (2^31 regions of 4 KiB is 8 TiB). */
const MAX_AXIS_VALUE = 2 ** 31;

/** Parse `--NAME` override text against the type of the axis's first value (as Node's benchmarks do). */
export function parseAxisValues(name: string, text: string, like: ParamValue, positive: boolean): ParamValue[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new UsageError(`--${name}: empty value in '${text}'`);
  return parts.map((part) => {
    if (typeof like === 'number') {
      if (!/^-?\d+$/.test(part)) throw new UsageError(`--${name}: '${part}' is not an integer`);
      const v = Number(part);
      if (positive ? v < 1 : v < 0) throw new UsageError(`--${name}: ${part} must be ${positive ? 'at least 1' : 'zero or more'}`);
      if (v > MAX_AXIS_VALUE) throw new UsageError(`--${name}: ${part} is larger than guardbench allows (${MAX_AXIS_VALUE})`);
      return v;
    }
    if (typeof like === 'boolean') {
      if (part !== 'true' && part !== 'false') throw new UsageError(`--${name}: '${part}' is not true or false`);
      return part === 'true';
    }
    return part;
  });
}

export interface PlanOptions {
  profile: Profile;
  workloads: string[];
  strategies: string[];
  overrides: Record<string, string>;
}

/**
 * The plan of a run over the workloads of `registry` (guardbench's own unless a caller brings
 * more); a workload the chosen profile lacks gets the quick profile's axes.
 */
export function buildPlan(o: PlanOptions, profiles: Profiles, registry: readonly Workload[] = WORKLOADS): RunPlan {
  const profile = profiles[o.profile];
  for (const name of o.workloads) {
    if (!registry.some((w) => w.name === name)) throw new UsageError(`unknown workload '${name}' (workloads: ${registry.map((w) => w.name).join(', ')})`);
  }
  for (const name of o.strategies) {
    if (!(STRATEGY_NAMES as readonly string[]).includes(name)) throw new UsageError(`unknown strategy '${name}' (strategies: ${STRATEGY_NAMES.join(', ')})`);
  }
  const chosen = registry.filter((w) => (o.workloads.length === 0 ? w.name in profile.workloads : o.workloads.includes(w.name)));
  const used = new Set<string>();
  const workloads = chosen.map((workload) => {
    const sets = axisSets(profile.workloads[workload.name] ?? profiles.quick.workloads[workload.name]).map((axes) => {
      const copy: Axes = { ...axes };
      for (const [name, text] of Object.entries(o.overrides)) {
        const current = copy[name];
        if (!current) continue;
        used.add(name);
        copy[name] = parseAxisValues(name, text, current[0]!, workload.positiveAxes?.includes(name) ?? false);
      }
      return copy;
    });
    const seen = new Set<string>();
    const points = sets.flatMap((axes) => crossProduct(axes)).filter((p) => {
      const key = JSON.stringify(p);
      return !seen.has(key) && seen.add(key) !== undefined;
    });
    for (const p of points) {
      const problem = workload.validate?.(p);
      if (problem) throw new UsageError(`${workload.name}: ${problem}`);
    }
    return { workload, axes: sets, points };
  });
  for (const name of Object.keys(o.overrides)) {
    if (!used.has(name)) throw new UsageError(`--${name} is not a parameter of the selected workloads`);
  }
  const strategies = o.strategies.length > 0 ? STRATEGY_NAMES.filter((s) => o.strategies.includes(s)) : [...STRATEGY_NAMES];
  return { profile, workloads, strategies };
}

/** The points a plan runs, in order, with the strategies each applies to. */
export function planPoints(plan: RunPlan): { workload: Workload; strategy: StrategyName; params: Params }[] {
  const out: { workload: Workload; strategy: StrategyName; params: Params }[] = [];
  for (const { workload, points } of plan.workloads) {
    const strategies = plan.strategies.filter((s) => !workload.strategies || workload.strategies.includes(s));
    for (const strategy of strategies) {
      for (const params of points) {
        if (workload.applies && !workload.applies(strategy, params)) continue;
        out.push({ workload, strategy, params });
      }
    }
  }
  return out;
}
