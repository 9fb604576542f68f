/** Reading runs from disk: one clear error per unusable file. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRunError, parseRun, type Run } from './schema.js';

/** Read a run from a run.json path, or from a directory that holds one. */
export function readRun(path: string): Run {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'run.json');
  } catch {
    throw new InvalidRunError(`${path}: no such file`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidRunError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseRun(text, file);
}
