/**
 * Charts as PNG files, drawn by chart.js on @napi-rs/canvas at twice the layout width so they stay
 * sharp when GitHub scales them to a PR column. The canvas is a native module with prebuilt
 * binaries for some platforms only, so it is loaded on first use: a machine without one can still
 * measure and write every other format, and says why it has no PNGs.
 */
import { createRequire } from 'node:module';
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import { oneLine } from '../errors.js';
import { CHART_ASPECT, CHART_WIDTH, type ChartSpec } from './charts.js';
import { loadRuntime } from './runtime.js';

/** Device pixels per layout pixel in the PNGs. */
const PNG_SCALE = 2;
/** Fonts every Debian/Ubuntu box has (fonts-dejavu-core); chart.js's default Helvetica often is not there. */
const PNG_FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";

let registered = false;

function registerOnce(): void {
  if (registered) return;
  Chart.register(...registerables, ...loadRuntime().plugins);
  Chart.defaults.font.family = PNG_FONT;
  Chart.defaults.color = '#222';
  registered = true;
}

/** Draw one chart; resolves to the PNG bytes. */
export async function renderChartPng(spec: ChartSpec): Promise<Buffer> {
  const { createCanvas } = loadCanvas();
  registerOnce();
  const config = loadRuntime().hydrate(structuredClone(spec.config));
  const aspect = typeof config.options.aspectRatio === 'number' ? config.options.aspectRatio : CHART_ASPECT;
  const canvas = createCanvas(CHART_WIDTH, Math.round(CHART_WIDTH / aspect));
  // A fixed-size, still image: no resize observer, no animation frames to wait for.
  config.options = { ...config.options, responsive: false, animation: false, devicePixelRatio: PNG_SCALE };
  const chart = new Chart(canvas as unknown as HTMLCanvasElement, config as unknown as ChartConfiguration);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}

type Canvas = typeof import('@napi-rs/canvas');

/**
 * The canvas module, by require: a require that fails throws once, where a CommonJS module that
 * throws while imported through tsx's ESM loader also leaves an unhandled rejection behind, which
 * ends the process after the failure was handled.
 */
function loadCanvas(): Canvas {
  return createRequire(import.meta.url)('@napi-rs/canvas') as Canvas;
}

/** Why PNG charts cannot be drawn on this machine (the canvas does not load), or null when they can. */
export function chartRendererUnavailable(): string | null {
  try {
    loadCanvas();
    return null;
  } catch (e) {
    // The loader's own message is advice about an npm bug; the modules it could not find are in its causes.
    const parts: string[] = [];
    for (let c: unknown = e; c !== undefined && parts.length < 4; c = c instanceof Error ? c.cause : undefined) parts.push(oneLine(c).replace(/\. .*$/, ''));
    return `no PNG charts: the chart renderer @napi-rs/canvas cannot be loaded here (${parts.join('; ')})`;
  }
}
