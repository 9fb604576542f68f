/**
 * Reading the runs that compare, history and baseline are given. readRun does the work; this adds
 * what a command line needs on top: a binary file is named as such, and no byte of a bad file
 * reaches the terminal raw (V8's JSON errors quote the input, escape sequences included).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readRun } from '../results/read.js';
import { InvalidRunError, type Run } from '../results/schema.js';

/** Control characters and undecodable bytes, shown as \xNN / \uFFFD instead. */
export function printable(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f\ufffd]/g, (ch) => (ch === '\ufffd' ? '\\uFFFD' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

function fileOf(path: string): string {
  try {
    return statSync(path).isDirectory() ? join(path, 'run.json') : path;
  } catch {
    return path;
  }
}

/** A NUL byte or bytes that are not UTF-8: no JSON document looks like this. */
function looksBinary(file: string): boolean {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return false;
  }
  if (bytes.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

export function readRunForCli(path: string): Run {
  const file = fileOf(path);
  if (looksBinary(file)) throw new InvalidRunError(`${printable(file)}: a binary file, not a run (not JSON)`);
  try {
    return readRun(path);
  } catch (e) {
    if (e instanceof InvalidRunError) throw new InvalidRunError(printable(e.message));
    throw e;
  }
}
