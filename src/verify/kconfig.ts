/**
 * The running kernel's build configuration, where the machine exposes it (/proc/config.gz with
 * CONFIG_IKCONFIG_PROC, or /boot/config-<release> from the distribution), so that a skip can name
 * the option that decides it instead of guessing from a version or a filesystem.
 */
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { gunzipSync } from 'node:zlib';

export interface KernelConfig {
  /** where it was read */
  source: string;
  text: string;
}

let cached: KernelConfig | null | undefined;

export function kernelConfig(): KernelConfig | null {
  if (cached !== undefined) return cached;
  const sources: [string, () => string][] = [
    ['/proc/config.gz', () => gunzipSync(readFileSync('/proc/config.gz')).toString('utf8')],
    [`/boot/config-${release()}`, () => readFileSync(`/boot/config-${release()}`, 'utf8')],
  ];
  cached = null;
  for (const [source, read] of sources) {
    try {
      cached = { source, text: read() };
      break;
    } catch {
      // not exposed here: try the next place
    }
  }
  return cached;
}

/**
 * One option as a sentence for a skip reason: "this kernel is built without CONFIG_X (/proc/config.gz)",
 * "... with CONFIG_X=y ...", or that the configuration cannot be read here.
 */
export function describeOption(name: string): string {
  const config = kernelConfig();
  if (!config) return `${name} unknown (no /proc/config.gz or /boot/config-${release()} to read)`;
  const value = new RegExp(`^${name}=(.*)$`, 'm').exec(config.text)?.[1];
  return value === undefined ? `this kernel is built without ${name} (${config.source})` : `this kernel is built with ${name}=${value} (${config.source})`;
}

