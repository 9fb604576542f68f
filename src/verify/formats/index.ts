/** The output formats of `guardbench verify`, by name: adding one is one file and one line here. */
import { jsonFormat } from './json.js';
import { ktapFormat } from './ktap.js';
import { textFormat } from './text.js';
import type { VerifyFormat } from './types.js';

export const VERIFY_FORMATS: readonly VerifyFormat[] = [textFormat, jsonFormat, ktapFormat];

export function verifyFormat(name: string): VerifyFormat | undefined {
  return VERIFY_FORMATS.find((f) => f.name === name);
}

export { tally } from './types.js';
export type { VerifySelection } from './types.js';
