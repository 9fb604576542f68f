/**
 * One compare format behind one interface (as reporters are for a run): it reads the format-neutral
 * model and returns the text of its file. Adding a format is one file implementing this and one
 * line in formats.ts.
 */
import type { CompareModel } from './model.js';

export interface CompareFormat {
  /** what --format calls it */
  readonly name: string;
  /** the file --out writes it to */
  readonly file: string;
  render(model: CompareModel): string;
}
