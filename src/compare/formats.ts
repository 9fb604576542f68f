/**
 * The compare formats, loaded by name: each is one file implementing CompareFormat. The text
 * format is what a terminal and a mailing list read, Markdown what a file and a pull request read.
 */
import { UsageError } from '../errors.js';
import type { CompareFormat } from './format.js';

const LOADERS = {
  text: async () => (await import('./text.js')).textFormat,
  md: async () => (await import('./markdown.js')).markdownFormat,
  html: async () => (await import('./html.js')).htmlFormat,
  json: async () => (await import('./json.js')).jsonFormat,
} satisfies Record<string, () => Promise<CompareFormat>>;

export type CompareFormatName = keyof typeof LOADERS;
export const COMPARE_FORMATS = Object.keys(LOADERS) as CompareFormatName[];

/** The format called `name`, or one clear line naming those there are. */
export async function loadCompareFormat(name: string): Promise<CompareFormat> {
  if (!(name in LOADERS)) throw new UsageError(`--format: '${name}' is not a compare format (${COMPARE_FORMATS.join(', ')})`);
  return LOADERS[name as CompareFormatName]();
}
