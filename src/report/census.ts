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
  const json = JSON.stringify(census, null, 2);
  try {
    const render = await findRenderer();
    if (!render) return { schema, markdown: null, note: 'this guardbench has no census renderer; the raw section follows', json };
    return { schema, markdown: render(census), note: null, json };
  } catch (e) {
    return { schema, markdown: null, note: `the census renderer failed (${oneLine(e)}); the raw section follows`, json };
  }
}
