/**
 * guardbench's name and version, read once from package.json: the one place the version is written,
 * so `--version`, the run document's `tool` and the census agree with what npm installs.
 */
import { readFileSync } from 'node:fs';

export const TOOL_NAME = 'guardbench';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version');
  return manifest.version;
}

export const TOOL_VERSION: string = packageVersion();
