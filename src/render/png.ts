/**
 * Charts as PNG files, drawn by chart.js on @napi-rs/canvas at twice the layout width so they stay
 * sharp when GitHub scales them to a PR column. The canvas module is loaded on first use only:
 * a machine without its prebuilt binary can still measure and write every other format.
 */
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
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
  const { createCanvas } = await import('@napi-rs/canvas');
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
