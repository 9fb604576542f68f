/** `guardbench census`: count PROT_NONE guard VMAs and guard markers on this machine or in given pids. */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { writeJsonAtomic } from '../results/write.js';
import { DEFAULT_MAX_GUARD_BYTES } from '../census/classify.js';
import { renderCensusText } from '../report/census-text.js';
import { takeCensus } from '../census/take.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

const HELP = `usage: guardbench census [--pid PID]... [--out DIR] [--max-guard-bytes N] [--json]

Reads /proc/PID/smaps (or maps) of every process it may read, or of the pids given, and reports
how many VMAs are PROT_NONE guards, how many carry guard markers already (smaps gu, counted by
PAGEMAP_SCAN), and how many VMAs would disappear if every guard became a marker.

options:
  --pid PID               survey only this process; repeatable
  --out DIR               also write DIR/census.json (schema guardbench.census/v1)
  --max-guard-bytes N     largest PROT_NONE VMA counted as a guard (default ${DEFAULT_MAX_GUARD_BYTES}); larger ones are reservations
  --json                  print the census document instead of the summary
  --help                  this text

${exitCodesHelp({ '0': 'surveyed', '2': 'or none of the pids given could be read' })}`;

export interface CensusArgs {
  pids: number[];
  out: string | undefined;
  maxGuardBytes: number;
  json: boolean;
}

/** A positive decimal integer, or a UsageError naming the flag. */
function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag}: '${text}' is not a positive integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag}: ${text} must be at least 1`);
  return n;
}

export function parseCensusArgs(argv: string[]): CensusArgs | 'help' {
  const { values } = parseCommandArgs(argv, {
    allowPositionals: false,
    options: {
      pid: { type: 'string', multiple: true },
      out: { type: 'string' },
      'max-guard-bytes': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const pids = (values.pid ?? []).map((p) => positiveInteger('--pid', p));
  const maxGuardBytes = values['max-guard-bytes'] === undefined
    ? DEFAULT_MAX_GUARD_BYTES : positiveInteger('--max-guard-bytes', values['max-guard-bytes']);
  const out = values.out === undefined ? undefined : resolve(values.out);
  if (out !== undefined && existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out: ${out} is a file, not a directory`);
  return { pids, out, maxGuardBytes, json: values.json ?? false };
}

export async function main(argv: string[]): Promise<number> {
  const args = parseCensusArgs(argv);
  if (args === 'help') {
    console.log(HELP);
    return 0;
  }
  const census = takeCensus({ pids: args.pids, maxGuardBytes: args.maxGuardBytes, budgetMs: Infinity });
  if (args.out !== undefined) {
    mkdirSync(args.out, { recursive: true });
    writeJsonAtomic(join(args.out, 'census.json'), census);
  }
  console.log(args.json ? JSON.stringify(census, null, 2) : renderCensusText(census));
  if (args.out !== undefined && !args.json) console.log(`\nwrote ${join(args.out, 'census.json')}`);
  // Naming pids none of which could be read is unusable input the caller should see in the exit code.
  if (args.pids.length > 0 && census.totals.processes === 0 && census.noAddressSpace === 0) {
    console.error(`guardbench census: none of the pids given could be read (${args.pids.join(', ')})`);
    return EXIT.usage;
  }
  return EXIT.ok;
}
