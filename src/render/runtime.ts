/**
 * Loads assets/chart-runtime.js, the chart.js plugins shared by the PNG and HTML reporters: as text
 * for report.html, and evaluated for Node. It is kept as plain JavaScript rather than TypeScript
 * because tsx rewrites compiled functions (adding helpers such as __name), so a function's source
 * text from a .ts module would not run on its own in a browser.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';
import type { Plugin } from 'chart.js';
import type { ChartConfig } from './charts.js';

const RUNTIME_PATH = join(dirname(fileURLToPath(import.meta.url)), 'assets', 'chart-runtime.js');

export interface ChartRuntime {
  plugins: Plugin[];
  /** turn charts.ts's JSON markers into chart.js callbacks (mutates and returns the config) */
  hydrate(config: ChartConfig): ChartConfig;
  fmt(value: number): string;
}

/** The runtime's source: one function expression returning a ChartRuntime. */
export function runtimeSource(): string {
  return readFileSync(RUNTIME_PATH, 'utf8');
}

let loaded: ChartRuntime | undefined;

export function loadRuntime(): ChartRuntime {
  loaded ??= (runInThisContext(runtimeSource(), { filename: RUNTIME_PATH }) as () => ChartRuntime)();
  return loaded;
}

/** chart.js's UMD build (the file report.html inlines); the package's exports map hides its path. */
export function chartJsUmdSource(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
}
