/**
 * A run may carry a system-wide census (`census`, schema guardbench.census/v1). Its renderer lives
 * with the census code in src/census/ and may not exist in every checkout, so it is looked up at
 * run time: reports include the census when both the section and its renderer are there, and the
 * raw section otherwise.
 */
import type { Run } from '../results/schema.js';
import { oneLine } from '../errors.js';

export interface CensusView {
  schema: string;
  /** renderCensusMarkdown(census), or null when no renderer is available */
  markdown: string | null;
  /** why there is no markdown, when there is none */
  note: string | null;
  /** the section as pretty JSON, for when it cannot be rendered */
  json: string;
  /** the census's one-line finding (its `headline` field), when it has one */
  headline: string | null;
  /** percent fewer VMAs if every guard became a marker (totals.savings lower/upper), when present */
  share: { lower: number; upper: number } | null;
}

function numberAt(value: unknown, path: string[]): number | null {
  let v = value;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The fields a report quotes, read defensively: the section is only checked by its own renderer. */
function findings(census: unknown): Pick<CensusView, 'headline' | 'share'> {
  const headline = (census as { headline?: unknown }).headline;
  const lower = numberAt(census, ['totals', 'savings', 'lower', 'percent']);
  const upper = numberAt(census, ['totals', 'savings', 'upper', 'percent']);
  return {
    headline: typeof headline === 'string' && headline ? headline : null,
    share: lower !== null && upper !== null ? { lower, upper } : null,
  };
}

type CensusRenderer = (census: unknown) => string;

/** Modules of src/census/ that may export renderCensusMarkdown, most likely first. */
const RENDERER_MODULES = ['../census/index.js', '../census/markdown.js', '../census/report.js', '../census/render.js'];

function isMissingModule(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

async function findRenderer(): Promise<CensusRenderer | null> {
  for (const specifier of RENDERER_MODULES) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(specifier)) as Record<string, unknown>;
    } catch (e) {
      if (isMissingModule(e)) continue;
      throw e;
    }
    if (typeof mod.renderCensusMarkdown === 'function') return mod.renderCensusMarkdown as CensusRenderer;
  }
  return null;
}

export async function loadCensus(run: Run): Promise<CensusView | null> {
  const census = (run as Record<string, unknown>).census;
  if (census === undefined || census === null) return null;
  const schema = typeof census === 'object' && typeof (census as { schema?: unknown }).schema === 'string'
    ? (census as { schema: string }).schema : 'unknown schema';
  const base = { schema, json: JSON.stringify(census, null, 2), ...findings(census) };
  try {
    const render = await findRenderer();
    if (!render) return { ...base, markdown: null, note: 'this guardbench has no census renderer; the raw section follows' };
    return { ...base, markdown: render(census), note: null };
  } catch (e) {
    return { ...base, markdown: null, note: `the census renderer failed (${oneLine(e)}); the raw section follows` };
  }
}
